package tenant

import (
	"context"
	"errors"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// newSandbox starts a fresh HaloPSA sandbox and returns it with a client.
func newSandbox(t *testing.T, opts halosandbox.Options) (*halosandbox.Server, *halopsa.Client) {
	t.Helper()
	sb, err := halosandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := halopsa.New(halopsa.Config{BaseURL: srv.URL, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret, Tenant: halosandbox.DefaultTenant})
	if err != nil {
		t.Fatal(err)
	}
	return sb, c
}

func testSpec() Spec {
	s := DefaultSpec()
	s.Webhook = &Webhook{Name: "haloleads", URL: "https://leads.example/webhooks/halo", Username: "halo",
		Password: "correct-horse-battery-staple", Events: DefaultWebhookEvents}
	return s
}

func TestApplyIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, firstOnly := range []bool{false, true} {
		t.Run(map[bool]string{false: "whole array answers", true: "first object answers"}[firstOnly], func(t *testing.T) {
			t.Parallel()
			_, c := newSandbox(t, halosandbox.Options{FirstObjectOnly: firstOnly})
			ctx := context.Background()
			spec := testSpec()
			first, err := Apply(ctx, c, spec)
			if err != nil {
				t.Fatalf("first Apply: %v", err)
			}
			checkResult(t, spec, first)
			second, err := Apply(ctx, c, spec)
			if err != nil {
				t.Fatalf("second Apply: %v", err)
			}
			if second.Writes != 0 {
				t.Errorf("second Apply made %d write requests, want 0", second.Writes)
			}
			if !equalResults(first, second) {
				t.Errorf("second Apply resolved other ids:\n%+v\n%+v", first, second)
			}
			d, err := Plan(ctx, c, spec)
			if err != nil || !d.Empty() {
				t.Fatalf("Plan after Apply = %v, %v; want no drift", d, err)
			}
			t.Logf("first Apply: %d writes, %d requests in all", first.Writes, c.Requests())
		})
	}
}

// checkResult checks that every id the spec needs was resolved.
func checkResult(t *testing.T, s Spec, r Result) {
	t.Helper()
	for _, tt := range s.TicketTypes {
		if r.TicketTypes[tt.Key] == 0 {
			t.Errorf("no id for ticket type %s", tt.Key)
		}
		for _, st := range tt.Statuses {
			if id, ok := r.StatusID(tt.Key, st); !ok || id == 0 {
				t.Errorf("no id for status %s/%s", tt.Key, st)
			}
		}
	}
	for _, f := range s.Fields {
		if r.Fields[f.Logical] == 0 {
			t.Errorf("no id for field %s", f.Logical)
		}
		for _, o := range f.options() {
			if r.Options[f.Logical][o] == 0 {
				t.Errorf("no id for option %s/%s", f.Logical, o)
			}
		}
	}
	for _, x := range append(append([]string{}, s.Tags...), s.Lists...) {
		if r.Tags[x] == 0 && r.Lists[x] == 0 {
			t.Errorf("no id for %q", x)
		}
	}
	if r.WebhookID == "" {
		t.Error("no webhook id")
	}
}

func equalResults(a, b Result) bool {
	a.Writes, b.Writes = 0, 0
	return strings.EqualFold(strings.TrimSpace(fmtResult(a)), strings.TrimSpace(fmtResult(b)))
}

func fmtResult(r Result) string {
	var b strings.Builder
	for _, m := range []map[string]halopsa.ID{r.TicketTypes, r.Fields, r.Tags, r.Lists} {
		for _, k := range sortedKeys(m) {
			b.WriteString(k + "=" + itoa(m[k]) + "\n")
		}
	}
	for _, mm := range []map[string]map[string]halopsa.ID{r.Statuses, r.Options} {
		for _, k := range sortedKeys(mm) {
			for _, k2 := range sortedKeys(mm[k]) {
				b.WriteString(k + "/" + k2 + "=" + itoa(mm[k][k2]) + "\n")
			}
		}
	}
	return b.String() + r.WebhookID
}

func TestPlanOfAFreshTenant(t *testing.T) {
	t.Parallel()
	_, c := newSandbox(t, halosandbox.Options{})
	d, err := Plan(context.Background(), c, testSpec())
	if err != nil {
		t.Fatal(err)
	}
	if c.WriteRequests() != 0 {
		t.Errorf("Plan made %d write requests", c.WriteRequests())
	}
	golden(t, "fresh.plan.golden", d.String())
	if strings.Contains(d.String(), "correct-horse") || strings.Contains(d.String(), "leads.example") {
		t.Error("the plan prints a secret or the webhook URL")
	}
}

func TestPlanReportsDriftAndApplyRepairsIt(t *testing.T) {
	t.Parallel()
	_, c := newSandbox(t, halosandbox.Options{})
	ctx := context.Background()
	spec := testSpec()
	r, err := Apply(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	// An administrator trims the Lead type's statuses and points the webhook elsewhere.
	lead := r.TicketTypes[Lead]
	if _, err := c.SaveTicketTypes(ctx, []halopsa.TicketType{{ID: lead,
		AllowedStatus: []halopsa.TicketTypeStatus{{StatusID: r.Statuses[Lead]["New Lead"]}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SaveWebhook(ctx, halopsa.Webhook{ID: r.WebhookID, Name: "haloleads", URL: "https://elsewhere.example/x"}); err != nil {
		t.Fatal(err)
	}
	d, err := Plan(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "drift.plan.golden", d.String())
	repaired, err := Apply(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	if repaired.Writes != 2 {
		t.Errorf("repair made %d writes, want 2 (one ticket type batch, one webhook)", repaired.Writes)
	}
	if d, err := Plan(ctx, c, spec); err != nil || !d.Empty() {
		t.Errorf("Plan after repair = %v, %v", d, err)
	}
}

func TestConflictingFieldStopsSetUp(t *testing.T) {
	t.Parallel()
	_, c := newSandbox(t, halosandbox.Options{})
	ctx := context.Background()
	if _, err := c.SaveFieldInfos(ctx, []halopsa.FieldInfo{{Name: "CFhaloleadsFitScore", Type: halopsa.FieldTypeDate,
		Usage: halopsa.FieldUsageTicket}}); err != nil {
		t.Fatal(err)
	}
	writes := c.WriteRequests()
	for name, run := range map[string]func() error{
		"Plan":  func() error { _, err := Plan(ctx, c, testSpec()); return err },
		"Apply": func() error { _, err := Apply(ctx, c, testSpec()); return err },
	} {
		if err := run(); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "CFhaloleadsFitScore") {
			t.Errorf("%s: err = %v, want ErrConflict naming the field", name, err)
		}
	}
	if c.WriteRequests() != writes {
		t.Errorf("set-up wrote %d requests despite the conflict", c.WriteRequests()-writes)
	}
}

// TestResultDrivesCustomFieldWrites writes a lead ticket and a user with every custom field
// through halopsa.Fields, as the import does, and reads the values back.
func TestResultDrivesCustomFieldWrites(t *testing.T) {
	t.Parallel()
	_, c := newSandbox(t, halosandbox.Options{})
	ctx := context.Background()
	spec := testSpec()
	r, err := Apply(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	cfs, err := c.Fields(spec.FieldMap(halopsa.FieldUsageTicket)).Build(ctx, map[string]any{
		string(lead.LeadSource): "Apollo.io", string(lead.DoNotContact): true, FieldFitScore: 87,
		string(lead.EmployeeRange): "51-200", FieldExpectedCloseDate: "2026-12-31T00:00:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	cu, err := c.SaveCustomers(ctx, []halopsa.Customer{{Name: "Acme"}})
	if err != nil {
		t.Fatal(err)
	}
	tickets, err := c.SaveTickets(ctx, []halopsa.Ticket{{Summary: "Jane Doe - Acme", TicketTypeID: r.TicketTypes[Lead],
		StatusID: r.Statuses[Lead]["New Lead"], ClientID: cu[0].ID, CustomFields: cfs}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Ticket(ctx, tickets[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	values, err := c.Fields(spec.FieldMap(halopsa.FieldUsageTicket)).Read(ctx, got.CustomFields)
	if err != nil {
		t.Fatal(err)
	}
	if values[string(lead.LeadSource)] != "Apollo.io" || values[string(lead.DoNotContact)] != "Yes" ||
		values[string(lead.EmployeeRange)] != "51-200" {
		t.Errorf("read back %v", values)
	}
	if len(spec.FieldMap(halopsa.FieldUsageUser)) != 1 {
		t.Errorf("user field map = %v", spec.FieldMap(halopsa.FieldUsageUser))
	}
}

func TestEnsureTags(t *testing.T) {
	t.Parallel()
	_, c := newSandbox(t, halosandbox.Options{})
	ctx := context.Background()
	r, err := Apply(ctx, c, testSpec())
	if err != nil {
		t.Fatal(err)
	}
	before := c.Requests()
	known, err := EnsureTags(ctx, c, r.Tags, []string{"hot", "cold"})
	if err != nil || c.Requests() != before || known["hot"] != r.Tags["hot"] {
		t.Fatalf("known tags cost %d requests: %v", c.Requests()-before, err)
	}
	got, err := EnsureTags(ctx, c, r.Tags, []string{"industry:healthcare", "Industry:Healthcare", "industry:legal", "hot"})
	if err != nil {
		t.Fatal(err)
	}
	if got["industry:healthcare"] == 0 || got["industry:legal"] == 0 || c.WriteRequests()-r.Writes != 1 {
		t.Fatalf("got %v after %d writes", got, c.WriteRequests()-r.Writes)
	}
	again, err := EnsureTags(ctx, c, nil, []string{"industry:legal"})
	if err != nil || again["industry:legal"] != got["industry:legal"] || c.WriteRequests()-r.Writes != 1 {
		t.Fatalf("second EnsureTags created again: %v %v", again, err)
	}
}

func TestSpecValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*Spec)
		want string // "" for valid
	}{
		{"default", func(*Spec) {}, ""},
		{"renamed types", func(s *Spec) { s.TicketTypes[0].Name = "Sales Lead" }, ""},
		{"status shared by two types", func(s *Spec) { s.TicketTypes[1].Statuses[0] = "new lead" }, `status "new lead" appears twice`},
		{"type without statuses", func(s *Spec) { s.TicketTypes[2].Statuses = nil }, "has no statuses"},
		{"field without CF prefix", func(s *Spec) { s.Fields[0].Name = "LeadSource" }, "start with CF"},
		{"dropdown without options", func(s *Spec) { s.Fields[0].Options = nil }, "has no options"},
		{"field on unknown type", func(s *Spec) { s.Fields[0].Types = []string{"deal"} }, `unknown ticket type "deal"`},
		{"short webhook password", func(s *Spec) { s.Webhook.Password = "pw" }, "at least 16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := testSpec()
			tc.edit(&s)
			err := s.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSpec) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s--- want\n%s", name, got, want)
	}
}
