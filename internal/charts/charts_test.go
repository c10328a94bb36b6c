package charts

import (
	"strings"
	"testing"
)

func TestBarsSVG(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		bars      Bars
		rects     int // bars drawn (zero values draw none)
		legend    int
		wantTexts []string
	}{
		{"plain", Bars{Rows: []Row{{"Apollo.io", []float64{30}}, {"Lusha", []float64{4}}}}, 2, 0, []string{">30<", ">4<", ">Apollo.io<"}},
		{"stacked", Bars{Series: []string{"Lead", "Prospect"}, Rows: []Row{{"Hunter.io", []float64{3, 1}}, {"UpLead", []float64{0, 2}}}},
			3, 2, []string{">Lead<", ">Prospect<", ">4<"}},
		{"unit and fraction", Bars{Unit: "%", Rows: []Row{{"Lead → Prospect", []float64{12.5}}}}, 1, 0, []string{">12.5%<"}},
		{"all zero", Bars{Rows: []Row{{"x", []float64{0}}}}, 0, 0, []string{">0<"}},
		{"escaped", Bars{Rows: []Row{{"<b>&", []float64{1}}}}, 1, 0, []string{"&lt;b&gt;&amp;"}},
	}
	for _, tt := range tests {
		svg := string(tt.bars.SVG())
		if got := strings.Count(svg, `class="bar"`); got != tt.rects {
			t.Errorf("%s: %d bars, want %d", tt.name, got, tt.rects)
		}
		if got := strings.Count(svg, `class="legend"`); got != tt.legend {
			t.Errorf("%s: %d legend keys, want %d", tt.name, got, tt.legend)
		}
		for _, w := range tt.wantTexts {
			if !strings.Contains(svg, w) {
				t.Errorf("%s: SVG lacks %q:\n%s", tt.name, w, svg)
			}
		}
		if !strings.HasPrefix(svg, "<svg ") || !strings.HasSuffix(svg, "</svg>") {
			t.Errorf("%s: not one <svg> element", tt.name)
		}
	}
}

func TestWriteIsSelfContained(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	err := Write(&b, Page{Title: "T <1>", Sections: []Section{
		{Heading: "chart", Chart: &Bars{Rows: []Row{{"a", []float64{1}}}}},
		{Heading: "table", Table: &Table{Header: []string{"h"}, Rows: [][]string{{"<v>"}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	page := strings.ReplaceAll(b.String(), `xmlns="http://www.w3.org/2000/svg"`, "")
	for _, banned := range []string{"<script", "http://", "https://", "<link"} {
		if strings.Contains(page, banned) {
			t.Errorf("page holds %q", banned)
		}
	}
	for _, want := range []string{"<title>T &lt;1&gt;</title>", "<td>&lt;v&gt;</td>", `<svg xmlns=`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
