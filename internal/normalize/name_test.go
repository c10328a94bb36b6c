package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestCleanName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"JANE O'NEIL":               "Jane O'Neil",
		"jane o'neil":               "Jane O'Neil",
		"  anne-marie   de la cruz": "Anne-Marie De La Cruz",
		"McDonald":                  "McDonald",
		"van Dijk":                  "van Dijk",
		"ZOË":                       "Zoë",
		"Zoe\u0308":                 "Zoë", // decomposed input comes out composed (NFC)
		"":                          "",
		"李":                         "李",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := CleanName(in); got != want {
				t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestFoldName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Dr. Zoë Ødegård-Łukasz Jr.": "zoe odegard lukasz",
		"O'Brien":                    "obrien",
		"MÜLLER":                     "muller",
		"Strauß":                     "strauss",
		"Mary  Ann":                  "mary ann",
		"John Smith III, PhD":        "john smith",
		"":                           "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := FoldName(in); got != want {
				t.Errorf("FoldName(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestNicknames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b  string
		match bool
		canon string // CanonicalFirst(a)
	}{
		{"Bob", "Robert", true, "robert"},
		{"BOBBY", "Rob", true, "robert"},
		{"Bill", "William", true, "william"},
		{"Liz", "Beth", true, "elizabeth"},
		{"Liz", "Elizabeth", true, "elizabeth"},
		{"Al", "Alfred", true, "albert"},
		{"Al", "Albert", true, "albert"},
		{"Katherine", "Catherine", true, "katherine"},
		{"Sandra", "Alexandra", true, "sandra"},
		{"Anna", "Anne", false, "anna"},
		{"Robert", "Roberta", false, "robert"},
		{"José", "Jose", true, "jose"},
		{"", "Bob", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			t.Parallel()
			if got := FirstNamesMatch(tt.a, tt.b); got != tt.match {
				t.Errorf("FirstNamesMatch(%q, %q) = %v", tt.a, tt.b, got)
			}
			if got := FirstNamesMatch(tt.b, tt.a); got != tt.match {
				t.Errorf("FirstNamesMatch(%q, %q) = %v (not symmetric)", tt.b, tt.a, got)
			}
			if got := CanonicalFirst(tt.a); got != tt.canon {
				t.Errorf("CanonicalFirst(%q) = %q, want %q", tt.a, got, tt.canon)
			}
		})
	}
}

func TestFullNameKey(t *testing.T) {
	t.Parallel()
	if a, b := FullNameKey("Bob", "SMITH"), FullNameKey("Robert", "Smith"); a != b || a != "robert smith" {
		t.Errorf("FullNameKey: %q vs %q", a, b)
	}
	if got := FullNameKey("", "Smith"); got != "" {
		t.Errorf("FullNameKey without first name = %q", got)
	}
}

func TestNicknameTableWellFormed(t *testing.T) {
	t.Parallel()
	for _, line := range strings.Split(strings.TrimSpace(nicknameGroups), "\n") {
		canon, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(rest) == "" || canon != strings.ToLower(canon) {
			t.Errorf("bad nickname line %q", line)
		}
		if got := CanonicalFirst(canon); got != canon {
			t.Errorf("CanonicalFirst(%q) = %q: a canonical name must stand for itself", canon, got)
		}
	}
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"JANE O'NEIL", "anne-marie", "McDonald", "Zoe\u0308", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		c := CleanName(s)
		if !norm.NFC.IsNormalString(c) && norm.NFC.IsNormalString(titleCase(norm.NFC.String(s))) {
			t.Errorf("CleanName(%q) = %q is not NFC", s, c)
		}
		if strings.Contains(c, "  ") || strings.TrimSpace(c) != c {
			t.Errorf("CleanName(%q) = %q has stray spaces", s, c)
		}
	})
}

func FuzzFoldName(f *testing.F) {
	for _, s := range []string{"Dr. Zoë Ødegård-Łukasz Jr.", "O'Brien", "Strauß", "ﬁ", "Mr"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		k := FoldName(s)
		if k != strings.TrimSpace(k) || strings.Contains(k, "  ") {
			t.Errorf("FoldName(%q) = %q has stray spaces", s, k)
		}
		if strings.ContainsAny(k, ".,'-&") {
			t.Errorf("FoldName(%q) = %q keeps punctuation", s, k)
		}
	})
}
