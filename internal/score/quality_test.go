package score

import (
	"testing"

	"haloleads/internal/lead"
)

func TestQuality(t *testing.T) {
	t.Parallel()
	full := lead.Values{
		lead.Email: "dana.okafor@brightkettle.com", lead.EmailStatus: "valid",
		lead.PhoneDirect: "+15122560143", lead.FirstName: "Dana", lead.LastName: "Okafor",
		lead.Company: "Bright Kettle", lead.Website: "brightkettle.com", lead.JobTitle: "CRO",
	}
	with := func(changes lead.Values) lead.Values {
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
			if got := Quality(tt.v); got != tt.want {
				t.Errorf("Quality = %d, want %d", got, tt.want)
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
