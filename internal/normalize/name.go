package normalize

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CleanName returns a person or company name for display: Unicode NFC, white space collapsed,
// and words capitalised when the whole name arrived in one case ("JANE O'NEIL" and
// "jane o'neil" give "Jane O'Neil"). Mixed case is kept as received ("McDonald", "van Dijk").
func CleanName(s string) string {
	s = collapseSpace(norm.NFC.String(s))
	if s == "" || hasUpper(s) == hasLower(s) {
		return s
	}
	return titleCase(s)
}

func hasUpper(s string) bool { return strings.IndexFunc(s, unicode.IsUpper) >= 0 }
func hasLower(s string) bool { return strings.IndexFunc(s, unicode.IsLower) >= 0 }

// titleCase upper-cases the first letter after a start, space, hyphen or apostrophe.
func titleCase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = r == ' ' || r == '-' || r == '\'' || r == '’'
	}
	return b.String()
}

// FoldName returns the match form of a name: folded (see Fold), punctuation removed,
// honorifics ("Dr", "Mrs") and generational or degree suffixes ("Jr", "III", "PhD") dropped.
func FoldName(s string) string {
	w := words(s)
	out := w[:0]
	for _, x := range w {
		if !nameNoise[x] {
			out = append(out, x)
		}
	}
	return strings.Join(out, " ")
}

var nameNoise = setOf(
	"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev",
	"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "cpa", "mba", "pmp", "cissp",
)

// CanonicalFirst returns the nickname-canonical form of a first name's first word: "Bob",
// "Bobby" and "Robert" all give "robert". Names not in the table come back folded.
func CanonicalFirst(first string) string {
	f := firstWord(FoldName(first))
	if c, ok := nicknames()[f]; ok {
		return c[0]
	}
	return f
}

// FirstNamesMatch reports whether two first names can be the same person's: equal after
// folding, or sharing a canonical name in the nickname table ("Liz" and "Beth" both can be
// "Elizabeth"; "Al" can be "Albert" or "Alfred").
func FirstNamesMatch(a, b string) bool {
	fa, fb := firstWord(FoldName(a)), firstWord(FoldName(b))
	if fa == "" || fb == "" {
		return false
	}
	if fa == fb {
		return true
	}
	table := nicknames()
	for _, x := range canonicals(table, fa) {
		for _, y := range canonicals(table, fb) {
			if x == y {
				return true
			}
		}
	}
	return false
}

func canonicals(table map[string][]string, name string) []string {
	if c, ok := table[name]; ok {
		return c
	}
	return []string{name}
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// FullNameKey returns "canonical-first last" for matching, or "" when either part is missing.
func FullNameKey(first, last string) string {
	f, l := CanonicalFirst(first), FoldName(last)
	if f == "" || l == "" {
		return ""
	}
	return f + " " + l
}

// nicknames maps every name in nicknameGroups to the canonical names it can stand for, the
// first being the one CanonicalFirst uses. Built once; never changed afterwards.
var nicknames = sync.OnceValue(func() map[string][]string {
	lines := strings.Split(strings.TrimSpace(nicknameGroups), "\n")
	m := make(map[string][]string, 800)
	for _, line := range lines { // a canonical name stands first for itself
		canon, _, _ := strings.Cut(line, ":")
		canon = strings.TrimSpace(canon)
		m[canon] = []string{canon}
	}
	for _, line := range lines {
		canon, rest, _ := strings.Cut(line, ":")
		for _, n := range strings.Fields(rest) {
			m[n] = appendUnique(m[n], strings.TrimSpace(canon))
		}
	}
	return m
})

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
