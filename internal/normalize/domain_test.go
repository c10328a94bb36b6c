package normalize

import (
	"errors"
	"testing"
)

func TestDomain(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, want string }{
		{"https://www.Acme.co.uk:8443/about?x=1", "acme.co.uk"},
		{"www.amazon.com.au", "amazon.com.au"},
		{"acme.com", "acme.com"},
		{"http://acme.com/", "acme.com"},
		{"HTTP://WWW.ACME.COM", "acme.com"},
		{"jane@mail.acme.co.uk", "acme.co.uk"},
		{"https://user:pw@shop.acme.de/path", "acme.de"},
		{"foo.github.io", "foo.github.io"},
		{"http://münchen.de", "xn--mnchen-3ya.de"},
		{"acme.com.", "acme.com"},
		{"brightkettle.example", "brightkettle.example"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			got, err := Domain(tt.raw)
			if err != nil || got != tt.want {
				t.Errorf("Domain(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
			}
		})
	}
}

func TestDomainRejects(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "localhost", "http://", "co.uk", "not a domain", "https://-bad-.com", "192.168.0.1:80"} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			_, err := Domain(raw)
			var de *DomainError
			if !errors.As(err, &de) {
				t.Errorf("Domain(%q) error = %v, want *DomainError", raw, err)
			}
		})
	}
}

func FuzzDomain(f *testing.F) {
	for _, s := range []string{"https://www.acme.co.uk/x", "a@b.com", "foo.github.io", "http://münchen.de:80", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		d, err := Domain(raw)
		if err != nil {
			return
		}
		again, err := Domain(d)
		if err != nil || again != d {
			t.Errorf("Domain(%q) = %q but Domain(%q) = %q, %v", raw, d, d, again, err)
		}
	})
}

func TestDocumentationDomains(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://www.quarryline.example.com/about": "quarryline.example.com",
		"jane@mail.zenith.example.org":             "zenith.example.org",
		"example.net":                              "example.net",
		"acme.co.uk":                               "acme.co.uk",
		"shop.example.co.uk":                       "example.co.uk",
	}
	for in, want := range tests {
		if got, err := Domain(in); err != nil || got != want {
			t.Errorf("Domain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
