package store

import (
	"context"
	"errors"
	"testing"
)

// reviewStore opens a store whose identities were saved in the order of leads (lead-a first),
// each lead holding two keys, with one review item per pair.
func reviewStore(t *testing.T, open opener, leads []string, pairs [][2]string) (*Store, map[[2]string]int64) {
	t.Helper()
	ctx := context.Background()
	s := open(t)
	for _, id := range leads {
		if err := s.SaveIdentities(ctx, map[string]string{"email:" + id: id, "name:" + id: id}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range pairs {
		if err := s.AddReview(ctx, ReviewItem{LeftID: p[0], RightID: p[1], Score: 10, Detail: "below the automatic threshold"}); err != nil {
			t.Fatal(err)
		}
	}
	items, err := s.Reviews(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[[2]string]int64{}
	for _, it := range items {
		ids[[2]string{it.LeftID, it.RightID}] = it.ID
	}
	return s, ids
}

func TestDecideSameLinksIdentitiesToTheOlderLead(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s, ids := reviewStore(t, open, []string{"lead-b", "lead-a"}, [][2]string{{"lead-a", "lead-b"}})
		it, err := s.Decide(ctx, ids[[2]string{"lead-a", "lead-b"}], Same)
		if err != nil {
			t.Fatal(err)
		}
		if it.Survivor != "lead-b" || it.LinkedKeys != 2 || it.Decision != Same {
			t.Fatalf("decide = %+v, want survivor lead-b (known first) with 2 keys linked", it)
		}
		for _, key := range []string{"email:lead-a", "name:lead-a", "email:lead-b"} {
			if id, _, _ := s.LookupIdentity(ctx, key); id != "lead-b" {
				t.Errorf("%s belongs to %q, want lead-b", key, id)
			}
		}
		if got, _ := s.SurvivorOf(ctx, "lead-a"); got != "lead-b" {
			t.Errorf("SurvivorOf(lead-a) = %q, want lead-b", got)
		}
		if got, _ := s.SurvivorOf(ctx, "lead-b"); got != "lead-b" {
			t.Errorf("SurvivorOf(lead-b) = %q, want itself", got)
		}
		again, err := s.Decide(ctx, it.ID, Same)
		if err != nil || again.Survivor != "lead-b" || again.LinkedKeys != 0 {
			t.Errorf("deciding again = %+v %v, want no change", again, err)
		}
		all, _ := s.Reviews(ctx, true)
		if len(all) != 1 || all[0].Survivor != "lead-b" {
			t.Errorf("reviews = %+v, want the survivor shown", all)
		}
	})
}

func TestDecideRefusesContradictions(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		leads := []string{"lead-a", "lead-b", "lead-c"}
		ab, ac, bc := [2]string{"lead-a", "lead-b"}, [2]string{"lead-a", "lead-c"}, [2]string{"lead-b", "lead-c"}
		type step struct {
			pair     [2]string
			decision string
			conflict bool
		}
		tests := []struct {
			name  string
			steps []step
		}{
			{"re-deciding with another answer", []step{{ab, Different, false}, {ab, Same, true}}},
			{"same through a linked lead of a different pair", []step{
				{ab, Different, false}, {ac, Same, false}, {bc, Same, true}}},
			{"different for leads linked through a third", []step{
				{ab, Same, false}, {ac, Same, false}, {bc, Different, true}}},
			{"chained same decisions", []step{{ab, Same, false}, {bc, Same, false}, {ac, Same, false}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				s, ids := reviewStore(t, open, leads, [][2]string{ab, ac, bc})
				for i, st := range tt.steps {
					_, err := s.Decide(ctx, ids[st.pair], st.decision)
					if got := errors.Is(err, ErrConflictingDecision); got != st.conflict {
						t.Fatalf("step %d (%v %s): err = %v, want conflict %v", i, st.pair, st.decision, err, st.conflict)
					}
					if !st.conflict && err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				}
			})
		}
	})
}

func TestChainedSameDecisionsKeepOneSurvivor(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s, ids := reviewStore(t, open, []string{"lead-c", "lead-b", "lead-a"}, [][2]string{{"lead-a", "lead-b"}, {"lead-b", "lead-c"}})
		if _, err := s.Decide(ctx, ids[[2]string{"lead-a", "lead-b"}], Same); err != nil {
			t.Fatal(err)
		}
		it, err := s.Decide(ctx, ids[[2]string{"lead-b", "lead-c"}], Same)
		if err != nil {
			t.Fatal(err)
		}
		if it.Survivor != "lead-c" || it.LinkedKeys != 4 {
			t.Fatalf("decide = %+v, want lead-c (known first) taking lead-b's and lead-a's 4 keys", it)
		}
		for _, id := range []string{"lead-a", "lead-b", "lead-c"} {
			if got, _ := s.SurvivorOf(ctx, id); got != "lead-c" {
				t.Errorf("SurvivorOf(%s) = %q, want lead-c", id, got)
			}
		}
		idents, _ := s.Identities(ctx)
		for k, id := range idents {
			if id != "lead-c" {
				t.Errorf("%s still belongs to %s", k, id)
			}
		}
	})
}
