package score

import (
	"testing"

	"haloleads/internal/golden"
	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// full is a complete, verified lead; with returns it with some fields changed ("" removes one).
var full = lead.Values{
	lead.Email: "dana.okafor@brightkettle.com", lead.EmailStatus: "valid",
	lead.PhoneDirect: "+15122560143", lead.FirstName: "Dana", lead.LastName: "Okafor",
	lead.Company: "Bright Kettle", lead.Website: "brightkettle.com", lead.JobTitle: "CRO",
}

func with(changes lead.Values) lead.Values {
	v := lead.Values{}
	for f, x := range full {
		v[f] = x
	}
	for f, x := range changes {
		if x == "" {
			delete(v, f)
		} else {
			v[f] = x
		}
	}
	return v
}

// TestQualityDoc checks the design doc's formula item by item: each case removes or spoils one
// item, so the score is 100 minus that item's points (30, 25, 20, 15, 10), with no partial
// credit. The cases and scores are in testdata/quality_doc.json.
func TestQualityDoc(t *testing.T) {
	t.Parallel()
	cases := []struct {
		Name   string      `json:"name"`
		Values lead.Values `json:"values"`
		Score  int         `json:"score"`
	}{
		{Name: "complete", Values: full},
		{Name: "email without verification status (doc: syntax only)", Values: with(lead.Values{lead.EmailStatus: ""})},
		{Name: "email accept_all", Values: with(lead.Values{lead.EmailStatus: "accept_all"})},
		{Name: "email guessed", Values: with(lead.Values{lead.EmailStatus: "guessed"})},
		{Name: "role address", Values: with(lead.Values{lead.Email: "info@brightkettle.com"})},
		{Name: "internationalised local part (RFC 6531)", Values: with(lead.Values{lead.Email: "josé.garcía@brightkettle.com"})},
		{Name: "email verified invalid", Values: with(lead.Values{lead.EmailStatus: "invalid"})},
		{Name: "email bad syntax", Values: with(lead.Values{lead.Email: "dana(at)brightkettle.com"})},
		{Name: "no email", Values: with(lead.Values{lead.Email: "", lead.EmailStatus: ""})},
		{Name: "no phone", Values: with(lead.Values{lead.PhoneDirect: ""})},
		{Name: "mobile only", Values: with(lead.Values{lead.PhoneDirect: "", lead.PhoneMobile: "(512) 256-0199"})},
		{Name: "switchboard only", Values: with(lead.Values{lead.PhoneDirect: "", lead.PhoneCompany: "+15122560100"})},
		{Name: "invalid phone", Values: with(lead.Values{lead.PhoneDirect: "+1 000 000"})},
		{Name: "first name only", Values: with(lead.Values{lead.LastName: ""})},
		{Name: "company without website", Values: with(lead.Values{lead.Website: ""})},
		{Name: "domain stands for website", Values: with(lead.Values{lead.Website: "", lead.Domain: "brightkettle.com"})},
		{Name: "website without company", Values: with(lead.Values{lead.Company: ""})},
		{Name: "no title", Values: with(lead.Values{lead.JobTitle: " "})},
		{Name: "name and email only", Values: lead.Values{lead.FirstName: "Dana", lead.LastName: "Okafor", lead.Email: "dana@brightkettle.com"}},
		{Name: "empty", Values: lead.Values{}},
	}
	for i := range cases {
		cases[i].Score = Quality(cases[i].Values)
		if m := QualityBy(QualityDoc, cases[i].Values, nil); m != cases[i].Score {
			t.Errorf("%s: QualityBy(doc) = %d, Quality = %d", cases[i].Name, m, cases[i].Score)
		}
	}
	golden.JSON(t, "quality_doc.json", cases)
}

func TestParseQualityModel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]QualityModel{"": QualityDoc, "doc": QualityDoc, " Detailed ": QualityDetailed} {
		if got, err := ParseQualityModel(in); err != nil || got != want {
			t.Errorf("ParseQualityModel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseQualityModel("fancy"); err == nil {
		t.Error("ParseQualityModel(fancy) accepted")
	}
}

// TestQualityDetailed checks the "detailed" model's partial credits.
func TestQualityDetailed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    lead.Values
		want int
	}{
		{"complete and verified", full, 100},
		{"empty", lead.Values{}, 0},
		{"email accept_all", with(lead.Values{lead.EmailStatus: "accept_all"}), 92},
		{"email unverified", with(lead.Values{lead.EmailStatus: ""}), 90},
		{"email verified (Apollo wording)", with(lead.Values{lead.EmailStatus: "verified"}), 100},
		{"email guessed", with(lead.Values{lead.EmailStatus: "guessed"}), 85},
		{"email invalid", with(lead.Values{lead.EmailStatus: "invalid"}), 70},
		{"email bad syntax", with(lead.Values{lead.Email: "dana@"}), 70},
		{"role address", with(lead.Values{lead.Email: "info@brightkettle.com"}), 85},
		{"no phone", with(lead.Values{lead.PhoneDirect: ""}), 75},
		{"mobile only", with(lead.Values{lead.PhoneDirect: "", lead.PhoneMobile: "(512) 256-0199"}), 100},
		{"switchboard only", with(lead.Values{lead.PhoneDirect: "", lead.PhoneCompany: "+15122560100"}), 90},
		{"invalid phone", with(lead.Values{lead.PhoneDirect: "+1 000 000"}), 80},
		{"UK number in national form", with(lead.Values{lead.PhoneDirect: "020 7946 0958", lead.PersonCountry: "UK"}), 100},
		{"first name only", with(lead.Values{lead.LastName: ""}), 90},
		{"no name", with(lead.Values{lead.LastName: "", lead.FirstName: ""}), 80},
		{"company without website", with(lead.Values{lead.Website: ""}), 93},
		{"domain stands for website", with(lead.Values{lead.Website: "", lead.Domain: "brightkettle.com"}), 100},
		{"no company data", with(lead.Values{lead.Website: "", lead.Company: ""}), 85},
		{"no title", with(lead.Values{lead.JobTitle: " "}), 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := QualityDetailedWith(tt.v, normalize.ParsePhone); got != tt.want {
				t.Errorf("QualityDetailedWith = %d, want %d", got, tt.want)
			}
		})
	}
}

func BenchmarkQuality(b *testing.B) {
	v := lead.Values{lead.Email: "dana@brightkettle.com", lead.EmailStatus: "valid", lead.PhoneDirect: "+15122560143",
		lead.FirstName: "Dana", lead.LastName: "Okafor", lead.Company: "Bright Kettle", lead.JobTitle: "CRO"}
	for b.Loop() {
		Quality(v)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}
