package dedupe_test

import (
	"fmt"

	"haloleads/internal/dedupe"
	"haloleads/internal/lead"
)

func ExampleResolve() {
	records := []lead.Record{
		{Source: lead.ZoomInfo, Values: lead.Values{lead.FirstName: "Robert", lead.LastName: "Smith",
			lead.Email: "Robert.Smith@acme.com", lead.JobTitle: "CTO"}},
		{Source: lead.Lusha, Values: lead.Values{lead.FirstName: "Bob", lead.LastName: "Smith",
			lead.Website: "https://www.acme.com", lead.PhoneMobile: "(415) 256-2671"}},
		{Source: lead.Apollo, Values: lead.Values{lead.FirstName: "Ada", lead.LastName: "Byron",
			lead.Email: "ada@analytical.org"}},
	}
	known := dedupe.MapIndex{"email:ada@analytical.org": "lead-ada"} // from our store
	res, err := dedupe.Resolve(records, known, dedupe.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range res.Leads {
		fmt.Println(l.ID, res.Members[l.ID], l.Values[lead.FirstName], l.Values[lead.PhoneMobile], l.Keys)
	}
	// Output:
	// lead-7b4a462d9c41eb8f [0 1] Robert +14152562671 [email:robert.smith@acme.com name:acme.com|robert smith]
	// lead-ada [2] Ada  [email:ada@analytical.org name:analytical.org|ada byron]
}

func ExampleCompanyKey() {
	fmt.Println(dedupe.CompanyKey(lead.Values{lead.Company: "Acme, Inc.", lead.Email: "jane@eu.acme.com"}))
	fmt.Println(dedupe.CompanyKey(lead.Values{lead.Company: "The Acme Corporation"}))
	// Output:
	// domain:acme.com
	// company:acme
}

func ExampleIdentityKeys() {
	fmt.Println(dedupe.IdentityKeys(lead.Values{lead.FirstName: "Bill", lead.LastName: "Gates",
		lead.Email: "Bill.Gates+x@GoogleMail.com", lead.Website: "microsoft.com"}))
	// Output:
	// [email:billgates@gmail.com name:microsoft.com|william gates]
}
