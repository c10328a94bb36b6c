package pipeline_test

import (
	"testing"

	"haloleads/internal/dedupe"
	"haloleads/internal/lead"
)

func TestZZScratch2(t *testing.T) {
	for _, p := range [][2]string{{"whitlock", "whitlam"}, {"whitlock", "whitlow"}, {"whitlock", "whitelaw"}, {"porter", "potter"}, {"whitlock", "witlock"}, {"harrington", "harrison"}, {"marsh", "march"}, {"lindqvist", "lindquist"}} {
		t.Logf("%v %.3f", p, dedupe.JaroWinkler(p[0], p[1]))
	}
	a := lead.Record{Source: lead.Apollo, Values: lead.Values{lead.FirstName: "Dana", lead.LastName: "Whitlock", lead.Email: "dana.whitlock@brindleoak.example.com", lead.Domain: "brindleoak.example.com", lead.Company: "Brindle & Oak Architects LLP", lead.JobTitle: "IT Manager", lead.PhoneDirect: "+1 612-555-0131"}}
	for _, b := range []lead.Values{
		{lead.FirstName: "Dana", lead.LastName: "Whitelaw", lead.Domain: "brindleoak.example.com", lead.Company: "Brindle & Oak", lead.JobTitle: "Facilities Lead", lead.PhoneDirect: "+1 612-555-0139"},
		{lead.FirstName: "Dana", lead.LastName: "Whitlam", lead.Domain: "brindleoak.example.com", lead.Company: "Brindle & Oak", lead.JobTitle: "Facilities Lead", lead.PhoneDirect: "+1 612-555-0139"},
	} {
		res, _ := dedupe.Resolve([]lead.Record{a, {Source: lead.UpLead, Values: b}}, nil, dedupe.Config{})
		t.Logf("%v leads=%d review=%+v", b, len(res.Leads), res.Review)
		for _, l := range res.Leads {
			t.Logf("  %s keys %v", l.ID, l.Keys)
		}
	}
}
