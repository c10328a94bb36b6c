package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"haloleads/internal/lead"
	"haloleads/internal/store/storetest"
)

// opener opens a fresh, empty store of one backend.
type opener func(t *testing.T) *Store

// eachBackend runs test against every backend: the conformance suite. The PostgreSQL run skips
// with a message when no test server is configured (see storetest).
func eachBackend(t *testing.T, test func(t *testing.T, open opener)) {
	for _, b := range []struct {
		name string
		open opener
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b.open)
		})
	}
}

func openSQLite(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "haloleads.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T) *Store {
	t.Helper()
	s, err := OpenPostgres(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestIdentitiesAreStable(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		if err := s.SaveIdentities(ctx, map[string]string{"email:a@example.com": "lead-1"}); err != nil {
			t.Fatal(err)
		}
		// A later run binding the same key to another lead does not move it.
		if err := s.SaveIdentities(ctx, map[string]string{"email:a@example.com": "lead-2", "name:x": "lead-2"}); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.LookupIdentity(ctx, "email:a@example.com")
		if err != nil || !ok || got != "lead-1" {
			t.Fatalf("identity = %q %v %v, want lead-1", got, ok, err)
		}
		all, err := s.Identities(ctx)
		if err != nil || len(all) != 2 || all["name:x"] != "lead-2" {
			t.Fatalf("identities = %v %v", all, err)
		}
	})
}

func TestStagingRoundTrip(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		items := []Staged{{LeadID: "lead-b", Payload: json.RawMessage(`{"n":2}`)}, {LeadID: "lead-a", Payload: json.RawMessage(`{"n":1}`)}}
		if err := s.StageBatch(ctx, "run", 0, items); err != nil {
			t.Fatal(err)
		}
		// A retried attempt replaces the batch instead of adding to it.
		if err := s.StageBatch(ctx, "run", 0, items[:1]); err != nil {
			t.Fatal(err)
		}
		got, err := s.Batch(ctx, "run", 0)
		if err != nil || len(got) != 1 || got[0].LeadID != "lead-b" || string(got[0].Payload) != `{"n":2}` {
			t.Fatalf("batch = %+v %v", got, err)
		}
		if err := s.DropRun(ctx, "run"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Batch(ctx, "run", 0); len(got) != 0 {
			t.Fatalf("batch after drop = %v", got)
		}
	})
}

func TestSuppressionIsForever(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		e := Suppression{Key: "email:a@example.com", LeadID: "lead-1", Reason: "asked not to be called", Source: "call"}
		if err := s.Suppress(ctx, e, e); err != nil {
			t.Fatal(err)
		}
		hits, err := s.Suppressed(ctx, []string{"email:b@example.com", "email:a@example.com"})
		if err != nil || len(hits) != 1 || hits[0].Reason != e.Reason {
			t.Fatalf("suppressed = %+v %v", hits, err)
		}
		if hits, _ := s.Suppressed(ctx, nil); len(hits) != 0 {
			t.Fatalf("no keys matched %v", hits)
		}
	})
}

func TestReviewQueue(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		if err := s.AddReview(ctx, ReviewItem{LeftID: "lead-b", RightID: "lead-a", Score: 8, Detail: "same name"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddReview(ctx, ReviewItem{LeftID: "lead-a", RightID: "lead-b", Score: 9}); err != nil {
			t.Fatal(err)
		}
		items, err := s.Reviews(ctx, false)
		if err != nil || len(items) != 1 || items[0].LeftID != "lead-a" {
			t.Fatalf("reviews = %+v %v", items, err)
		}
		if _, err := s.Decide(ctx, items[0].ID, "maybe"); err == nil {
			t.Fatal("a decision other than same/different was accepted")
		}
		if _, err := s.Decide(ctx, 999, "same"); err == nil {
			t.Fatal("deciding a missing item succeeded")
		}
		it, err := s.Decide(ctx, items[0].ID, "different")
		if err != nil || it.Decision != "different" {
			t.Fatalf("decide = %+v %v", it, err)
		}
		if pending, _ := s.Reviews(ctx, false); len(pending) != 0 {
			t.Fatalf("pending after decision = %v", pending)
		}
	})
}

func TestCompaniesTicketsAndPurchases(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		if err := s.SaveCompanies(ctx, Company{Key: "domain:example.com", ClientID: 5}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCompanies(ctx, Company{Key: "domain:example.com", SiteID: 7}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Companies(ctx, []string{"domain:example.com", "domain:other.example"})
		if err != nil || len(got) != 1 || got["domain:example.com"] != (Company{Key: "domain:example.com", ClientID: 5, SiteID: 7}) {
			t.Fatalf("companies = %+v %v", got, err)
		}
		if err := s.SaveTickets(ctx, map[int]string{42: "lead-1"}); err != nil {
			t.Fatal(err)
		}
		if id, ok, err := s.LeadOfTicket(ctx, 42); err != nil || !ok || id != "lead-1" {
			t.Fatalf("lead of ticket = %q %v %v", id, ok, err)
		}
		if _, ok, _ := s.LeadOfTicket(ctx, 43); ok {
			t.Fatal("unknown ticket found")
		}
		if err := s.MarkBought(ctx, lead.Apollo, "p1", "p2"); err != nil {
			t.Fatal(err)
		}
		bought, err := s.Bought(ctx, lead.Apollo, []string{"p1", "p3"})
		if err != nil || !bought["p1"] || bought["p3"] {
			t.Fatalf("bought = %v %v", bought, err)
		}
	})
}

func TestPersistsAcrossOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "haloleads.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveIdentities(ctx, map[string]string{"email:a@example.com": "lead-1"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id, ok, _ := s.LookupIdentity(ctx, "email:a@example.com"); !ok || id != "lead-1" {
		t.Fatalf("after reopen: %q %v", id, ok)
	}
}
