package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"haloleads/internal/lead"
)

// The person forgotten, and a neighbour who stays.
var (
	forgetNeedles = []string{"ingrid.forgetme@erase.example", "+14155550199", "Ingrid", "Forgetme"}
	keptNeedle    = "kept.person@stay.example"
)

// TestForgetLeavesNoBytes fills every table a person reaches (identities, known record, staged
// offers, a dry-run plan, the ticket map, review, an uploaded import file), forgets the person,
// and byte-searches what the database holds: SQLite's files (database and WAL), PostgreSQL's
// rows and, when the test runs where the server's files are readable, its table files.
func TestForgetLeavesNoBytes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		fillPerson(t, s, "lead-forget", forgetNeedles)
		fillPerson(t, s, "lead-kept", []string{keptNeedle, "+14155550100", "Kept", "Person"})
		if err := s.SuppressKeys(ctx, "", "erased", "forget", "email:"+forgetNeedles[0]); err != nil {
			t.Fatal(err)
		}
		res, err := s.Forget(ctx, "lead-forget", forgetNeedles)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Tickets) != 1 || res.Tickets[0] != 4242 || res.Uploads != 1 || res.Rows < 6 {
			t.Fatalf("forget = %+v", res)
		}
		dump := dumpStore(t, s)
		// PostgreSQL keeps a deleted row's bytes while a concurrent transaction (here: the other
		// tests' databases being created) may still see it; VACUUM FULL again once they end.
		for try := 0; s.Postgres() && try < 10 && bytes.Contains(dump, []byte(forgetNeedles[0])); try++ {
			time.Sleep(500 * time.Millisecond)
			must(t, s.compact(ctx))
			dump = dumpStore(t, s)
			t.Logf("PostgreSQL: VACUUM FULL run again (%d)", try+1)
		}
		for _, n := range forgetNeedles {
			if bytes.Contains(dump, []byte(n)) {
				t.Errorf("%q is still in the store", n)
			}
		}
		if !bytes.Contains(dump, []byte(keptNeedle)) {
			t.Fatal("the search cannot see a person who stays (or forget took them too)")
		}
		if hit, err := s.IsSuppressed(ctx, "email:"+forgetNeedles[0]); err != nil || !hit {
			t.Fatalf("the forgotten person is not suppressed: %v %v", hit, err)
		}
		if ids, _ := s.Identities(ctx); ids["email:"+keptNeedle] != "lead-kept" {
			t.Fatalf("the other person's identity went: %v", ids)
		}
	})
}

func fillPerson(t *testing.T, s *Store, id string, p []string) {
	t.Helper()
	ctx := context.Background()
	l := lead.Lead{ID: id, Values: lead.Values{lead.Email: p[0], lead.PhoneDirect: p[1], lead.FirstName: p[2], lead.LastName: p[3]},
		Keys: []string{"email:" + p[0]}}
	payload, _ := json.Marshal(l)
	must(t, s.SaveIdentities(ctx, map[string]string{"email:" + p[0]: id}))
	must(t, s.SaveKnownLeads(ctx, []lead.Lead{l}))
	must(t, s.StageBatch(ctx, "run-"+id, 0, []Staged{{LeadID: id, Payload: payload}}))
	must(t, s.SaveDryRunBatch(ctx, "dry-"+id, 0, payload))
	must(t, s.SaveEndedLead(ctx, id, payload))
	n := 4242
	if id != "lead-forget" {
		n = 4343
	}
	must(t, s.SaveTickets(ctx, map[int]string{n: id}))
	must(t, s.AddReview(ctx, ReviewItem{LeftID: id, RightID: id + "-twin", Score: 7, Detail: p[2] + " " + p[3] + " at " + p[0]}))
	_, err := s.PutUpload(ctx, "run-"+id, id+".csv", time.Now(), strings.NewReader("First Name,Email\n"+p[2]+","+p[0]+"\n"))
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// dumpStore is every byte a reader of the store's database could get at.
func dumpStore(t *testing.T, s *Store) []byte {
	t.Helper()
	if !s.Postgres() {
		var all []byte
		files, _ := filepath.Glob(s.Path() + "*")
		for _, f := range files {
			b, err := os.ReadFile(f)
			must(t, err)
			all = append(all, b...)
		}
		return all
	}
	ctx := context.Background()
	var all bytes.Buffer
	rows, err := s.db.QueryContext(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
	must(t, err)
	var tables []string
	for rows.Next() {
		var name string
		must(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	rows.Close()
	for _, tb := range tables {
		r, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT t::text FROM %q t`, tb))
		must(t, err)
		for r.Next() {
			var line string
			must(t, r.Scan(&line))
			all.WriteString(line)
		}
		r.Close()
	}
	all.Write(postgresFiles(t, s.db))
	return all.Bytes()
}

// postgresFiles reads the database's table files when the server's data directory is readable
// (a superuser connection to a local server), after a checkpoint writes them out.
func postgresFiles(t *testing.T, db *sql.DB) []byte {
	ctx := context.Background()
	var dir string
	var oid int
	if db.QueryRowContext(ctx, `SHOW data_directory`).Scan(&dir) != nil ||
		db.QueryRowContext(ctx, `SELECT oid FROM pg_database WHERE datname = current_database()`).Scan(&oid) != nil {
		t.Log("PostgreSQL's files are not readable here: searched its rows only")
		return nil
	}
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "base", fmt.Sprint(oid), "*"))
	var all []byte
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			all = append(all, b...)
		}
	}
	t.Logf("searched %d PostgreSQL table files (%d bytes)", len(files), len(all))
	return all
}
