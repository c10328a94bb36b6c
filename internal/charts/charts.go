// Package charts renders reports as one self-contained HTML page of inline SVG charts: no
// script, no stylesheet or font from elsewhere, so the file opens anywhere, offline, and can be
// mailed or archived as it is.
package charts

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

// Page is one report page: a title, a line saying what it shows, and its sections.
type Page struct {
	Title    string
	Subtitle string
	Sections []Section
}

// Section is a chart, a table, or both, under a heading.
type Section struct {
	Heading string
	Note    string
	Chart   *Bars
	Table   *Table
}

// Bars is a horizontal bar chart; with more than one series the bars are stacked.
type Bars struct {
	Series []string // series names, one colour each; one series draws plain bars
	Rows   []Row
	Unit   string // appended to the values shown ("%", " credits")
}

// Row is one bar: its label and one value per series.
type Row struct {
	Label  string
	Values []float64
}

// Table is a plain table.
type Table struct {
	Header []string
	Rows   [][]string
}

// palette holds the series colours (colour-blind safe, Okabe-Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// Layout of a bar chart, in SVG user units.
const (
	chartWidth = 760
	labelWidth = 190
	valueWidth = 80
	barHeight  = 22
	barGap     = 8
	legendRow  = 22
)

// SVG draws the chart as an inline <svg> element.
func (b *Bars) SVG() template.HTML {
	max := 0.0
	for _, r := range b.Rows {
		max = math.Max(max, sum(r.Values))
	}
	if max == 0 {
		max = 1
	}
	plot := float64(chartWidth - labelWidth - valueWidth)
	legend := 0
	if len(b.Series) > 1 {
		legend = legendRow
	}
	height := legend + len(b.Rows)*(barHeight+barGap) + barGap
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%d" height="%d" viewBox="0 0 %d %d" role="img">`,
		chartWidth, height, chartWidth, height)
	if legend > 0 {
		x := labelWidth
		for i, name := range b.Series {
			fmt.Fprintf(&s, `<rect class="legend" x="%d" y="4" width="12" height="12" fill="%s"/><text x="%d" y="15">%s</text>`,
				x, colour(i), x+16, template.HTMLEscapeString(name))
			x += 24 + 8*len(name)
		}
	}
	for i, r := range b.Rows {
		y := legend + barGap + i*(barHeight+barGap)
		fmt.Fprintf(&s, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelWidth-8, y+barHeight-6,
			template.HTMLEscapeString(r.Label))
		x := float64(labelWidth)
		for j, v := range r.Values {
			w := plot * v / max
			if w <= 0 {
				continue
			}
			fmt.Fprintf(&s, `<rect class="bar" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
				x, y, w, barHeight, colour(j), template.HTMLEscapeString(seriesName(b.Series, j)), Number(v)+b.Unit)
			x += w
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%d">%s</text>`, x+6, y+barHeight-6, Number(sum(r.Values))+b.Unit)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

func colour(i int) string { return palette[i%len(palette)] }

func seriesName(series []string, i int) string {
	if i < len(series) {
		return series[i]
	}
	return ""
}

func sum(vs []float64) float64 {
	t := 0.0
	for _, v := range vs {
		t += v
	}
	return t
}

// Number formats a value: whole numbers without decimals, others with one.
func Number(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 60rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
p.sub, p.note { color: #555; margin-top: 0.2rem; }
svg.chart text { font-size: 13px; fill: #222; }
table { border-collapse: collapse; margin-top: 0.8rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.8rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="sub">{{.Subtitle}}</p>
{{range .Sections}}<section>
<h2>{{.Heading}}</h2>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
{{with .Chart}}{{.SVG}}{{end}}
{{with .Table}}<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
</section>
{{end}}</body>
</html>
`))

// Write renders p as one HTML document.
func Write(w io.Writer, p Page) error {
	if err := page.Execute(w, p); err != nil {
		return fmt.Errorf("rendering %s: %w", p.Title, err)
	}
	return nil
}
