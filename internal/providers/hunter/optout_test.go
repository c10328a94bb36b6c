package hunter_test

import (
	"context"
	"strings"
	"testing"

	"haloleads/internal/providers/contract"
)

func TestOptOutDeletesTheLead(t *testing.T) {
	t.Parallel()
	spec := contract.Open(t, "hunter/hunter-leads-api-openapi.yml")
	e := newEnv(t, 10, 3)
	p, other := e.sb.People()[1], e.sb.People()[2]
	for _, email := range []string{p.Email, other.Email} {
		if _, err := e.sb.AddHunterLead(email); err != nil {
			t.Fatal(err)
		}
	}
	res, err := e.client.OptOut(context.Background(), p.Email)
	if err != nil || res.Outcome != "Hunter.io: 1 saved lead(s) deleted" {
		t.Fatalf("OptOut = %q, %v", res.Outcome, err)
	}
	leads := e.sb.HunterLeads()
	if len(leads) != 1 || leads[0].Email != other.Email {
		t.Errorf("leads left: %+v, want only the other person's", leads)
	}
	if res, err := e.client.OptOut(context.Background(), p.Email); err != nil || !strings.Contains(res.Outcome, "no saved lead") {
		t.Errorf("again: %q, %v", res.Outcome, err)
	}
	for _, v := range spec.Violations(e.rec.Calls()) {
		t.Error(v)
	}
	for _, c := range e.rec.Calls() {
		for _, p := range c.Params {
			if p == "api_key" {
				t.Errorf("%s sends the key in the URL", c.Path)
			}
		}
	}
}
