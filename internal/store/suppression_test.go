package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"haloleads/internal/store/storetest"
	"haloleads/internal/suppress"
)

// reopener opens a store of one backend, the same database each time it is called.
type reopener func(opts ...Option) (*Store, error)

// eachPersistentBackend runs test against a database that survives closing, on every backend.
func eachPersistentBackend(t *testing.T, test func(t *testing.T, open reopener)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "haloleads.db")
		test(t, func(opts ...Option) (*Store, error) { return Open(path, opts...) })
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := storetest.PostgresURL(t)
		test(t, func(opts ...Option) (*Store, error) { return OpenPostgres(url, opts...) })
	})
}

func TestSuppressionKeysAreStoredHashed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "haloleads.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	keys := []string{"email:jane.doe@acme.example", "phone:+14155550123", "linkedin:jane-doe-123"}
	if err := s.SuppressKeys(ctx, "lead-1", "asked not to be called", "call", keys...); err != nil {
		t.Fatal(err)
	}
	list, err := s.SuppressionList(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	for _, e := range list {
		if !suppress.IsDigest(e.Key) || e.Kind == "" {
			t.Errorf("entry %+v is not stored hashed", e)
		}
	}
	if ok, err := s.IsSuppressed(ctx, "email:other@acme.example", "phone:+14155550123"); err != nil || !ok {
		t.Fatalf("IsSuppressed = %v, %v", ok, err)
	}
	s.Close()
	// Nothing of the person is in the database file (nor its write-ahead log).
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, needle := range []string{"jane.doe@acme.example", "+14155550123", "4155550123", "jane-doe-123"} {
			if bytes.Contains(b, []byte(needle)) {
				t.Errorf("%s holds %q in plaintext", filepath.Base(f), needle)
			}
		}
	}
}

func TestPlaintextSuppressionIsHashedOnOpen(t *testing.T) {
	t.Parallel()
	eachPersistentBackend(t, func(t *testing.T, open reopener) {
		ctx := context.Background()
		s := mustOpen(t, open)
		// A list from before hashing: plaintext keys, no kind.
		for _, k := range []string{"email:old@acme.example", "name:acme.example|jane doe"} {
			if _, err := s.db.ExecContext(ctx, `INSERT INTO suppression(key, lead_id, reason, source, created_at) VALUES ($1, 'lead-9', 'opt-out', 'apollo', $2)`, k, now()); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		s = mustOpen(t, open)
		defer s.Close()
		list, err := s.SuppressionList(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		for _, e := range list {
			if !suppress.IsDigest(e.Key) || e.LeadID != "lead-9" || e.Source != "apollo" {
				t.Errorf("entry %+v was not migrated", e)
			}
		}
		hits, err := s.Suppressed(ctx, []string{"email:new@acme.example", "email:old@acme.example"})
		if err != nil || len(hits) != 1 || hits[0].Key != "email:old@acme.example" || hits[0].Kind != "email" {
			t.Fatalf("suppressed = %+v, %v", hits, err)
		}
	})
}

func TestSuppressionKeyIsChecked(t *testing.T) {
	t.Parallel()
	eachPersistentBackend(t, func(t *testing.T, open reopener) {
		ctx := context.Background()
		key := WithSuppressionKey([]byte("0123456789abcdef0123456789abcdef"))
		s := mustOpen(t, open, key)
		if err := s.SuppressKeys(ctx, "lead-1", "test", "cli", "email:a@acme.example"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		// The same key finds the entry again.
		s = mustOpen(t, open, key)
		if ok, err := s.IsSuppressed(ctx, "email:a@acme.example"); err != nil || !ok {
			t.Fatalf("IsSuppressed with the same key = %v, %v", ok, err)
		}
		s.Close()
		// Another key (or none: the store's own) would miss every entry: refused.
		for _, opts := range [][]Option{{WithSuppressionKey([]byte("another key, long enough"))}, nil} {
			if _, err := open(opts...); !errors.Is(err, ErrSuppressionKeyMismatch) {
				t.Fatalf("opening with another key: %v, want ErrSuppressionKeyMismatch", err)
			}
		}
		// A key too short is refused.
		if _, err := open(WithSuppressionKey([]byte("short"))); !errors.Is(err, suppress.ErrShortSecret) {
			t.Fatalf("short key: %v", err)
		}
	})
}

func mustOpen(t *testing.T, open reopener, opts ...Option) *Store {
	t.Helper()
	s, err := open(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// BenchmarkSuppressed measures one lead's check against a list of 10,000 people (four keys
// each: e-mail, phone, LinkedIn, name), as an import or a pull makes it: hashing included.
func BenchmarkSuppressed(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "haloleads.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const people = 10000
	entries := make([]Suppression, 0, 4*people)
	for i := range people {
		for _, k := range personKeys(i) {
			entries = append(entries, Suppression{Key: k, Reason: "bench", Source: "bench"})
		}
	}
	if err := s.Suppress(ctx, entries...); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.IsSuppressed(ctx, personKeys(people+i)...); err != nil {
			b.Fatal(err)
		}
	}
}

func personKeys(i int) []string {
	return []string{fmt.Sprintf("email:p%d@acme.example", i), fmt.Sprintf("phone:+1415555%04d", i%10000),
		fmt.Sprintf("linkedin:p-%d", i), fmt.Sprintf("name:acme.example|p %d", i)}
}
