package lifecycle

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"haloleads/internal/lead"
)

func TestSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    lead.Values
		fit  int
		dnc  bool
		want []string
	}{
		{"cold 59", lead.Values{}, 59, false, []string{"cold"}},
		{"warm 60", lead.Values{}, 60, false, []string{"warm"}},
		{"warm 80", lead.Values{}, 80, false, []string{"warm"}},
		{"hot 81", lead.Values{}, 81, false, []string{"hot"}},
		{"cold 0", lead.Values{}, 0, false, []string{"cold"}},
		{"no size at 0", lead.Values{lead.Employees: "0"}, 50, false, []string{"cold"}},
		{"small 1", lead.Values{lead.Employees: "1"}, 50, false, []string{"cold", "size:small-business"}},
		{"small 49", lead.Values{lead.Employees: "49"}, 50, false, []string{"cold", "size:small-business"}},
		{"mid 50", lead.Values{lead.Employees: "50"}, 50, false, []string{"cold", "size:mid-market"}},
		{"mid 499", lead.Values{lead.Employees: "499"}, 50, false, []string{"cold", "size:mid-market"}},
		{"enterprise 500", lead.Values{lead.Employees: "500"}, 50, false, []string{"cold", "size:enterprise"}},
		{"enterprise 1,200", lead.Values{lead.Employees: "1,200"}, 50, false, []string{"cold", "size:enterprise"}},
		{"headcount wins over range", lead.Values{lead.Employees: "30", lead.EmployeeRange: "501-1000"}, 50, false,
			[]string{"cold", "size:small-business"}},
		{"range in one size", lead.Values{lead.EmployeeRange: "51-200"}, 50, false, []string{"cold", "size:mid-market"}},
		{"range across sizes", lead.Values{lead.EmployeeRange: "201-1000"}, 50, false, []string{"cold"}},
		{"open range", lead.Values{lead.EmployeeRange: "10,001+"}, 50, false, []string{"cold", "size:enterprise"}},
		{"garbage headcount falls back", lead.Values{lead.Employees: "many", lead.EmployeeRange: "1-10"}, 50, false,
			[]string{"cold", "size:small-business"}},
		{"industry slug", lead.Values{lead.Industry: "Healthcare & Medical"}, 70, false,
			[]string{"warm", "industry:healthcare-medical", "segment:healthcare"}},
		{"provider wording", lead.Values{lead.Industry: "Hospital & Health Care"}, 70, false,
			[]string{"warm", "industry:hospital-health-care", "segment:healthcare"}},
		{"law practice", lead.Values{lead.Industry: "Law Practice"}, 70, false, []string{"warm", "industry:law-practice", "segment:legal"}},
		{"lawn care is not legal", lead.Values{lead.Industry: "Lawn Care"}, 70, false, []string{"warm", "industry:lawn-care"}},
		{"banking", lead.Values{lead.Industry: "Banking"}, 70, false, []string{"warm", "industry:banking", "segment:financial"}},
		{"industrial automation", lead.Values{lead.Industry: "Industrial Automation"}, 70, false,
			[]string{"warm", "industry:industrial-automation", "segment:manufacturing"}},
		{"e-commerce", lead.Values{lead.Industry: "E-Commerce"}, 70, false, []string{"warm", "industry:e-commerce", "segment:retail"}},
		{"software has no segment", lead.Values{lead.Industry: "Computer Software"}, 70, false, []string{"warm", "industry:computer-software"}},
		{"industry punctuation only", lead.Values{lead.Industry: " & "}, 70, false, []string{"warm"}},
		{"sources", lead.Values{lead.LeadSource: "apollo; ZoomInfo;apollo"}, 90, false,
			[]string{"source:apollo", "source:zoominfo", "hot"}},
		{"dnc argument", lead.Values{}, 90, true, []string{"hot", "do-not-contact"}},
		{"dnc flag", lead.Values{lead.EmailOptOut: "true"}, 90, false, []string{"hot", "do-not-contact"}},
		{"everything", lead.Values{
			lead.LeadSource: "hunter", lead.Industry: "Legal Services", lead.Employees: "75", lead.DoNotCall: "true",
		}, 65, false, []string{"source:hunter", "warm", "industry:legal-services", "segment:legal", "size:mid-market", "do-not-contact"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Segments(tt.v, tt.fit, tt.dnc); !slices.Equal(got, tt.want) {
				t.Errorf("Segments = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		segments []string
		dnc      bool
		want     []string
	}{
		{"hot", []string{"source:apollo", "hot", "size:enterprise"}, false, []string{ListHot}},
		{"warm", []string{"warm"}, false, []string{ListWarm}},
		{"cold", []string{"cold", "industry:retail"}, false, []string{ListCold}},
		{"industry segment list", []string{"warm", "industry:retail", "segment:retail"}, false, []string{ListWarm, "Retail & E-commerce"}},
		{"no list for a dnc industry segment", []string{"warm", "segment:legal", "do-not-contact"}, false, nil},
		{"dnc argument", []string{"hot"}, true, nil},
		{"dnc segment", []string{"hot", "do-not-contact"}, false, nil},
		{"no temperature", []string{"source:apollo"}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Lists(tt.segments, tt.dnc); !slices.Equal(got, tt.want) {
				t.Errorf("Lists = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDoNotContactInNoList(t *testing.T) {
	t.Parallel()
	for fit := 0; fit <= 100; fit++ {
		v := lead.Values{lead.DoNotContact: "true", lead.Employees: "600"}
		if got := Lists(Segments(v, fit, false), false); got != nil {
			t.Fatalf("fit %d: opted-out person in lists %q", fit, got)
		}
		if got := Lists(Segments(lead.Values{}, fit, false), false); len(got) != 1 {
			t.Fatalf("fit %d: lists %q, want exactly one", fit, got)
		}
	}
}

func TestParseEmployeeRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		lo, hi int
		ok     bool
	}{
		{"51-200", 51, 200, true},
		{"1,001 - 5,000", 1001, 5000, true},
		{"11–50", 11, 50, true},
		{"201 to 500", 201, 500, true},
		{"10000+", 10000, math.MaxInt, true},
		{"10,001 or more", 10001, math.MaxInt, true},
		{"200-50", 0, 0, false},
		{"-5", 0, 0, false},
		{"0-10", 0, 0, false},
		{"lots", 0, 0, false},
		{"", 0, 0, false},
		{"+", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			lo, hi, ok := ParseEmployeeRange(tt.in)
			if lo != tt.lo || hi != tt.hi || ok != tt.ok {
				t.Errorf("ParseEmployeeRange(%q) = %d, %d, %v; want %d, %d, %v", tt.in, lo, hi, ok, tt.lo, tt.hi, tt.ok)
			}
		})
	}
}

func FuzzParseEmployeeRange(f *testing.F) {
	for _, s := range []string{"51-200", "1,001 - 5,000", "10000+", "201 to 500", "x-y", "9999999999999999999-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		lo, hi, ok := ParseEmployeeRange(in)
		if ok && (lo < 1 || hi < lo) {
			t.Fatalf("ParseEmployeeRange(%q) = %d, %d", in, lo, hi)
		}
		if !ok && (lo != 0 || hi != 0) {
			t.Fatalf("ParseEmployeeRange(%q) failed but returned %d, %d", in, lo, hi)
		}
		tags := Segments(lead.Values{lead.EmployeeRange: in, lead.Industry: in, lead.LeadSource: in}, 50, false)
		sizes := 0
		for _, tag := range tags {
			if tag == SegmentEnterprise || tag == SegmentMidMarket || tag == SegmentSmallBiz {
				sizes++
			}
		}
		if sizes > 1 || (sizes == 1 && !ok) {
			t.Fatalf("range %q gave size tags %q", in, tags)
		}
	})
}

func ExampleSegments() {
	v := lead.Values{
		lead.LeadSource: "apollo; zoominfo",
		lead.Industry:   "Financial Services",
		lead.Employees:  "120",
	}
	tags := Segments(v, 84, v.DoNotContactFlag())
	fmt.Println(tags)
	fmt.Println(Lists(tags, false))
	// Output:
	// [source:apollo source:zoominfo hot industry:financial-services segment:financial size:mid-market]
	// [Hot Leads (Fit Score >80) Financial Services]
}

func BenchmarkSegments(b *testing.B) {
	v := lead.Values{
		lead.LeadSource: "apollo; zoominfo", lead.Industry: "Healthcare & Medical",
		lead.EmployeeRange: "51-200",
	}
	for b.Loop() {
		Lists(Segments(v, 72, false), false)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}
