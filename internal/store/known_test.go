package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"haloleads/internal/lead"
)

func TestKnownLeadsRoundTrip(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		var leads []lead.Lead
		for i := range 1203 { // more than one query chunk
			leads = append(leads, lead.Lead{ID: fmt.Sprintf("lead-%04d", i), Values: lead.Values{lead.Email: fmt.Sprintf("p%d@acme.com", i)},
				Sources: []lead.Source{lead.Apollo}, Quality: 30})
		}
		if err := s.SaveKnownLeads(ctx, leads); err != nil {
			t.Fatal(err)
		}
		leads[7].Values[lead.JobTitle] = "CTO"
		if err := s.SaveKnownLeads(ctx, leads[7:8]); err != nil {
			t.Fatal(err)
		}
		ids := []string{"lead-0007", "lead-1202", "lead-nope"}
		for i := range 1100 {
			ids = append(ids, fmt.Sprintf("lead-%04d", i))
		}
		got, err := s.KnownLeads(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1101 || got["lead-0007"].Values[lead.JobTitle] != "CTO" || got["lead-1202"].Values[lead.Email] != "p1202@acme.com" {
			t.Errorf("got %d leads; lead-0007 %v", len(got), got["lead-0007"].Values)
		}
		if _, ok := got["lead-nope"]; ok {
			t.Error("an unknown ID came back")
		}
		if none, err := s.KnownLeads(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("no IDs: %v, %v", none, err)
		}
	})
}

// BenchmarkKnownLeads saves and reads back the known records of 10,000 leads, as one import of
// that size does.
func BenchmarkKnownLeads(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	leads := make([]lead.Lead, 10_000)
	ids := make([]string, len(leads))
	for i := range leads {
		ids[i] = fmt.Sprintf("lead-%05d", i)
		leads[i] = lead.Lead{ID: ids[i], Values: lead.Values{lead.Email: fmt.Sprintf("p%d@acme.com", i),
			lead.FirstName: "Dana", lead.LastName: "Okafor", lead.Company: "Bright Kettle", lead.JobTitle: "CRO",
			lead.LeadSource: "apollo; zoominfo"}, Sources: []lead.Source{lead.Apollo, lead.ZoomInfo}, Quality: 85}
	}
	for b.Loop() {
		if err := s.SaveKnownLeads(ctx, leads); err != nil {
			b.Fatal(err)
		}
		if got, err := s.KnownLeads(ctx, ids); err != nil || len(got) != len(leads) {
			b.Fatalf("%d leads, %v", len(got), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/10k-leads")
}
