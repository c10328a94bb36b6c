package landing

import (
	"strconv"
	"strings"

	"haloleads/internal/lead"
)

// employeeBuckets are the Employee Count Range options, by their upper bound.
var employeeBuckets = []struct {
	max   int
	label string
}{
	{10, "1-10"}, {50, "11-50"}, {200, "51-200"}, {500, "201-500"}, {1000, "501-1000"},
	{5000, "1001-5000"}, {10000, "5001-10000"},
}

// EmployeeBucket maps a headcount (or a provider's range, by its lower bound) to the Employee
// Count Range option; "" when unknown.
func EmployeeBucket(v lead.Values) string {
	n, ok := atoiLoose(v[lead.Employees])
	if !ok {
		n, ok = rangeLow(v[lead.EmployeeRange])
	}
	if !ok || n <= 0 {
		return ""
	}
	for _, b := range employeeBuckets {
		if n <= b.max {
			return b.label
		}
	}
	return "10001+"
}

var revenueBuckets = []struct {
	max   int64
	label string
}{
	{1_000_000, "Under $1M"}, {5_000_000, "$1M-$5M"}, {25_000_000, "$5M-$25M"},
	{100_000_000, "$25M-$100M"}, {500_000_000, "$100M-$500M"}, {1_000_000_000, "$500M-$1B"},
}

// RevenueBucket maps annual revenue in USD (or, without it, a provider's revenue range by its
// lower bound: "$10M - $50M", "$1B+", "Under $1M") to the Revenue Range option; "" when unknown.
func RevenueBucket(v lead.Values) string {
	n, err := strconv.ParseInt(strings.TrimSpace(v[lead.Revenue]), 10, 64)
	if err != nil || n <= 0 {
		n = revenueLow(v[lead.RevenueRange])
	}
	if n <= 0 {
		return ""
	}
	for _, b := range revenueBuckets {
		if n < b.max {
			return b.label
		}
	}
	return "Over $1B"
}

// ManagementLevel maps a provider's seniority (or, failing that, the job title) to the
// Management Level option.
func ManagementLevel(level, title string) string {
	for _, s := range []string{level, title} {
		if out := seniority(strings.ToLower(s)); out != "" {
			return out
		}
	}
	return ""
}

func seniority(s string) string {
	switch {
	case s == "":
		return ""
	case containsAny(s, "c-suite", "c suite", "c_suite", "chief", "ceo", "cto", "cfo", "coo", "cio", "ciso", "president"):
		return "C-Suite"
	case containsAny(s, "owner", "founder"):
		return "Owner"
	case containsAny(s, "partner"):
		return "Partner"
	case containsAny(s, "vp", "vice president"):
		return "VP"
	case containsAny(s, "director", "head"):
		return "Director"
	case containsAny(s, "manager", "lead"):
		return "Manager"
	case containsAny(s, "senior", "principal"):
		return "Senior"
	case containsAny(s, "entry", "junior", "intern", "associate"):
		return "Entry"
	}
	return ""
}

// DepartmentOf maps a provider's department to the Department option ("Other" when it names
// one that is not listed).
func DepartmentOf(d string) string {
	s := strings.ToLower(d)
	switch {
	case s == "":
		return ""
	case containsAny(s, "information technology", "it ", " it", "technology") || s == "it":
		return "IT"
	case containsAny(s, "engineering", "r&d", "development"):
		return "Engineering"
	case containsAny(s, "finance", "accounting"):
		return "Finance"
	case containsAny(s, "operations"):
		return "Operations"
	case containsAny(s, "sales"):
		return "Sales"
	case containsAny(s, "marketing"):
		return "Marketing"
	case containsAny(s, "human", "hr", "people"):
		return "Human Resources"
	case containsAny(s, "legal"):
		return "Legal"
	case containsAny(s, "executive", "c-suite", "management"):
		return "Executive"
	}
	return "Other"
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func atoiLoose(s string) (int, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// rangeLow reads the lower bound of "51-200", "10,001+", "1 to 10".
func rangeLow(s string) (int, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	end := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if end == 0 {
		return 0, false
	}
	if end < 0 {
		end = len(s)
	}
	n, err := strconv.Atoi(s[:end])
	return n, err == nil
}

// revenueLow reads the lower bound of a provider's revenue range in US dollars: "$10M - $50M",
// "$10 to 50 million", "1B+", "$5,000,000-$10,000,000", "Over $1B". "Under $1M" and "< $1M" give
// 1 (some revenue, below the first bound). 0 when nothing is understood.
func revenueLow(s string) int64 {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0
	}
	under := strings.HasPrefix(s, "under") || strings.HasPrefix(s, "<") || strings.HasPrefix(s, "less than")
	// The unit of a bare first number comes from the range's last unit: "$10 - 50 million".
	unit := int64(1)
	for _, u := range []struct {
		word string
		mult int64
	}{{"billion", 1e9}, {"million", 1e6}, {"thousand", 1e3}, {"bn", 1e9}, {"mm", 1e6}, {"b", 1e9}, {"m", 1e6}, {"k", 1e3}} {
		if i := strings.LastIndex(s, u.word); i >= 0 && (i == 0 || s[i-1] == ' ' || (s[i-1] >= '0' && s[i-1] <= '9')) {
			unit = u.mult
			break
		}
	}
	i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return 0
	}
	j := i
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ',' || s[j] == '.') {
		j++
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s[i:j], ",", ""), 64)
	if err != nil || f <= 0 {
		return 0
	}
	rest := strings.TrimLeft(s[j:], " ")
	switch {
	case strings.HasPrefix(rest, "billion") || strings.HasPrefix(rest, "bn") || strings.HasPrefix(rest, "b"):
		f *= 1e9
	case strings.HasPrefix(rest, "million") || strings.HasPrefix(rest, "mm") || strings.HasPrefix(rest, "m"):
		f *= 1e6
	case strings.HasPrefix(rest, "thousand") || strings.HasPrefix(rest, "k"):
		f *= 1e3
	case f < 1e5: // a bare number takes the range's unit ("$10 - 50 million")
		f *= float64(unit)
	}
	if under {
		return 1
	}
	return int64(min(f, 1e15)) // beyond any company's revenue; int64 conversion stays defined
}
