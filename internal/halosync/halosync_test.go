package halosync

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"haloleads/internal/halopsa"
	"haloleads/internal/halostate"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/store"
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

// TestOwnState: a ticket and its user whose last-update times are the marks an import's writes
// left hold nothing a person did; a later change to either, a missing mark or an unknown time
// does not count as the import's own.
func TestOwnState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "haloleads.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	wrote := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	later := wrote.Add(time.Second)
	if err := halostate.Wrote(ctx, st, halostate.KindWroteTicket, map[int]time.Time{1: wrote, 2: wrote}); err != nil {
		t.Fatal(err)
	}
	if err := halostate.Wrote(ctx, st, halostate.KindWroteUser, map[int]time.Time{5: wrote}); err != nil {
		t.Fatal(err)
	}
	d := &Dispatcher{Store: st}
	at := func(t time.Time) halopsa.Time { return halopsa.Time{Time: t} }
	tests := []struct {
		name string
		tk   halopsa.Ticket
		u    halopsa.User
		want bool
	}{
		{"ticket and user as written", halopsa.Ticket{ID: 1, UserID: 5, LastUpdate: at(wrote)}, halopsa.User{ID: 5, LastUpdate: at(wrote)}, true},
		{"ticket changed since", halopsa.Ticket{ID: 1, UserID: 5, LastUpdate: at(later)}, halopsa.User{ID: 5, LastUpdate: at(wrote)}, false},
		{"user changed since", halopsa.Ticket{ID: 1, UserID: 5, LastUpdate: at(wrote)}, halopsa.User{ID: 5, LastUpdate: at(later)}, false},
		{"user not read", halopsa.Ticket{ID: 1, UserID: 5, LastUpdate: at(wrote)}, halopsa.User{}, false},
		{"ticket without a user", halopsa.Ticket{ID: 2, LastUpdate: at(wrote)}, halopsa.User{}, true},
		{"no mark", halopsa.Ticket{ID: 3, LastUpdate: at(wrote)}, halopsa.User{}, false},
		{"no last-update time", halopsa.Ticket{ID: 2}, halopsa.User{}, false},
	}
	for _, tt := range tests {
		got, err := d.ownState(ctx, tt.tk, tt.u)
		if err != nil || got != tt.want {
			t.Errorf("%s: ownState = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}
