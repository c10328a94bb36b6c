package pipeline_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
	"haloleads/internal/tenant"
)

// demoFiles are the demo's sample exports.
var demoFiles = []string{"apollo.csv", "hunter-domain-search.json", "hunter.csv", "lusha.csv", "uplead.csv", "zoominfo.csv"}

// TestDemoDataRules imports the demo's samples, checks through the HaloPSA API that every lead
// ticket carries its source (custom field, note, source: tag), then re-imports each sample
// alone and all of them together: an import merges with what is known, so none writes.
func TestDemoDataRules(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnv(t)
	all := samples(t, demoFiles...)
	first := e.importFiles(t, "demo", all...)
	if first.LeadsCreated == 0 {
		t.Fatal("no leads created")
	}
	t.Logf("demo import: %d rows, %d leads created, %d rejected", first.Rows, first.LeadsCreated, first.RejectedCount)
	for _, r := range first.Rejected {
		t.Logf("rejected %s:%d %s", filepath.Base(r.File), r.Line, r.Reason)
	}
	invalid := 0
	for _, tk := range e.sandbox.Tickets() {
		_, status := e.statusOf(tk)
		noted := strings.Contains(tk.String("details"), "Invalid Data: required Lead fields:")
		if (status == lifecycle.InvalidData) != noted {
			t.Errorf("ticket %d: status %s, details %q", tk.ID(), status, tk.String("details"))
		}
		if noted {
			invalid++
		}
	}
	t.Logf("%d leads landed as Invalid Data", invalid)
	linkedIn := 0
	for _, u := range e.sandbox.Users() {
		list, _ := u["customfields"].([]any)
		for _, cf := range list {
			m := halosandbox.Record(cf.(map[string]any))
			if m.Int("id") == int(e.tenant.Fields[string(lead.LinkedIn)]) && strings.Contains(m.String("value"), "linkedin.com/in/") {
				linkedIn++
			}
		}
	}
	if linkedIn == 0 {
		t.Error("no user carries the LinkedIn URL field")
	}
	t.Logf("%d users carry their LinkedIn URL", linkedIn)
	e.checkSources(t, first.LeadsCreated)
	for i, f := range append(slices.Clone(all), "") {
		files := []string{f}
		if f == "" {
			files = all
		}
		before := e.halo.WriteRequests()
		sum := e.importFiles(t, fmt.Sprintf("again-%d", i), files...)
		if w := e.halo.WriteRequests() - before; w != 0 || sum.LeadsCreated+sum.LeadsUpdated != 0 {
			t.Errorf("re-import of %d file(s) (%s): %d created, %d updated, %d writes; want none",
				len(files), files[0], sum.LeadsCreated, sum.LeadsUpdated, w)
		}
	}
}

// checkSources reads every lead ticket back through the HaloPSA API.
func (e *env) checkSources(t *testing.T, want int) {
	t.Helper()
	ctx := context.Background()
	names := map[string]bool{}
	for _, s := range lead.Providers {
		names[s.DisplayName()] = true
	}
	n := 0
	for row, err := range e.halo.Tickets(ctx, halopsa.TicketQuery{TicketTypeID: e.tenant.TicketTypes[tenant.Lead]}) {
		if err != nil {
			t.Fatal(err)
		}
		tk, err := e.halo.Ticket(ctx, row.ID)
		if err != nil {
			t.Fatal(err)
		}
		n++
		field := ""
		for _, cf := range tk.CustomFields {
			if cf.ID == int(e.tenant.Fields[string(lead.LeadSource)]) {
				field = cf.Display
			}
		}
		var tags []string
		for _, tg := range tk.Tags {
			if strings.HasPrefix(tg.Text, "source:") {
				tags = append(tags, tg.Text)
			}
		}
		if !names[field] {
			t.Errorf("ticket %d (%s): Lead Source %q", tk.ID, tk.Summary, field)
		}
		if strings.Contains(tk.Details, "unknown source") || !strings.Contains(tk.Details, field) {
			t.Errorf("ticket %d: note %q does not name %q", tk.ID, tk.Details, field)
		}
		if len(tags) == 0 {
			t.Errorf("ticket %d: no source: tag in %v", tk.ID, tk.Tags)
		}
	}
	if n != want {
		t.Errorf("read %d lead tickets, want %d", n, want)
	}
}
