package uplead_test

import (
	"testing"

	"haloleads/internal/providers/uplead"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"data":{"id":"p_1","email":"i@t.example.com","first_name":"I","management_level":"D"},"availableCredits":99}`))
	f.Add([]byte(`{"data":{"company_name":"T","domain":"t.example.com","year_founded":1999,"sic_code":"x"},"availableCredits":"9"}`))
	f.Add([]byte(`{"data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		person, _, err := uplead.ParsePerson(body)
		if person != nil && (err != nil || person["UpLead ID"]+person["Email"] == "") {
			t.Fatalf("person %v (error %v) has neither id nor email", person, err)
		}
		company, _, err := uplead.ParseCompany(body)
		if company != nil && (err != nil || company["Domain"] == "") {
			t.Fatalf("company %v (error %v) has no domain", company, err)
		}
	})
}
