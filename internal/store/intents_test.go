package store

import (
	"context"
	"maps"
	"slices"
	"testing"

	"haloleads/internal/lead"
)

// TestPurchaseIntents: an intent blocks a second intent for the same person (a retry after a
// crash, or another run) until MarkBought closes it or ReleasePurchase drops it.
func TestPurchaseIntents(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		steps := []struct {
			name string
			do   func() (map[string]bool, error)
			want []string // open intents found
		}{
			{"first intent", func() (map[string]bool, error) { return s.IntendPurchase(ctx, lead.Apollo, "r1", 1, "p1", "p2", "p3") }, nil},
			{"retry of the page", func() (map[string]bool, error) { return s.IntendPurchase(ctx, lead.Apollo, "r1", 1, "p1", "p2", "p3") }, []string{"p1", "p2", "p3"}},
			{"another provider", func() (map[string]bool, error) { return s.IntendPurchase(ctx, lead.Hunter, "r2", 1, "p1") }, nil},
			{"bought and released", func() (map[string]bool, error) {
				if err := s.MarkBought(ctx, lead.Apollo, "p1"); err != nil {
					return nil, err
				}
				if err := s.ReleasePurchase(ctx, lead.Apollo, "p2"); err != nil {
					return nil, err
				}
				return s.IntendPurchase(ctx, lead.Apollo, "r3", 1, "p1", "p2", "p3")
			}, []string{"p3"}},
		}
		for _, st := range steps {
			got, err := st.do()
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, st.want) {
				t.Errorf("%s: open intents %v, want %v", st.name, keys, st.want)
			}
		}
		// Open now: Apollo p1 (intended again after its purchase), p2, p3; Hunter p1.
		if n, err := s.OpenPurchases(ctx); err != nil || n != 4 {
			t.Errorf("open purchases = %d, %v; want 4", n, err)
		}
	})
}
