package suppress

import (
	"slices"
	"testing"

	"haloleads/internal/lead"
)

func TestKeys(t *testing.T) {
	t.Parallel()
	jane := lead.Values{lead.FirstName: "Jane", lead.LastName: "Doe", lead.Email: "jane.doe@acme.example",
		lead.PhoneDirect: "+1 415 555 0123", lead.PhoneMobile: "+1 (415) 555-0199", lead.Company: "Acme",
		lead.LinkedIn: "https://www.linkedin.com/in/jane-doe-123/"}
	janeKeys := []string{"email:jane.doe@acme.example", "linkedin:jane-doe-123", "name:acme.example|jane doe",
		"phone:+14155550123", "phone:+14155550199"}
	tests := []struct {
		name string
		v    lead.Values
		opts Options
		want []string
	}{
		{"every key of a person", jane, Options{}, janeKeys},
		{"differently cased and formatted: the same keys", lead.Values{lead.FirstName: "JANE", lead.LastName: "doe",
			lead.Email: "Jane.Doe@ACME.example", lead.PhoneDirect: "(415) 555-0123", lead.PhoneMobile: "415.555.0199",
			lead.PersonCountry: "United States", lead.LinkedIn: "linkedin.com/in/Jane-Doe-123?trk=x"}, Options{}, janeKeys},
		{"with the domain", jane, Options{Domain: true}, append([]string{"domain:acme.example"}, janeKeys...)},
		{"no domain for free mail", lead.Values{lead.Email: "jane@gmail.com"}, Options{Domain: true}, []string{"email:jane@gmail.com"}},
		{"Gmail dots and tags", lead.Values{lead.Email: "J.a.n.e+news@googlemail.com"}, Options{}, []string{"email:jane@gmail.com"}},
		{"nothing usable", lead.Values{lead.Email: "not an address", lead.PhoneDirect: "12"}, Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Keys(tt.v, tt.opts)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("Keys = %q, want %q", got, want)
			}
		})
	}
}

func TestHasher(t *testing.T) {
	t.Parallel()
	if _, err := NewHasher([]byte("short")); err != ErrShortSecret {
		t.Fatalf("short secret: %v", err)
	}
	a, _ := NewHasher([]byte("0123456789abcdef"))
	b, _ := NewHasher([]byte("0123456789abcdeF"))
	k := "email:jane.doe@acme.example"
	if a.Hash(k) != a.Hash(k) || a.Hash(k) == b.Hash(k) || a.Hash(k) == a.Hash(k+" ") {
		t.Error("the hash must depend on the key and the secret only")
	}
	if !IsDigest(a.Hash(k)) || IsDigest(k) || a.Fingerprint() == b.Fingerprint() {
		t.Error("digest form or fingerprint wrong")
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{"email:a@b.example": "email", "name:a.example|x y": "name", "nokind": ""} {
		if got := KindOf(key); got != want {
			t.Errorf("KindOf(%q) = %q, want %q", key, got, want)
		}
	}
}

// FuzzKeys checks that any values give keys with a kind, sorted and unique, and that keys do
// not depend on how the e-mail address is cased.
func FuzzKeys(f *testing.F) {
	f.Add("Jane.Doe@Acme.example", "+1 415 555 0123", "linkedin.com/in/x", "Jane", "Doe", "acme.example")
	f.Add("", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, email, phone, linkedin, first, last, domain string) {
		v := lead.Values{lead.Email: email, lead.PhoneDirect: phone, lead.LinkedIn: linkedin,
			lead.FirstName: first, lead.LastName: last, lead.Domain: domain}
		keys := Keys(v, Options{Domain: true})
		if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
			t.Fatalf("keys not sorted and unique: %q", keys)
		}
		for _, k := range keys {
			if KindOf(k) == "" {
				t.Fatalf("key %q has no kind", k)
			}
		}
	})
}
