package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrationFiles are the numbered schema changes of each backend: migrations/<backend>/NNNN_what.sql.
// Every schema change is a new file with the next number; a shipped file is never edited.
//
//go:embed migrations
var migrationFiles embed.FS

// migrationLock is the PostgreSQL advisory lock key that serialises migrations of processes
// opening one database at the same time ("halolead" in ASCII).
const migrationLock = 0x68616c6f6c656164

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the migrations of a backend ("sqlite" or "postgres"), in order. Versions
// are unique and may leave gaps: changes developed in parallel take numbers from separate
// ranges, and each is applied once whatever order they reach a database in.
func Migrations(backend string) ([]Migration, error) {
	dir := path.Join("migrations", backend)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s migrations: %w", backend, err)
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s is not named NNNN_what.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range out {
		if m.Version < 1 || i > 0 && m.Version == out[i-1].Version {
			return nil, fmt.Errorf("%s migrations: version %d is not a unique positive number", backend, m.Version)
		}
	}
	return out, nil
}

// migrate applies the migrations the database has not seen yet (by version, not by count: a
// lower number merged later is still applied), each in its own transaction, on one connection
// that holds the advisory lock on PostgreSQL.
func (s *Store) migrate(ctx context.Context) error {
	all, err := Migrations(s.dialect.name)
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting to the store: %w", err)
	}
	defer conn.Close()
	if s.Postgres() {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("locking the store for migration: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("creating the migrations table: %w", err)
	}
	applied, err := appliedVersions(ctx, conn)
	if err != nil {
		return err
	}
	known := map[int]bool{}
	for _, m := range all {
		known[m.Version] = true
	}
	for _, v := range applied {
		if !known[v] {
			return fmt.Errorf("the store's schema has migration %d, which this program does not know: upgrade haloleads", v)
		}
	}
	for _, m := range all {
		if slices.Contains(applied, m.Version) {
			continue
		}
		if err := apply(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

// appliedVersions lists the migrations the database has had.
func appliedVersions(ctx context.Context, conn *sql.Conn) ([]int, error) {
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("reading the schema version: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("reading the schema version: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func apply(ctx context.Context, conn *sql.Conn, m Migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %d: %w", m.Version, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, now()); err != nil {
		return fmt.Errorf("recording migration %d: %w", m.Version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing migration %d: %w", m.Version, err)
	}
	return nil
}

// SchemaVersion returns the number of the last migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	return v, nil
}
