package normalize

import (
	"strings"
	"testing"
	"unicode"
)

func TestCompanyKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, key, legal string }{
		{"Acme, Inc.", "acme", "inc"},
		{"ACME INCORPORATED", "acme", "incorporated"},
		{"The Acme Co. Ltd", "acme", "co ltd"},
		{"Acme Corporation", "acme", "corporation"},
		{"Acme LLC", "acme", "llc"},
		{"Acme Pty Ltd", "acme", "pty ltd"},
		{"Acme PLC", "acme", "plc"},
		{"Acme B.V.", "acme", "bv"},
		{"Acme S.A.", "acme", "sa"},
		{"Müller GmbH & Co. KG", "muller", "gmbh and co kg"},
		{"Smith & Sons Ltd", "smith and sons", "ltd"},
		{"Smith and Sons Limited", "smith and sons", "limited"},
		{"Johnson & Johnson", "johnson and johnson", ""},
		{"Ben & Jerry's", "ben and jerrys", ""},
		{"A.C.M.E. Corp", "acme", "corp"},
		{"Inc.", "inc", ""},
		{"The Company", "company", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key, legal := SplitCompany(tt.name)
			if key != tt.key || legal != tt.legal {
				t.Errorf("SplitCompany(%q) = %q, %q; want %q, %q", tt.name, key, legal, tt.key, tt.legal)
			}
			if CompanyKey(tt.name) != tt.key {
				t.Errorf("CompanyKey(%q) differs from SplitCompany", tt.name)
			}
		})
	}
}

func FuzzCompanyKey(f *testing.F) {
	for _, s := range []string{"Acme, Inc.", "Müller GmbH & Co. KG", "The Co", "&&", "S.A."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		key := CompanyKey(name)
		for _, r := range key {
			if unicode.IsUpper(r) || (unicode.IsPunct(r) && r != '\'') {
				t.Fatalf("CompanyKey(%q) = %q has upper case or punctuation", name, key)
			}
		}
		if key != strings.TrimSpace(key) || strings.Contains(key, "  ") {
			t.Errorf("CompanyKey(%q) = %q has stray spaces", name, key)
		}
	})
}

func TestCleanCompany(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"BRIGHT KETTLE IT SERVICES LLC", "Bright Kettle IT Services LLC"},
		{"THE LAW OFFICES OF SMITH & JONES", "The Law Offices of Smith & Jones"},
		{"ACME INC.", "Acme Inc."},
		{"IBM", "IBM"},
		{"ACME", "ACME"},
		{"  NORTHWIND   TRADERS ", "Northwind Traders"},
		{"MÜLLER GMBH", "Müller Gmbh"},
		{"McKinsey & Company", "McKinsey & Company"},
		{"eBay", "eBay"},
		{"ACME Labs", "ACME Labs"},
		{"3M", "3M"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CleanCompany(tt.in); got != tt.want {
			t.Errorf("CleanCompany(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := CleanCompany(CleanCompany(tt.in)); again != CleanCompany(tt.in) {
			t.Errorf("CleanCompany not idempotent on %q: %q", tt.in, again)
		}
	}
}

func FuzzCleanCompany(f *testing.F) {
	for _, s := range []string{"BRIGHT KETTLE IT SERVICES LLC", "IBM", "eBay", "ÉCOLE DES ARTS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := CleanCompany(s)
		if CleanCompany(once) != once {
			t.Errorf("not idempotent: %q → %q → %q", s, once, CleanCompany(once))
		}
		if CompanyKey(once) != CompanyKey(s) {
			t.Errorf("changes the match key: %q → %q", s, once)
		}
	})
}
