package dedupe

import (
	"testing"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

func keysOf(kv ...string) normalize.Keys {
	v := lead.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v[lead.Field(kv[i])] = kv[i+1]
	}
	return normalize.KeysOf(v)
}

func TestCompare(t *testing.T) {
	t.Parallel()
	rare := func(string) int { return 2 }
	busy := func(string) int { return 40 }
	tests := []struct {
		name  string
		a, b  normalize.Keys
		freq  func(string) int
		min   float64 // weight at least
		max   float64 // weight at most
		guard string
	}{
		{"same email and name", keysOf("email", "a.b@x.com", "first_name", "Al", "last_name", "B"),
			keysOf("email", "A.B@X.com", "first_name", "Al", "last_name", "B"), rare, 38, 38, ""}, // the address gives the domain too
		{"same email overrides name change", keysOf("email", "a.b@x.com", "first_name", "Ann", "last_name", "Bell"),
			keysOf("email", "a.b@x.com", "first_name", "Ann", "last_name", "Jones"), rare, 32, 32, ""},
		{"nickname at one domain", keysOf("first_name", "Bob", "last_name", "Smith", "website", "x.com"),
			keysOf("first_name", "Robert", "last_name", "Smith", "domain", "x.com"), rare, 17.5, 17.5, ""},
		{"rare shared mobile", keysOf("first_name", "Ann", "last_name", "Lee", "phone_mobile", "+14152562671"),
			keysOf("first_name", "Ann", "last_name", "Lee", "phone_mobile", "+1 415 256 2671"), rare, 16, 16, ""},
		{"switchboard weighs nothing", keysOf("first_name", "Ann", "last_name", "Lee", "phone_direct", "+14152562671"),
			keysOf("first_name", "Ann", "last_name", "Lee", "phone_direct", "+14152562671"), busy, 10, 10, ""},
		{"different first names", keysOf("first_name", "Anna", "last_name", "Berg"),
			keysOf("first_name", "Anne", "last_name", "Berg"), rare, -100, 100, guardFirstName},
		{"initial is compatible", keysOf("first_name", "R.", "last_name", "Smith"),
			keysOf("first_name", "Robert", "last_name", "Smith"), rare, 7, 7, ""},
		{"different last names", keysOf("first_name", "Ann", "last_name", "Berg"),
			keysOf("first_name", "Ann", "last_name", "Jones"), rare, -100, 100, guardLastName},
		{"double-barrelled last name", keysOf("first_name", "Ana", "last_name", "Garcia Lopez"),
			keysOf("first_name", "Ana", "last_name", "Garcia"), rare, 7, 7, ""},
		{"different domains", keysOf("first_name", "Ann", "last_name", "Lee", "website", "x.com"),
			keysOf("first_name", "Ann", "last_name", "Lee", "website", "y.com"), rare, -100, 100, guardCompany},
		{"two work addresses", keysOf("email", "ann@x.com"), keysOf("email", "alee@x.com"), rare, -100, 100, guardWorkEmails},
		{"work and personal addresses", keysOf("email", "ann@x.com"), keysOf("email", "ann@gmail.com"), rare, -3.3, -3.3, ""},
		{"different LinkedIn", keysOf("linkedin_url", "linkedin.com/in/a"), keysOf("linkedin_url", "linkedin.com/in/b"), rare, -100, 100, guardLinkedIn},
		{"company name without domain", keysOf("company", "Acme Inc", "last_name", "Lee"),
			keysOf("company", "ACME", "last_name", "Lee"), rare, 13, 13, ""},
		{"domain spells company", keysOf("company", "Acme Tools", "last_name", "Lee"),
			keysOf("website", "acme-tools.com", "last_name", "Lee"), rare, 9, 9, ""},
		{"titles", keysOf("job_title", "VP Sales"), keysOf("job_title", "Vice President of Sales"), rare, 1, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, pair := range [][2]*normalize.Keys{{&tt.a, &tt.b}, {&tt.b, &tt.a}} {
				c := compare(pair[0], pair[1], tt.freq, true)
				if c.guard != tt.guard || c.weight < tt.min-1e-9 || c.weight > tt.max+1e-9 {
					t.Errorf("compare = %.2f guard %q (%v); want %.2f..%.2f guard %q", c.weight, c.guard, c.notes, tt.min, tt.max, tt.guard)
				}
			}
		})
	}
}

func BenchmarkCompare(b *testing.B) {
	x := keysOf("first_name", "Katherine", "last_name", "Smyth", "email", "k.smyth@acme.com", "website", "acme.com",
		"phone_direct", "+14152562671", "job_title", "VP Sales")
	y := keysOf("first_name", "Catherine", "last_name", "Smith", "email", "kate@gmail.com", "company", "Acme",
		"phone_mobile", "+14152562672", "job_title", "Vice President, Sales")
	freq := func(string) int { return 1 }
	for b.Loop() {
		compare(&x, &y, freq, false)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

func TestCompareJobChange(t *testing.T) {
	t.Parallel()
	oldJob := keysOf("first_name", "Ann", "last_name", "Lee", "email", "ann.lee@gmail.com", "website", "old.com")
	newJob := keysOf("first_name", "Ann", "last_name", "Lee", "email", "ann.lee@gmail.com", "website", "new.com")
	if c := compare(&oldJob, &newJob, func(string) int { return 1 }, false); c.guard != guardCompany {
		t.Errorf("a personal address shared across two employers: guard %q, want %q", c.guard, guardCompany)
	}
	a := keysOf("first_name", "Ann", "last_name", "Lee", "email", "ann.lee@new.com", "website", "old.com")
	b := keysOf("first_name", "Ann", "last_name", "Lee", "email", "ann.lee@new.com", "website", "new.com")
	if c := compare(&a, &b, func(string) int { return 1 }, false); c.guard != "" {
		t.Errorf("one work address with a stale website: guard %q, want none", c.guard)
	}
}
