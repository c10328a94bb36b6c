// Package safetext provides the text rules for what haloleads writes and prints:
//
//   - Cell neutralises a spreadsheet formula: a value beginning with =, +, -, @, tab or carriage
//     return gets a single quote in front ("'=HYPERLINK(...)"), the rule spreadsheets (Excel,
//     LibreOffice, Google Sheets) read as "text". A value made only of digits, spaces and
//   - - ( ) . , (a phone number or a number) calls nothing and is left as it is. Every value
//     an import takes (normalisation) and every cell of a file haloleads writes goes through it,
//     so HaloPSA's text fields, pull exports and suppression exports hold no live formula.
//   - Terminal drops control characters (escape sequences included) except new line and tab,
//     for what the CLI prints.
//   - Redact hides what looks like a credential in a body a remote service sent back (some
//     echo the request's headers or query): the given secrets, "Bearer …", key=… pairs and
//     long letter-and-digit tokens.
package safetext

import (
	"regexp"
	"strings"
	"unicode"
)

// formulaStart reports whether c makes a spreadsheet read the cell as a formula (or, for tab
// and carriage return, hides one after blank space).
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Cell returns s neutralised for a spreadsheet cell (see the package comment). It is
// idempotent: a neutralised value starts with a quote.
func Cell(s string) string {
	if s == "" || !formulaStart(s[0]) || numeric(s) {
		return s
	}
	return "'" + s
}

// IsFormula reports whether a spreadsheet would read s as a formula: what Cell prevents.
func IsFormula(s string) bool { return s != "" && formulaStart(s[0]) && !numeric(s) }

// numeric reports whether s holds only digits, spaces and + - ( ) . , with at least one digit.
func numeric(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c == ' ' || c == '+' || c == '-' || c == '(' || c == ')' || c == '.' || c == ',':
		default:
			return false
		}
	}
	return digit
}

// Cells returns row with every cell neutralised.
func Cells(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = Cell(c)
	}
	return out
}

// Terminal returns s without control characters (C0 but new line and tab, DEL, C1) and the
// escape sequences they start: what a name may carry to a terminal.
func Terminal(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	s = escapeSeq.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == 0x7f)
}

// escapeSeq matches ANSI escape sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ST) and
// two-byte escapes.
var escapeSeq = regexp.MustCompile("\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-Z\\\\-_]|\u009b[0-?]*[ -/]*[@-~]")

// Redacted replaces what Redact hides.
const Redacted = "[redacted]"

var (
	bearer  = regexp.MustCompile(`(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}`)
	keyPair = regexp.MustCompile(`(?i)("?(?:api[_-]?key|apikey|x-api-key|access[_-]?token|refresh[_-]?token|client[_-]?secret|secret|password|authorization|api_token|token)"?\s*[:=]\s*"?)([^"&,\s}]{4,})`)
	token   = regexp.MustCompile(`[A-Za-z0-9_\-]{24,}`)
)

// Redact returns s with each of secrets (the credentials the request carried) and anything
// that looks like a credential replaced by [redacted].
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	s = bearer.ReplaceAllString(s, "$1 "+Redacted)
	s = keyPair.ReplaceAllString(s, "${1}"+Redacted)
	return token.ReplaceAllStringFunc(s, func(t string) string {
		if hasLetterAndDigit(t) {
			return Redacted
		}
		return t
	})
}

func hasLetterAndDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789") && strings.IndexFunc(s, unicode.IsLetter) >= 0
}
