package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

func TestClaimLeadsFirstClaimWins(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		got, err := s.ClaimLeads(ctx, "run-a", 0, map[string]bool{"lead-1": true, "lead-2": false})
		if err != nil {
			t.Fatal(err)
		}
		if c := got["lead-1"]; !c.Owns("run-a", 0) || !c.Start {
			t.Errorf("lead-1: %+v, want run-a's start claim", c)
		}
		if c := got["lead-2"]; !c.Owns("run-a", 0) || c.Start {
			t.Errorf("lead-2: %+v, want run-a's offer claim", c)
		}
		// A later batch (or a concurrent import) finds run-a's claims; a new lead is its own.
		got, err = s.ClaimLeads(ctx, "run-b", 3, map[string]bool{"lead-1": false, "lead-2": true, "lead-3": true})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]Claim{"lead-1": {"run-a", 0, true}, "lead-2": {"run-a", 0, false}, "lead-3": {"run-b", 3, true}}
		for id, c := range want {
			if got[id] != c {
				t.Errorf("%s: %+v, want %+v", id, got[id], c)
			}
		}
		// A retry of run-a's batch sees its own claims again.
		again, err := s.ClaimLeads(ctx, "run-a", 0, map[string]bool{"lead-1": true})
		if err != nil || !again["lead-1"].Owns("run-a", 0) {
			t.Errorf("retry: %+v, %v", again, err)
		}
		if all, err := s.Claims(ctx, []string{"lead-1", "lead-9"}); err != nil || len(all) != 1 {
			t.Errorf("Claims: %+v, %v; want lead-1's only", all, err)
		}
	})
}

// TestClaimLeadsConcurrent: batches claiming the same leads at once each get one owner per
// lead, the same for all of them.
func TestClaimLeadsConcurrent(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		want := map[string]bool{}
		for i := range 50 {
			want[fmt.Sprintf("lead-%d", i)] = true
		}
		const batches = 6
		results := make([]map[string]Claim, batches)
		errs := make([]error, batches)
		var wg sync.WaitGroup
		for b := range batches {
			wg.Go(func() { results[b], errs[b] = s.ClaimLeads(ctx, fmt.Sprintf("run-%d", b), b, want) })
		}
		wg.Wait()
		for b := range batches {
			if errs[b] != nil {
				t.Fatalf("batch %d: %v", b, errs[b])
			}
			for id := range want {
				if results[b][id] != results[0][id] || results[b][id].RunID == "" {
					t.Errorf("%s: batch %d sees %+v, batch 0 %+v", id, b, results[b][id], results[0][id])
				}
			}
		}
	})
}
