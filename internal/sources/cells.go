package sources

import (
	"math"
	"strconv"
	"strings"
)

// bom is the UTF-8 byte-order mark Excel puts at the start of "CSV UTF-8" files.
const bom = "\uFEFF"

// garbage lists the placeholders exports and spreadsheets write for "no value" (compared
// lower-cased). "NA" is deliberately absent: it is Namibia's country code.
var garbage = map[string]bool{
	"n/a": true, "#n/a": true, "-": true, "--": true, "---": true, "\u2014": true, "\u2013": true,
	"null": true, "nil": true, "none": true, "undefined": true, "nan": true, "?": true,
	"(blank)": true, "(none)": true, "(empty)": true, "not available": true, "unavailable": true,
	"#value!": true, "#ref!": true, "#name?": true, "0000-00-00": true,
}

// clean trims a cell and turns placeholders into "".
func clean(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) <= maxGarbageLen && maybeGarbage(s[0]) && garbage[strings.ToLower(s)] {
		return ""
	}
	return s
}

// maybeGarbage is a cheap first-byte filter in front of the garbage lookup.
func maybeGarbage(b byte) bool {
	switch b | 0x20 {
	case 'n', 'u', '#', '-', '?', '(', '0', 0xe2 | 0x20:
		return true
	}
	return false
}

// maxGarbageLen is the length of the longest placeholder in garbage.
const maxGarbageLen = len("not available")

// cleanPhone undoes the spreadsheet tricks that keep a phone number as text: a leading
// apostrophe ('+1 512...) and the ="..." formula form. The number itself is kept as written.
func cleanPhone(s string) string {
	s = clean(s)
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
		s = s[2 : len(s)-1]
	}
	return clean(strings.TrimPrefix(s, "'"))
}

// splitList splits a multi-value cell on ";", ",", "|" or newlines, cleaning each item and
// dropping empty items and repeats (compared case-insensitively, first spelling kept).
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == ',' || r == '|' || r == '\n' || r == '\r'
	})
	out := parts[:0]
	for _, p := range parts {
		if p = clean(p); p != "" && !containsFold(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// containsFold reports whether list holds s, ignoring case (lists are short: a scan is fastest).
func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// joinList re-joins a multi-value cell the canonical way ("; "), or "" when it holds nothing.
func joinList(s string) string { return strings.Join(splitList(s), "; ") }

// firstPhone returns the first number of a phone cell that may hold a list ("+1 555 0100; +1 555 0101").
// Commas separate numbers too, but only when the cell holds more than one number.
func firstPhone(s string) string {
	s = cleanPhone(s)
	if i := strings.IndexAny(s, ";|\n"); i >= 0 {
		s = s[:i]
	} else if strings.Count(s, ",") > 0 && digitsIn(s) >= 14 {
		s = s[:strings.IndexByte(s, ',')]
	}
	return cleanPhone(s)
}

// digitsIn counts ASCII digits in s.
func digitsIn(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// truthy reads a flag cell. Anything that is not clearly "no" counts as yes: for opt-outs a false
// positive is the safe error. Placeholders ("", "N/A", "-") mean no flag.
func truthy(s string) bool {
	switch strings.ToLower(clean(s)) {
	case "", "false", "no", "n", "0", "f", "off", "unchecked", "not set":
		return false
	}
	return true
}

// parseAmount reads a money or count cell: "38000000", "$38,000,000", "38M", "1.2B", "240k",
// "USD 5,000". ok is false for anything else, including ranges.
func parseAmount(s string) (v float64, ok bool) {
	s = strings.ToLower(clean(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "usd"), "us$")
	s = strings.TrimSpace(strings.TrimSuffix(s, "usd"))
	s = strings.TrimPrefix(s, "$")
	s = strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), " ", "")
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "mm"):
		mult, s = 1e6, strings.TrimSuffix(s, "mm")
	case strings.HasSuffix(s, "m"):
		mult, s = 1e6, strings.TrimSuffix(s, "m")
	case strings.HasSuffix(s, "b"):
		mult, s = 1e9, strings.TrimSuffix(s, "b")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*mult > 1e15 {
		return 0, false
	}
	return f * mult, true
}

// wholeUSD formats an amount as a whole number of dollars ("" for zero: no value).
func wholeUSD(f float64) string {
	if f < 0.5 {
		return ""
	}
	return strconv.FormatInt(int64(math.Round(f)), 10)
}

// isRange reports whether a cell describes a range ("51-200", "10M - 50M", "10,001+", "1 to 10").
func isRange(s string) bool {
	s = strings.ToLower(clean(s))
	if s == "" {
		return false
	}
	if strings.HasSuffix(s, "+") || strings.Contains(s, " to ") || strings.HasPrefix(s, "<") ||
		strings.HasPrefix(s, ">") || strings.Contains(s, "less than") || strings.Contains(s, "over ") {
		return true
	}
	return strings.IndexAny(strings.TrimLeft(s, "-"), "-\u2013\u2014") > 0
}

// parseCount reads a headcount: "240", "1,800", "approx. 1800", "Employees: 75". ok is false
// for ranges, zero and text that does not hold exactly one number.
func parseCount(s string) (n int64, ok bool) {
	s = strings.TrimSuffix(clean(s), ".0")
	if s == "" || isRange(s) || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "\u2212") {
		return 0, false // empty, a range, or negative
	}
	groups := strings.FieldsFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != ',' })
	if len(groups) != 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(groups[0], ",", ""), 10, 64)
	if err != nil || n <= 0 || n > 10_000_000 {
		return 0, false
	}
	return n, true
}

// rangeText tidies a range cell's spacing ("51 - 200" → "51-200") without changing its meaning.
func rangeText(s string) string {
	s = clean(s)
	for _, dash := range []string{" - ", " \u2013 ", " \u2014 ", "\u2013", "\u2014"} {
		s = strings.ReplaceAll(s, dash, "-")
	}
	return s
}

// parseYear reads a founding year between 1600 and 2100 ("2014", "2014.0").
func parseYear(s string) string {
	s = strings.TrimSuffix(clean(s), ".0")
	y, err := strconv.Atoi(s)
	if err != nil || y < 1600 || y > 2100 {
		return ""
	}
	return strconv.Itoa(y)
}

// parseConfidence reads a 0..100 confidence ("94", "94%", "0.94") as a whole number.
func parseConfidence(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(clean(s), "%"))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 100 || math.IsNaN(f) {
		return ""
	}
	if f > 0 && f <= 1 && strings.Contains(s, ".") {
		f *= 100
	}
	return strconv.Itoa(int(math.Round(f)))
}

// dollars formats a whole-dollar amount with thousands separators for signal text: "$12,000,000".
func dollars(f float64) string {
	digits := wholeUSD(f)
	if digits == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('$')
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
