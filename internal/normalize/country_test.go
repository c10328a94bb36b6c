package normalize

import "testing"

func TestRegion(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"US": "US", "us": "US", "USA": "US", "U.S.A.": "US", "United States": "US",
		"united states of america": "US", "UK": "GB", "GB": "GB", "GBR": "GB", "United Kingdom": "GB",
		"England": "GB", "Germany": "DE", "Deutschland": "DE", "DEU": "DE", "France": "FR",
		"The Netherlands": "NL", "Netherlands": "NL", "Côte d’Ivoire": "CI", "Ivory Coast": "CI",
		"South Korea": "KR", "Czechia": "CZ", "Czech Republic": "CZ", "826": "GB", "  Canada ": "CA",
		"Australia": "AU", "": "", "Atlantis": "", "XX": "", "EU": "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := Region(in); got != want {
				t.Errorf("Region(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func FuzzRegion(f *testing.F) {
	for _, s := range []string{"US", "United Kingdom", "deu", "826", "Côte d’Ivoire"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Region(s)
		if r != "" && Region(r) != r {
			t.Errorf("Region(%q) = %q, but Region(%q) = %q", s, r, r, Region(r))
		}
	})
}
