package sources

import (
	"fmt"
	"strings"
)

// Numeric cells.
//
// The numbers an export carries for the company and the e-mail address (headcount, revenue,
// founding year, e-mail confidence) fill optional fields (the design doc's Headcount and the
// company custom fields): a cell that is not a number, or is out of the field's range, is left
// out, the field "not given", and the row lands with its other values. It is never sent to
// HaloPSA, where an integer field would refuse it (and its whole batch with it). Each such cell
// is reported with its row's line (Reader.ValueWarnings), so nothing is dropped silently.

// numericCell is a numeric column and what its cells must hold to be used.
type numericCell struct {
	c     col
	label string
	valid func(string) bool
	want  string
}

var numericCells = []numericCell{
	{cEmployees, "employees", headcountOrRange, "a headcount from 1 to 10,000,000 or a range such as 51-200"},
	{cEmployeeRange, "employee range", headcountOrRange, "a headcount from 1 to 10,000,000 or a range such as 51-200"},
	{cRevenue, "revenue", amountOrRange, "an amount in US dollars up to $1,000,000,000,000,000 or a range"},
	{cRevenueThousands, "revenue (in 000s USD)", amount, "an amount in thousands of US dollars"},
	{cFoundedYear, "founded year", func(s string) bool { return parseYear(s) != "" }, "a year from 1600 to 2100"},
	{cEmailConfidence, "e-mail confidence", func(s string) bool { return parseConfidence(s) != "" }, "a percentage from 0 to 100"},
}

func headcountOrRange(s string) bool {
	_, ok := parseCount(s)
	return ok || isRange(s)
}

func amount(s string) bool {
	_, ok := parseAmount(s)
	return ok
}

func amountOrRange(s string) bool { return amount(s) || isRange(s) }

// valueProblems describes each numeric cell of a row that cannot be used (and is left out).
func valueProblems(r *row) []string {
	var out []string
	for _, n := range numericCells {
		s := strings.TrimSpace(r[n.c])
		if s == "" || n.valid(s) {
			continue
		}
		out = append(out, fmt.Sprintf("%s %q is not %s: left out (not given)", n.label, clip(s), n.want))
	}
	return out
}

// clip shortens a cell for quoting in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// maxValueWarnings caps the value warnings kept per file; the rest are counted.
const maxValueWarnings = 50

// valueNotes collects a file's value warnings.
type valueNotes struct {
	notes []string
	more  int
}

func (v *valueNotes) add(line int, problems []string) {
	for _, p := range problems {
		if len(v.notes) < maxValueWarnings {
			v.notes = append(v.notes, fmt.Sprintf("line %d: %s", line, p))
		} else {
			v.more++
		}
	}
}

func (v *valueNotes) list() []string {
	if v.more == 0 {
		return v.notes
	}
	return append(append([]string(nil), v.notes...), fmt.Sprintf("and %d more values left out", v.more))
}
