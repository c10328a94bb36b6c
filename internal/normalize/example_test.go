package normalize_test

import (
	"fmt"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

func ExampleRecord() {
	r := normalize.Record(lead.Record{Values: lead.Values{
		lead.FirstName: " JANE ", lead.Email: "Jane.Doe@Acme.co.uk", lead.PhoneDirect: "020 7946 0958 x12",
		lead.PersonCountry: "United Kingdom", lead.DoNotCall: "Yes",
	}})
	for _, f := range r.Values.SortedFields() {
		fmt.Printf("%s: %s\n", f, r.Values[f])
	}
	// Output:
	// first_name: Jane
	// email: jane.doe@acme.co.uk
	// phone_direct: +442079460958 ext. 12
	// person_country: United Kingdom
	// domain: acme.co.uk
	// do_not_call: true
}

func ExampleParseEmail() {
	e, _ := normalize.ParseEmail("J.Doe+crm@GoogleMail.com")
	fmt.Println(e.Address, e.Key, e.Free, e.Role)
	// Output: J.Doe+crm@GoogleMail.com jdoe@gmail.com true false
}

func ExampleCompanyKey() {
	fmt.Println(normalize.CompanyKey("Müller GmbH & Co. KG"), "|", normalize.CompanyKey("Smith & Sons, Ltd."))
	// Output: muller | smith and sons
}
