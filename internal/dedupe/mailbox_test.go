package dedupe

import (
	"testing"

	"haloleads/internal/lead"
)

// TestRoleMailbox: the same role mailbox listed by two providers with no person named is one
// lead; a named person writing from a role address is not merged with the mailbox.
func TestRoleMailbox(t *testing.T) {
	t.Parallel()
	rec := func(src lead.Source, v lead.Values) lead.Record { return lead.Record{Source: src, Values: v} }
	records := []lead.Record{
		rec(lead.Hunter, lead.Values{lead.Email: "info@quarryline.example.com", lead.Company: "Quarryline Partners"}),
		rec(lead.Hunter, lead.Values{lead.Email: "INFO@quarryline.example.com"}),
		rec(lead.Apollo, lead.Values{lead.Email: "info@quarryline.example.com", lead.FirstName: "Dana", lead.LastName: "Reyes",
			lead.Company: "Quarryline Partners"}),
	}
	res, err := Resolve(records, nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Leads) != 2 {
		t.Fatalf("got %d leads, want 2 (the mailbox and Dana): %+v", len(res.Leads), res.Leads)
	}
	again, _ := Resolve(records, nil, Config{})
	if again.Leads[0].ID != res.Leads[0].ID || again.Leads[1].ID != res.Leads[1].ID {
		t.Fatal("mailbox lead IDs are not stable")
	}
}
