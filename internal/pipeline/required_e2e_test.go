package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
	"haloleads/internal/tenant"
)

// TestRequiredFieldOfTicketType has an administrator make Technology Stack (a field haloleads
// fills from the lead's data) and Region (one of their own) mandatory on the Lead ticket type.
// With Technology Stack required, the leads whose data gives it land with it filled, and each
// row of the others is rejected with its file, line and the field's name; the rest of the
// batch lands. With Region required too, which haloleads cannot fill, HaloPSA refuses a new
// ticket while the worker does not know it yet; once it has read the type again, every new
// lead is rejected before anything is written.
func TestRequiredFieldOfTicketType(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnv(t)
	ctx := context.Background()
	e.requireOnLeadType(t, halopsa.TicketTypeField{FieldID: e.tenant.Fields["technology_stack"]})
	// An administrator's own text field labelled as a lead field: filled from the lead's data.
	industry, err := e.halo.SaveFieldInfos(ctx, []halopsa.FieldInfo{{Name: "CFIndustry", Label: "Industry", Usage: halopsa.FieldUsageTicket}})
	if err != nil {
		t.Fatal(err)
	}
	e.requireOnLeadType(t, halopsa.TicketTypeField{FieldID: industry[0].ID})
	var b strings.Builder
	b.WriteString("Apollo Contact Id,First Name,Last Name,Title,Company Name,Email,Email Status,Technologies,Industry\n")
	for i := range 10 {
		stack := "Microsoft 365, Azure"
		if i%4 == 1 {
			stack = ""
		}
		fmt.Fprintf(&b, "q%03d,Person%d,Surname%d,Manager,Firm %02d Ltd,person%d@firm%02d.example.com,Verified,\"%s\",Sector %d\n", i, i, i, i, i, i, stack, i)
	}
	file := filepath.Join(t.TempDir(), "stacks.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(id string) leadflow.Summary {
		cctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		defer cancel()
		sum, err := pipeline.RunImport(cctx, e.temporal, leadflow.ImportInput{RunID: id, Files: []string{file}}, true)
		if err != nil {
			t.Fatalf("import %s: %v", id, err)
		}
		return sum
	}
	sum := run("stack")
	if sum.Rows != 10 || sum.LeadsCreated != 7 || sum.RejectedCount != 3 || len(sum.Errors) != 0 {
		t.Fatalf("import: %d rows, %d created, %d rejected, errors %q; want 10, 7, 3, none", sum.Rows, sum.LeadsCreated, sum.RejectedCount, sum.Errors)
	}
	for _, r := range sum.Rejected {
		if r.File != file || (r.Line-2)%4 != 1 || !strings.Contains(r.Reason, "requires Technology Stack (CFhaloleadsTechnologyStack)") {
			t.Errorf("rejected %+v, want the rows without technologies (lines 3, 7, 11) naming Technology Stack", r)
		}
	}
	tickets := e.leadTickets()
	if len(tickets) != 7 {
		t.Errorf("sandbox holds %d lead tickets, want 7", len(tickets))
	}
	for _, tk := range tickets {
		detail := e.ticket(t, tk.ID())
		if e.customField(detail, "technology_stack") == "" || !strings.HasPrefix(customFieldByID(detail, int(industry[0].ID)), "Sector ") {
			t.Errorf("ticket %d: Technology Stack %q, Industry %q; want both filled from the lead", tk.ID(),
				e.customField(detail, "technology_stack"), customFieldByID(detail, int(industry[0].ID)))
		}
	}
	t.Logf("rejected: %+v", sum.Rejected[0])

	// Region, which haloleads does not fill, made mandatory after the worker read the set-up:
	// HaloPSA refuses the new ticket (the sandbox as HaloPSA does), the refusal names the lead
	// with HaloPSA's message, and the worker reads the ticket types' mandatory fields again (not
	// the whole set-up). The next import rejects the row before writing anything, naming the
	// field.
	defs, err := e.halo.SaveFieldInfos(ctx, []halopsa.FieldInfo{{Name: "CFRegion", Label: "Region", Usage: halopsa.FieldUsageTicket}})
	if err != nil {
		t.Fatal(err)
	}
	e.requireOnLeadType(t, halopsa.TicketTypeField{FieldID: defs[0].ID})
	b.Reset()
	b.WriteString("Apollo Contact Id,First Name,Last Name,Title,Company Name,Email,Email Status,Technologies,Industry\n")
	b.WriteString("n001,New,Person,Manager,New Firm Ltd,new.person@newfirm.example.com,Verified,Azure,Legal\n")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	e.sandbox.ResetStats()
	stale := run("region-stale")
	if stale.LeadsCreated != 0 || len(stale.Errors) != 1 || !strings.Contains(stale.Errors[0], "Please enter a value for Region") {
		t.Errorf("import with Region required unknown to the worker: %d created, errors %q; want HaloPSA's refusal of the ticket", stale.LeadsCreated, stale.Errors)
	}
	writes := e.halo.WriteRequests()
	sum = run("region")
	// Only the ticket types' details and the field definitions were read again after the
	// refusal, not the whole set-up (type list, statuses, lookups, lists, webhooks: about 12
	// requests).
	by := e.sandbox.Stats().ByRoute
	for _, route := range []string{"GET /api/TicketType", "GET /api/Status", "GET /api/Lookup", "GET /api/DistributionLists", "GET /api/Webhook"} {
		if by[route] != 0 {
			t.Errorf("the imports around the refusal: %d × %s, want the set-up not read again whole (%v)", by[route], route, by)
		}
	}
	if by["GET /api/TicketType/{id}"] != 3 || by["GET /api/FieldInfo"] != 1 {
		t.Errorf("the imports around the refusal read %d ticket types and the fields %d times, want 3 and 1 (%v)",
			by["GET /api/TicketType/{id}"], by["GET /api/FieldInfo"], by)
	}
	if sum.LeadsCreated != 0 || sum.RejectedCount != 1 || len(sum.Errors) != 0 || !strings.Contains(sum.Rejected[0].Reason, "Region (CFRegion)") {
		t.Errorf("re-import: %d created, rejected %+v, errors %q; want the row rejected naming Region", sum.LeadsCreated, sum.Rejected, sum.Errors)
	}
	if n := e.halo.WriteRequests() - writes; n != 0 {
		t.Errorf("re-import: %d writes to HaloPSA, want none", n)
	}
	t.Logf("HaloPSA's refusal: %q; then rejected: %s", stale.Errors, sum.Rejected[0].Reason)
}

// requireOnLeadType makes a field mandatory on new tickets of the Lead type, as an
// administrator does in HaloPSA: the entry of that field (added when missing) gets technew.
func (e *env) requireOnLeadType(t *testing.T, field halopsa.TicketTypeField) {
	t.Helper()
	ctx := context.Background()
	tt, err := e.halo.TicketType(ctx, e.tenant.TicketTypes[tenant.Lead])
	if err != nil {
		t.Fatal(err)
	}
	mandatory := halopsa.TechNewMandatory
	field.TechNew = &mandatory
	found := false
	for i, f := range tt.Fields {
		if f.FieldID == field.FieldID {
			tt.Fields[i], found = field, true
		}
	}
	if !found {
		tt.Fields = append(tt.Fields, field)
	}
	if _, err := e.halo.SaveTicketTypes(ctx, []halopsa.TicketType{tt}); err != nil {
		t.Fatal(err)
	}
}

// customFieldByID reads a custom field's value from a ticket's detail by FieldInfo id.
func customFieldByID(tk halosandbox.Record, id int) string {
	list, _ := tk["customfields"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && halosandbox.Record(m).ID() == id {
			return fmt.Sprint(m["value"])
		}
	}
	return ""
}
