// Package storetest gives tests a throwaway PostgreSQL database. Tests that need PostgreSQL call
// PostgresURL, which skips the test with a clear message when HALOLEADS_TEST_DATABASE_URL is not
// set (.ci/run starts a throwaway cluster and sets it), so `go test ./...` passes without
// PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, registered as "pgx"
)

// EnvURL names the environment variable holding the URL of a PostgreSQL server tests may create
// databases on (postgres://user@host:port/db?sslmode=disable).
const EnvURL = "HALOLEADS_TEST_DATABASE_URL"

// PostgresURL creates a fresh database on the test server and returns its URL; the database is
// dropped when the test ends. Without HALOLEADS_TEST_DATABASE_URL the test is skipped.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skipf("PostgreSQL tests need %s (a postgres:// URL of a server the test may create databases on); .ci/run starts one", EnvURL)
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		t.Fatalf("%s must be a postgres:// URL", EnvURL)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "haloleads_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("dropping test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
