package sources

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"haloleads/internal/lead"
)

func TestValueProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cells map[col]string
		want  []string // substrings, one per problem, in column order
	}{
		{"all usable", map[col]string{cEmployees: "1,800", cRevenue: "$38M", cFoundedYear: "2014", cEmailConfidence: "94%"}, nil},
		{"ranges are values", map[col]string{cEmployees: "51-200", cRevenue: "$25 mil. - $50 mil."}, nil},
		{"empty cells are not given", map[col]string{cEmployees: "", cFoundedYear: "  "}, nil},
		{"headcount not a number", map[col]string{cEmployees: "lots"}, []string{`employees "lots" is not a headcount`}},
		{"headcount negative", map[col]string{cEmployees: "-40"}, []string{`employees "-40"`}},
		{"headcount zero", map[col]string{cEmployeeRange: "0"}, []string{`employee range "0"`}},
		{"headcount too large", map[col]string{cEmployees: "20000000"}, []string{"from 1 to 10,000,000"}},
		{"revenue negative", map[col]string{cRevenue: "-5000"}, []string{`revenue "-5000" is not an amount`}},
		{"revenue absurd", map[col]string{cRevenueThousands: "9e20"}, []string{`revenue (in 000s USD) "9e20"`}},
		{"revenue NaN", map[col]string{cRevenue: "NaN"}, []string{`revenue "NaN"`}},
		{"year out of range", map[col]string{cFoundedYear: "1066"}, []string{"a year from 1600 to 2100"}},
		{"year not a number", map[col]string{cFoundedYear: "circa 1990"}, []string{`founded year "circa 1990"`}},
		{"confidence over 100", map[col]string{cEmailConfidence: "140"}, []string{"a percentage from 0 to 100"}},
		{"two problems", map[col]string{cEmployees: "many", cEmailConfidence: "high"}, []string{"employees", "e-mail confidence"}},
		{"long cell clipped", map[col]string{cFoundedYear: strings.Repeat("9", 100)}, []string{strings.Repeat("9", 40) + "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r row
			for c, v := range tt.cells {
				r[c] = v
			}
			got := valueProblems(&r)
			if len(got) != len(tt.want) {
				t.Fatalf("valueProblems = %q, want %d problems like %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) || !strings.HasSuffix(got[i], "left out (not given)") {
					t.Errorf("problem %d = %q, want it to contain %q and say it was left out", i, got[i], w)
				}
			}
		})
	}
}

func TestValueWarningsAreCapped(t *testing.T) {
	t.Parallel()
	var v valueNotes
	for line := 2; line < 2+maxValueWarnings+7; line++ {
		v.add(line, []string{"x"})
	}
	got := v.list()
	if len(got) != maxValueWarnings+1 || got[0] != "line 2: x" || got[len(got)-1] != "and 7 more values left out" {
		t.Errorf("list = %d warnings, first %q, last %q", len(got), got[0], got[len(got)-1])
	}
}

// FuzzNumericCells checks, for any cell, that the numeric parsers only ever give values in
// their field's range, and that a cell valueProblems accepts is one the mapping uses.
func FuzzNumericCells(f *testing.F) {
	for _, s := range []string{"240", "1,800", "-5", "51-200", "$38M", "1.2B", "9e20", "NaN", "2014.0", "94%", "0.94", "1e400", "−3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := parseCount(s); ok && (n < 1 || n > 10_000_000) {
			t.Errorf("parseCount(%q) = %d, outside 1-10,000,000", s, n)
		}
		if v, ok := parseAmount(s); ok && (v < 0 || v > 1e15 || math.IsNaN(v)) {
			t.Errorf("parseAmount(%q) = %v, outside 0-1e15", s, v)
		}
		if y := parseYear(s); y != "" {
			if n, err := strconv.Atoi(y); err != nil || n < 1600 || n > 2100 {
				t.Errorf("parseYear(%q) = %q", s, y)
			}
		}
		if c := parseConfidence(s); c != "" {
			if n, err := strconv.Atoi(c); err != nil || n < 0 || n > 100 {
				t.Errorf("parseConfidence(%q) = %q", s, c)
			}
		}
		var r row
		r[cFoundedYear], r[cEmailConfidence] = s, s
		v := lead.Values{}
		mapCompany(&r, v)
		problems := valueProblems(&r)
		year := strings.TrimSpace(s) != "" && parseYear(s) == ""
		if (v[lead.FoundedYear] == "") != (strings.TrimSpace(s) == "" || year) {
			t.Errorf("founded year %q mapped to %q; reported %q", s, v[lead.FoundedYear], problems)
		}
		if year && (len(problems) == 0 || !strings.HasPrefix(problems[0], "founded year")) {
			t.Errorf("founded year %q left out without a report: %q", s, problems)
		}
	})
}
