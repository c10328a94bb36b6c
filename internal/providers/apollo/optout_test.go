package apollo_test

import (
	"context"
	"strings"
	"testing"

	"haloleads/internal/providers/contract"
)

func TestOptOutMovesTheContactAndLeavesSequences(t *testing.T) {
	t.Parallel()
	spec := contract.Open(t, "apollo/apollo-openapi.json")
	e := newEnv(t, 10, -1)
	p := e.sb.People()[1]
	if _, err := e.sb.SaveApolloContact(p.Email, "seq-spring", "seq-webinar"); err != nil {
		t.Fatal(err)
	}
	// Differently cased: Apollo's keyword search finds it all the same.
	res, err := e.client.OptOut(context.Background(), strings.ToUpper(p.Email))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := e.sb.ApolloContactOf(p.Email)
	if !ok || c.Stage() != "Do Not Contact" || len(c.Sequences) != 0 {
		t.Errorf("contact after the opt-out: %+v (stage %s), want Do Not Contact in no sequence", c, c.Stage())
	}
	if len(res.PersonIDs) != 1 || res.PersonIDs[0] != p.ApolloID {
		t.Errorf("person ids %v, want %s", res.PersonIDs, p.ApolloID)
	}
	if !strings.Contains(res.Outcome, "1 saved contact(s) moved to the Do Not Contact stage, removed from 2 sequence(s)") {
		t.Errorf("outcome %q", res.Outcome)
	}
	if len(e.sb.Writes()) != 2 {
		t.Errorf("writes = %+v, want the stage change and the sequence removal", e.sb.Writes())
	}
	// A person with no saved contact: nothing to do, said so.
	if res, err := e.client.OptOut(context.Background(), e.sb.People()[2].Email); err != nil || !strings.Contains(res.Outcome, "no saved contact") {
		t.Errorf("no contact: %q, %v", res.Outcome, err)
	}
	for _, v := range spec.Violations(e.rec.Calls()) {
		t.Error(v)
	}
}
