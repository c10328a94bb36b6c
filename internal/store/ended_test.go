package store

import (
	"context"
	"fmt"
	"testing"
)

func TestEndedLeadsRoundTrip(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		if _, ok, err := s.EndedLead(ctx, "lead-1"); ok || err != nil {
			t.Fatalf("a lead never ended: ok %v, %v", ok, err)
		}
		for i := range 3 {
			if err := s.SaveEndedLead(ctx, fmt.Sprintf("lead-%d", i), fmt.Appendf(nil, `{"status":"won","n":%d}`, i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SaveEndedLead(ctx, "lead-1", []byte(`{"status":"lost"}`)); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.EndedLead(ctx, "lead-1")
		if err != nil || !ok || string(got) != `{"status":"lost"}` {
			t.Errorf("lead-1: %s, %v, %v; want the later state", got, ok, err)
		}
		all, err := s.EndedLeads(ctx, []string{"lead-0", "lead-2", "lead-9"})
		if err != nil || len(all) != 2 || string(all["lead-2"]) != `{"status":"won","n":2}` {
			t.Errorf("EndedLeads: %q, %v", all, err)
		}
	})
}
