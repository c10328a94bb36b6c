package normalize

import (
	"errors"
	"strings"
	"testing"
)

func TestParseEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, address, key string
		free, role        bool
	}{
		{"Jane.Doe@Acme.com", "Jane.Doe@Acme.com", "jane.doe@acme.com", false, false},
		{"  jane.doe@acme.com ", "jane.doe@acme.com", "jane.doe@acme.com", false, false},
		{"J.O.H.N.Doe+news@Gmail.com", "J.O.H.N.Doe+news@Gmail.com", "johndoe@gmail.com", true, false},
		{"john.doe@googlemail.com", "john.doe@googlemail.com", "johndoe@gmail.com", true, false},
		{"john.doe+tag@yahoo.com", "john.doe+tag@yahoo.com", "john.doe+tag@yahoo.com", true, false},
		{"jane.doe+crm@acme.com", "jane.doe+crm@acme.com", "jane.doe+crm@acme.com", false, false},
		{`"Jane Doe" <Jane@Acme.io>`, "Jane@Acme.io", "jane@acme.io", false, false},
		{"mailto:info@acme.com", "info@acme.com", "info@acme.com", false, true},
		{"Sales+eu@acme.com", "Sales+eu@acme.com", "sales+eu@acme.com", false, true},
		{"o'brien@acme.co.uk", "o'brien@acme.co.uk", "o'brien@acme.co.uk", false, false},
		{"hans@müller.de", "hans@müller.de", "hans@xn--mller-kva.de", false, false},
		{"jane@acme.com.", "jane@acme.com.", "jane@acme.com", false, false},
		{"José.García@acme.es", "José.García@acme.es", "josé.garcía@acme.es", false, false},
		{"用户@例子.广告", "用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			e, err := ParseEmail(tt.raw)
			if err != nil {
				t.Fatalf("ParseEmail: %v", err)
			}
			if e.Address != tt.address || e.Key != tt.key || e.Free != tt.free || e.Role != tt.role {
				t.Errorf("got %+v, want address %q key %q free %v role %v", e, tt.address, tt.key, tt.free, tt.role)
			}
		})
	}
}

func TestParseEmailRejects(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"", "n/a", "jane", "@acme.com", "jane@", "jane@acme", "jane@@acme.com", "jane..doe@acme.com",
		".jane@acme.com", "jane.@acme.com", "jane doe@acme.com", "jane@acme..com", "jane@-acme.com",
		"jane@acme.c", "jane@acme.123", "email_not_unlocked@domain.com", strings.Repeat("a", 65) + "@acme.com",
		"Jane <jane@acme.com", "jane@acme_corp.com", "eve(at)nowhere", "jane☃@acme.com", "ja\xffne@acme.com",
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			_, err := ParseEmail(raw)
			var ee *EmailError
			if !errors.As(err, &ee) {
				t.Fatalf("ParseEmail(%q) error = %v, want *EmailError", raw, err)
			}
			if strings.Contains(err.Error(), "@") {
				t.Errorf("error %q repeats the address", err)
			}
		})
	}
}

func TestEmailKey(t *testing.T) {
	t.Parallel()
	if got := EmailKey("Bad Address"); got != "" {
		t.Errorf("EmailKey(invalid) = %q, want empty", got)
	}
	if got := EmailKey("A.B+c@GMAIL.com"); got != "ab@gmail.com" {
		t.Errorf("EmailKey = %q", got)
	}
	if !IsFreeMailDomain("outlook.com") || IsFreeMailDomain("acme.com") {
		t.Error("IsFreeMailDomain misclassifies")
	}
}

func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{"jane.doe@acme.com", "J.D+x@googlemail.com", `"J" <j@a.io>`, "a@b", "info@x.co.uk", "hans@müller.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		e, err := ParseEmail(raw)
		if err != nil {
			return
		}
		if e.Key != strings.ToLower(e.Key) && !strings.ContainsAny(e.Key, "İK") {
			t.Errorf("key %q is not lower-case", e.Key)
		}
		again, err := ParseEmail(e.Key)
		if err != nil {
			t.Fatalf("key %q of %q does not parse: %v", e.Key, raw, err)
		}
		if again.Key != e.Key {
			t.Errorf("key not stable: %q then %q", e.Key, again.Key)
		}
	})
}
