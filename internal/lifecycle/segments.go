package lifecycle

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"haloleads/internal/lead"
)

// The segment tags that are not built from a value.
const (
	SegmentHot          = "hot"  // fit score above 80
	SegmentWarm         = "warm" // fit score 60-80
	SegmentCold         = "cold" // fit score below 60
	SegmentDoNotContact = "do-not-contact"
	SegmentEnterprise   = "size:enterprise"     // 500+ employees
	SegmentMidMarket    = "size:mid-market"     // 50-499 employees
	SegmentSmallBiz     = "size:small-business" // 1-49 employees
)

// The distribution lists a lead can be in, named as in the design doc.
const (
	ListHot  = "Hot Leads (Fit Score >80)"
	ListWarm = "Warm Leads (Fit Score 60-80)"
	ListCold = "Cold Leads (Fit Score <60)"
)

// IndustrySegment is one of the design doc's five industry lists.
type IndustrySegment struct {
	Tag  string // "segment:healthcare"
	List string // the distribution list, named as in the doc
	// prefixes are word beginnings of provider industries that belong to the segment.
	prefixes []string
}

// IndustrySegments are the design doc's industry lists, in its order. A lead's industry (any
// provider's wording, such as "Hospital & Health Care" or "Law Practice") belongs to the first
// segment one of whose prefixes begins one of its words; most industries belong to none.
var IndustrySegments = []IndustrySegment{
	{"segment:healthcare", "Healthcare & Medical", []string{"health", "medic", "hospital", "clinic", "pharma",
		"dental", "dentist", "biotech", "veterinar", "nursing", "physician"}},
	{"segment:legal", "Legal Services", []string{"legal", "law", "lawyer", "attorney", "solicitor", "notar", "paralegal"}},
	{"segment:financial", "Financial Services", []string{"financ", "bank", "insurance", "accounting", "accountant",
		"invest", "wealth", "credit", "fintech", "mortgage", "lending", "brokerage"}},
	{"segment:manufacturing", "Manufacturing", []string{"manufactur", "industrial", "machinery", "automotive",
		"chemical", "plastics", "fabricat", "aerospace"}},
	{"segment:retail", "Retail & E-commerce", []string{"retail", "ecommerce", "e-commerce", "wholesale",
		"apparel", "supermarket", "consumer goods"}},
}

// IndustrySegmentOf returns the segment an industry belongs to, or false.
func IndustrySegmentOf(industry string) (IndustrySegment, bool) {
	lower := strings.ToLower(industry)
	words := strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' })
	for _, seg := range IndustrySegments {
		for _, p := range seg.prefixes {
			if strings.Contains(p, " ") {
				if strings.Contains(lower, p) {
					return seg, true
				}
				continue
			}
			for _, w := range words {
				if strings.HasPrefix(w, p) && (p != "law" || w == "law" || w == "laws") {
					return seg, true
				}
			}
		}
	}
	return IndustrySegment{}, false
}

// Segments returns the tags that describe a lead, in a fixed order: source:<provider> for each
// source in lead.LeadSource, the temperature (hot above 80, warm from 60 to 80, cold below 60),
// industry:<slug> (the provider's own wording) and the doc's industry segment (segment:<name>),
// the company size, and do-not-contact when dnc is set or v carries an opt-out.
// The size comes from lead.Employees, or from lead.EmployeeRange when the whole range falls in
// one size; a lead of unknown size gets no size tag.
func Segments(v lead.Values, fit int, dnc bool) []string {
	var tags []string
	for _, src := range strings.Split(v[lead.LeadSource], ";") {
		if s := slug(src); s != "" && !slices.Contains(tags, "source:"+s) {
			tags = append(tags, "source:"+s)
		}
	}
	tags = append(tags, temperature(fit))
	if s := slug(v[lead.Industry]); s != "" {
		tags = append(tags, "industry:"+s)
	}
	if seg, ok := IndustrySegmentOf(v[lead.Industry]); ok {
		tags = append(tags, seg.Tag)
	}
	if s := sizeSegment(v); s != "" {
		tags = append(tags, s)
	}
	if dnc || v.DoNotContactFlag() {
		tags = append(tags, SegmentDoNotContact)
	}
	return tags
}

// Lists returns the distribution lists a lead with these segments belongs to: one of the hot,
// warm and cold lists, and its industry segment's list. A Do-Not-Contact person (dnc, or the
// do-not-contact segment) is in none.
func Lists(segments []string, dnc bool) []string {
	if dnc || slices.Contains(segments, SegmentDoNotContact) {
		return nil
	}
	var lists []string
	for _, s := range segments {
		switch s {
		case SegmentHot:
			lists = append(lists, ListHot)
		case SegmentWarm:
			lists = append(lists, ListWarm)
		case SegmentCold:
			lists = append(lists, ListCold)
		default:
			for _, seg := range IndustrySegments {
				if s == seg.Tag {
					lists = append(lists, seg.List)
				}
			}
		}
	}
	return lists
}

// temperature buckets a fit score.
func temperature(fit int) string {
	switch {
	case fit > 80:
		return SegmentHot
	case fit >= 60:
		return SegmentWarm
	}
	return SegmentCold
}

// sizeSegment returns the size tag from the headcount, else from the employee range.
func sizeSegment(v lead.Values) string {
	if n, ok := headcount(v[lead.Employees]); ok {
		return sizeOf(n)
	}
	lo, hi, ok := ParseEmployeeRange(v[lead.EmployeeRange])
	if !ok {
		return ""
	}
	if s := sizeOf(lo); s == sizeOf(hi) {
		return s
	}
	return ""
}

// sizeOf buckets a headcount; zero or less has no size.
func sizeOf(n int) string {
	switch {
	case n >= 500:
		return SegmentEnterprise
	case n >= 50:
		return SegmentMidMarket
	case n >= 1:
		return SegmentSmallBiz
	}
	return ""
}

// headcount reads a whole number of employees, allowing thousands separators.
func headcount(s string) (int, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ',' || r == '_' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// ParseEmployeeRange reads a provider's employee range ("51-200", "1,001 - 5,000", "10000+",
// "10001 or more") as its bounds; an open range has hi = math.MaxInt. It reports false for
// anything else.
func ParseEmployeeRange(s string) (lo, hi int, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, open := range []string{"+", "or more", "and more", "plus"} {
		if rest, found := strings.CutSuffix(s, open); found {
			if lo, ok = headcount(rest); !ok {
				return 0, 0, false
			}
			return lo, math.MaxInt, true
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == '–' || r == '—' {
			return '-'
		}
		return r
	}, strings.ReplaceAll(s, " to ", "-"))
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	lo, okLo := headcount(a)
	hi, okHi := headcount(b)
	if !okLo || !okHi || hi < lo {
		return 0, 0, false
	}
	return lo, hi, true
}

// slug folds a value to a tag: lower-case letters and digits, other runs of characters as one
// hyphen, no hyphen at either end ("Healthcare & Medical" becomes "healthcare-medical").
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
			continue
		}
		hyphen = true
	}
	return b.String()
}
