package landing

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"haloleads/internal/lead"
	"haloleads/internal/tenant"
)

func TestBuckets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    lead.Values
		emp  string
		rev  string
	}{
		{"empty", lead.Values{}, "", ""},
		{"small", lead.Values{lead.Employees: "10", lead.Revenue: "999999"}, "1-10", "Under $1M"},
		{"boundaries", lead.Values{lead.Employees: "11", lead.Revenue: "1000000"}, "11-50", "$1M-$5M"},
		{"range text", lead.Values{lead.EmployeeRange: "51-200", lead.Revenue: "25000000"}, "51-200", "$25M-$100M"},
		{"commas and plus", lead.Values{lead.EmployeeRange: "10,001+", lead.Revenue: "2000000000"}, "10001+", "Over $1B"},
		{"garbage", lead.Values{lead.Employees: "many", lead.Revenue: "n/a"}, "", ""},
		{"provider revenue range", lead.Values{lead.RevenueRange: "$10M - $50M"}, "", "$5M-$25M"},
		{"range with a trailing unit", lead.Values{lead.RevenueRange: "$10 - 50 million"}, "", "$5M-$25M"},
		{"billions", lead.Values{lead.RevenueRange: "$1B+"}, "", "Over $1B"},
		{"full numbers", lead.Values{lead.RevenueRange: "$5,000,000-$10,000,000"}, "", "$5M-$25M"},
		{"under", lead.Values{lead.RevenueRange: "Under $1M"}, "", "Under $1M"},
		{"thousands", lead.Values{lead.RevenueRange: "$500K-$1M"}, "", "Under $1M"},
		{"range words", lead.Values{lead.RevenueRange: "100 to 250 Million"}, "", "$100M-$500M"},
		{"number wins over range", lead.Values{lead.Revenue: "30000000", lead.RevenueRange: "$1M-$5M"}, "", "$25M-$100M"},
		{"range nonsense", lead.Values{lead.RevenueRange: "undisclosed"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := EmployeeBucket(tt.v); got != tt.emp {
				t.Errorf("EmployeeBucket = %q, want %q", got, tt.emp)
			}
			if got := RevenueBucket(tt.v); got != tt.rev {
				t.Errorf("RevenueBucket = %q, want %q", got, tt.rev)
			}
		})
	}
}

// TestDropdownValuesAreOptions checks that every value landing writes to a dropdown is one of the
// options tenant set-up creates: HaloPSA refuses any other.
func TestDropdownValuesAreOptions(t *testing.T) {
	t.Parallel()
	options := map[lead.Field]map[string]bool{}
	for _, f := range tenant.DefaultSpec().Fields {
		if len(f.Options) > 0 {
			options[lead.Field(f.Logical)] = map[string]bool{}
			for _, o := range f.Options {
				options[lead.Field(f.Logical)][o] = true
			}
		}
	}
	inputs := []lead.Values{
		{lead.ManagementLevel: "c_suite", lead.Department: "Information Technology", lead.LeadSource: "zoominfo; apollo"},
		{lead.JobTitle: "VP of Operations", lead.Department: "master_engineering_technical", lead.LeadSource: "hunter"},
		{lead.ManagementLevel: "Manager-Level", lead.Department: "Procurement", lead.LeadSource: "lusha"},
		{lead.JobTitle: "Founder & CEO", lead.Department: "Human Resources", lead.LeadSource: "uplead"},
		{lead.JobTitle: "Intern", lead.Department: "sales", lead.Employees: "7", lead.Revenue: "5000000"},
	}
	for _, v := range inputs {
		for f, opts := range options {
			if got := TicketValue(f, v); got != "" && !opts[got] {
				t.Errorf("%s value %q from %v is not an option", f, got, v)
			}
		}
	}
}

func TestUserRoundTrip(t *testing.T) {
	t.Parallel()
	v := lead.Values{lead.FirstName: "Ada", lead.LastName: "Lovelace", lead.Email: "ada@example.com",
		lead.PhoneDirect: "+441632960001", lead.PhoneMobile: "+447700900001", lead.JobTitle: "CTO"}
	u := User(0, 1, 2, v)
	if u.Name != "Ada Lovelace" || int(u.ClientID) != 1 || int(u.SiteID) != 2 {
		t.Fatalf("user = %+v", u)
	}
	back := UserValues(u)
	for _, f := range v.SortedFields() {
		if back[f] != v[f] {
			t.Errorf("%s read back as %q, want %q", f, back[f], v[f])
		}
	}
	if u := User(0, 1, 2, lead.Values{lead.Email: "info@example.com"}); u.Name != "info@example.com" {
		t.Errorf("address-only user named %q", u.Name)
	}
	if _, ok := UserUpdate(3, lead.Values{lead.TechnologyStack: "x"}); ok {
		t.Error("a ticket-only change made a user update")
	}
}

func TestTicketFieldValues(t *testing.T) {
	t.Parallel()
	v := lead.Values{lead.LeadSource: "apollo", lead.HQCity: "Leeds", lead.HQCountry: "United Kingdom",
		lead.EmailOptOut: "true", lead.FoundedYear: "1999"}
	got := TicketFieldValues(v, 80, 65)
	if got[string(lead.LeadSource)] != "Apollo.io" || got[tenant.FieldHQLocation] != "Leeds, United Kingdom" ||
		got[string(lead.DoNotContact)] != true || got[tenant.FieldFitScore] != 65 || got[string(lead.FoundedYear)] != "1999" {
		t.Fatalf("ticket fields = %v", got)
	}
	if s := Summary(v); s != "" {
		t.Errorf("summary of a nameless, companyless lead = %q", s)
	}
}

func FuzzRevenueLow(f *testing.F) {
	for _, s := range []string{"$10M - $50M", "$1B+", "Under $1M", "$10 - 50 million", "1,2,3", "m", "9999999999999999999999b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n := revenueLow(s); n < 0 {
			t.Errorf("revenueLow(%q) = %d", s, n)
		}
		RevenueBucket(lead.Values{lead.RevenueRange: s})
	})
}

func TestTooLong(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		v    lead.Values
		want []string
	}{
		{"ordinary", lead.Values{lead.FirstName: "Dana", lead.LastName: "Okafor", lead.JobTitle: "CRO", lead.Company: "Bright Kettle"}, nil},
		{"at the limits", lead.Values{lead.FirstName: long(100), lead.JobTitle: long(255), lead.PhoneMobile: long(50)}, nil},
		{"title past the limit", lead.Values{lead.FirstName: "Dana", lead.JobTitle: long(300)},
			[]string{"job title is 300 characters long, HaloPSA takes at most 255"}},
		{"characters, not bytes", lead.Values{lead.FirstName: strings.Repeat("é", 100)}, nil},
		{"name and company", lead.Values{lead.LastName: long(101), lead.Company: long(256)},
			[]string{"last name is 101 characters long, HaloPSA takes at most 100", "company name is 256 characters long, HaloPSA takes at most 255"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := TooLong(tt.v); !slices.Equal(got, tt.want) {
				t.Errorf("TooLong = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSummaryFitsHaloPSA(t *testing.T) {
	t.Parallel()
	s := Summary(lead.Values{lead.FirstName: "Dana", lead.LastName: "Okafor", lead.Company: strings.Repeat("é", 300)})
	if n := utf8.RuneCountInString(s); n != 255 || !strings.HasPrefix(s, "Dana Okafor - é") || !strings.HasSuffix(s, "…") {
		t.Errorf("Summary of a long company is %d characters: %q", n, s)
	}
	if s := Summary(lead.Values{lead.FirstName: "Dana", lead.Company: "Acme"}); s != "Dana - Acme" {
		t.Errorf("Summary = %q", s)
	}
}
