package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s in lower case with accents removed (NFKD, combining marks dropped) and the
// letters that do not decompose spelled out (ß→ss, æ→ae, ø→o, ł→l, …): "Zoë Ødegård" gives
// "zoe odegard". ASCII input takes a fast path.
func Fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if sp, ok := foldSpecial[r]; ok {
			b.WriteString(sp)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// foldSpecial spells out letters that NFKD leaves whole.
var foldSpecial = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i",
	'’': "'", '‘': "'", 'ʼ': "'",
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// punctToSpace deletes dots and apostrophes (so "S.A." and "O'Brien" stay one word) and turns
// every other rune that is not a letter or digit into a space.
func punctToSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '.' || r == '\'':
			return -1
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		}
		return ' '
	}, s)
}

// words folds s and splits it into words without punctuation.
func words(s string) []string {
	return strings.Fields(punctToSpace(Fold(s)))
}

// collapseSpace trims s and replaces each run of white space with one space.
func collapseSpace(s string) string {
	f := strings.Fields(s)
	if len(f) == 1 {
		return f[0]
	}
	return strings.Join(f, " ")
}
