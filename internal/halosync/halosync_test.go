package halosync

import (
	"testing"
	"time"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/tenant"
)

func TestFieldReaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         any
		text, date string
		number     int
	}{
		{nil, "", "", 0},
		{" weekly outages ", "weekly outages", "weekly outages", 0},
		{true, "true", "true", 0},
		{false, "", "", 0},
		{float64(85), "85", "85", 85},
		{"90", "90", "90", 90},
		{"2026-12-31T00:00:00", "2026-12-31T00:00:00", "2026-12-31", 0},
	}
	for _, tt := range tests {
		if got := text(tt.in); got != tt.text {
			t.Errorf("text(%#v) = %q, want %q", tt.in, got, tt.text)
		}
		if got := dateText(tt.in); got != tt.date {
			t.Errorf("dateText(%#v) = %q, want %q", tt.in, got, tt.date)
		}
		if got := number(tt.in); got != tt.number {
			t.Errorf("number(%#v) = %d, want %d", tt.in, got, tt.number)
		}
	}
}

func TestStageData(t *testing.T) {
	t.Parallel()
	read := map[string]any{
		tenant.FieldPainPoints: "outages", tenant.FieldDecisionMaker: "CFO", tenant.FieldBudgetRange: "$2k",
		tenant.FieldQualifiedServices: "Managed IT", tenant.FieldTimeframe: "Q3", tenant.FieldQualificationNotes: nil,
		tenant.FieldProductsServices: "Backup", tenant.FieldExpectedCloseDate: "2026-09-30T00:00:00",
		string(lead.ServicesOffered): "tea",
	}
	tk := halopsa.Ticket{OppValue: 24000, OppConversionProbability: 60, OppCompetitors: "Acme IT", OppReason: "price"}
	got := stageData(read, tk)
	want := lifecycle.Data{
		Qualification: lifecycle.QualificationData{PainPoints: "outages", QualifiedServices: "Managed IT",
			DecisionMaker: "CFO", BudgetRange: "$2k", Timeframe: "Q3"},
		Opportunity: lifecycle.OpportunityData{Value: 24000, ProductsServices: "Backup", Probability: 60,
			ExpectedClose: "2026-09-30", Competitors: "Acme IT", WinLossReason: "price"},
	}
	if got != want {
		t.Errorf("stageData = %+v\nwant %+v", got, want)
	}
	if v := leadValues(read); len(v) != 1 || v[lead.ServicesOffered] != "tea" {
		t.Errorf("leadValues = %v, want only the lead field", v)
	}
}

// TestLastSignals: the same state seen again (another event id, time or source) signals
// nothing; a different state does; forgetting a ticket lets its state signal again.
func TestLastSignals(t *testing.T) {
	t.Parallel()
	var l lastSignals
	c := leadflow.HaloChange{EventID: "a", TicketID: 7, HaloStatus: lifecycle.Contacted, Values: lead.Values{lead.JobTitle: "CTO"},
		At: time.Unix(1, 0), Source: leadflow.SourceWebhook}
	if !l.changed(7, c) {
		t.Fatal("a first state did not count as a change")
	}
	again := c
	again.EventID, again.At, again.Source = "b", time.Unix(2, 0), leadflow.SourceReconcile
	if l.changed(7, again) {
		t.Error("the same state from another event counted as a change")
	}
	moved := again
	moved.HaloStatus = lifecycle.Engaged
	if !l.changed(7, moved) {
		t.Error("a new status did not count as a change")
	}
	l.forget(7)
	if !l.changed(7, moved) {
		t.Error("a forgotten ticket's state did not signal again")
	}
}
