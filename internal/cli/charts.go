package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"haloleads/internal/charts"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

// leadFacts is what the funnel, sources and quality reports need of one running lead.
type leadFacts struct {
	ID      string
	Source  string // the original source (first supplier)
	Stage   lifecycle.Stage
	Status  lifecycle.Status
	Fit     int
	Quality int
	Value   float64 // opportunity value
	DNC     bool
	Email   bool
	Phone   bool
	// InStage is how long the lead has spent in each stage it entered (to now for its current
	// one); empty for a lead that has not recorded its stages.
	InStage map[lifecycle.Stage]time.Duration
}

// queryWorkers bounds the lead state queries in flight.
const queryWorkers = 8

// gatherLeads lists the running leads through visibility and asks each for its state.
func gatherLeads(ctx context.Context, c client.Client) ([]leadFacts, error) {
	rows, err := listLeads(ctx, c, converter.GetDefaultDataConverter(), runningLeads, -1, "")
	if err != nil {
		return nil, err
	}
	out := make([]leadFacts, len(rows))
	errs := make([]error, len(rows))
	next := make(chan int)
	var wg sync.WaitGroup
	for range queryWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				st, err := readLead(ctx, c, rows[i].LeadID)
				errs[i] = err
				out[i] = factsOf(rows[i], st, time.Now())
			}
		}()
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func factsOf(r leadRow, st leadflow.LeadState, now time.Time) leadFacts {
	v := st.Lead.Values
	return leadFacts{ID: r.LeadID, Source: r.Source, Stage: st.Stage, Status: st.Status, Fit: st.Fit,
		Quality: st.Quality, Value: st.Data.Opportunity.Value, DNC: r.DNC,
		Email: v[lead.Email] != "", Phone: v[lead.PhoneDirect] != "" || v[lead.PhoneMobile] != "",
		InStage: st.TimeInStages(now)}
}

// sourceOrder lists the sources present in leads, providers first, in a fixed order.
func sourceOrder(leads []leadFacts) []string {
	seen := map[string]bool{}
	for _, l := range leads {
		seen[l.Source] = true
	}
	var out []string
	for _, s := range append(append([]lead.Source{}, lead.Providers...), lead.HaloPSA, lead.Manual) {
		if seen[string(s)] {
			out = append(out, string(s))
			delete(seen, string(s))
		}
	}
	var rest []string
	for s := range seen {
		rest = append(rest, s)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func bySource(leads []leadFacts) map[string][]leadFacts {
	m := map[string][]leadFacts{}
	for _, l := range leads {
		m[l.Source] = append(m[l.Source], l)
	}
	return m
}

func sourceLabel(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return lead.Source(s).DisplayName()
}

// funnelCounts are the leads of one source that reached each step.
type funnelCounts struct {
	Source      string  `json:"source"`
	Leads       int     `json:"leads"`
	Prospects   int     `json:"reached_prospect"`
	Opportunity int     `json:"reached_opportunity"`
	Won         int     `json:"won"`
	Lost        int     `json:"lost"`
	WonValue    float64 `json:"won_value"`
	InStage     struct {
		Lead        int `json:"lead"`
		Prospect    int `json:"prospect"`
		Opportunity int `json:"opportunity"`
	} `json:"in_stage"`
	// TimeInStage is how long the leads spent in each stage (those still in it: so far).
	TimeInStage struct {
		Lead        stageTime `json:"lead"`
		Prospect    stageTime `json:"prospect"`
		Opportunity stageTime `json:"opportunity"`
	} `json:"time_in_stage"`
}

// stageTime is the time the leads that entered a stage spent in it, in days.
type stageTime struct {
	Leads      int     `json:"leads"` // leads that entered the stage (and recorded when)
	MeanDays   float64 `json:"mean_days"`
	MedianDays float64 `json:"median_days"`
}

// timeIn summarises the time leads spent in stage.
func timeIn(stage lifecycle.Stage, leads []leadFacts) stageTime {
	var days []float64
	for _, l := range leads {
		if d, ok := l.InStage[stage]; ok {
			days = append(days, d.Hours()/24)
		}
	}
	if len(days) == 0 {
		return stageTime{}
	}
	sort.Float64s(days)
	sum := 0.0
	for _, d := range days {
		sum += d
	}
	median := days[len(days)/2]
	if len(days)%2 == 0 {
		median = (days[len(days)/2-1] + median) / 2
	}
	return stageTime{Leads: len(days), MeanDays: round1(sum / float64(len(days))), MedianDays: round1(median)}
}

func round1(x float64) float64 { return float64(int(x*10+0.5)) / 10 }

func funnelOf(source string, leads []leadFacts) funnelCounts {
	f := funnelCounts{Source: source, Leads: len(leads)}
	for _, l := range leads {
		switch l.Stage {
		case lifecycle.Lead:
			f.InStage.Lead++
		case lifecycle.Prospect:
			f.InStage.Prospect++
			f.Prospects++
		case lifecycle.Opportunity:
			f.InStage.Opportunity++
			f.Prospects++
			f.Opportunity++
		}
		switch l.Status {
		case lifecycle.Won:
			f.Won++
			f.WonValue += l.Value
		case lifecycle.Lost:
			f.Lost++
		}
	}
	f.TimeInStage.Lead = timeIn(lifecycle.Lead, leads)
	f.TimeInStage.Prospect = timeIn(lifecycle.Prospect, leads)
	f.TimeInStage.Opportunity = timeIn(lifecycle.Opportunity, leads)
	return f
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(int(1000*float64(n)/float64(of)+0.5)) / 10
}

// funnelReport is `report funnel --json`.
type funnelReport struct {
	Generated time.Time      `json:"generated"`
	Total     funnelCounts   `json:"total"`
	BySource  []funnelCounts `json:"by_source"`
}

func buildFunnel(leads []leadFacts) funnelReport {
	r := funnelReport{Generated: time.Now().UTC(), Total: funnelOf("all", leads)}
	groups := bySource(leads)
	for _, s := range sourceOrder(leads) {
		r.BySource = append(r.BySource, funnelOf(s, groups[s]))
	}
	return r
}

func (r funnelReport) page() charts.Page {
	stages := &charts.Bars{Series: []string{"Lead", "Prospect", "Opportunity"}}
	conv := &charts.Bars{Unit: "%"}
	won := &charts.Bars{}
	table := &charts.Table{Header: []string{"source", "leads", "→ prospect", "→ opportunity", "won", "lost", "won value"}}
	for _, f := range append(r.BySource, r.Total) {
		label := sourceLabel(f.Source)
		if f.Source == "all" {
			label = "All sources"
		} else {
			stages.Rows = append(stages.Rows, charts.Row{Label: label,
				Values: []float64{float64(f.InStage.Lead), float64(f.InStage.Prospect), float64(f.InStage.Opportunity)}})
			won.Rows = append(won.Rows, charts.Row{Label: label, Values: []float64{f.WonValue}})
		}
		table.Rows = append(table.Rows, []string{label, fmt.Sprint(f.Leads),
			fmt.Sprintf("%d (%s%%)", f.Prospects, charts.Number(pct(f.Prospects, f.Leads))),
			fmt.Sprintf("%d (%s%%)", f.Opportunity, charts.Number(pct(f.Opportunity, f.Prospects))),
			fmt.Sprintf("%d (%s%%)", f.Won, charts.Number(pct(f.Won, f.Opportunity))), fmt.Sprint(f.Lost), charts.Number(f.WonValue)})
	}
	t := r.Total
	days := &charts.Bars{Series: []string{"mean", "median"}, Unit: " d"}
	times := &charts.Table{Header: []string{"source", "days in Lead", "days in Prospect", "days in Opportunity"}}
	for _, f := range append(r.BySource, r.Total) {
		label := sourceLabel(f.Source)
		if f.Source == "all" {
			label = "All sources"
		}
		times.Rows = append(times.Rows, []string{label, f.TimeInStage.Lead.cell(), f.TimeInStage.Prospect.cell(), f.TimeInStage.Opportunity.cell()})
	}
	for _, st := range []struct {
		label string
		t     stageTime
	}{{"Lead", t.TimeInStage.Lead}, {"Prospect", t.TimeInStage.Prospect}, {"Opportunity", t.TimeInStage.Opportunity}} {
		days.Rows = append(days.Rows, charts.Row{Label: st.label, Values: []float64{st.t.MeanDays, st.t.MedianDays}})
	}
	conv.Rows = []charts.Row{
		{Label: "Lead → Prospect", Values: []float64{pct(t.Prospects, t.Leads)}},
		{Label: "Prospect → Opportunity", Values: []float64{pct(t.Opportunity, t.Prospects)}},
		{Label: "Opportunity → Won", Values: []float64{pct(t.Won, t.Opportunity)}},
	}
	return charts.Page{Title: "haloleads: funnel", Subtitle: fmt.Sprintf("%d running leads, %s", t.Leads, r.Generated.Format(time.RFC1123)),
		Sections: []charts.Section{
			{Heading: "Leads per stage, by original source", Chart: stages},
			{Heading: "Conversion between stages", Note: "Share of the leads that reached a stage which reached the next one.", Chart: conv},
			{Heading: "Won value by original source", Chart: won},
			{Heading: "Time in stage", Note: "Days the leads that entered a stage spent in it (those still there: so far); mean and median.", Chart: days, Table: times},
			{Heading: "Figures", Table: table},
		}}
}

func printFunnel(w io.Writer, r funnelReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SOURCE\tLEADS\tLEAD\tPROSPECT\tOPPORTUNITY\tWON\tLOST\tWON VALUE\t")
	for _, f := range append(r.BySource, r.Total) {
		label := sourceLabel(f.Source)
		if f.Source == "all" {
			label = "All sources"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", label, f.Leads, f.InStage.Lead, f.InStage.Prospect,
			f.InStage.Opportunity, f.Won, f.Lost, charts.Number(f.WonValue))
	}
	_ = tw.Flush()
	t := r.Total
	fmt.Fprintf(w, "Conversion: Lead → Prospect %s%%, Prospect → Opportunity %s%%, Opportunity → Won %s%%\n",
		charts.Number(pct(t.Prospects, t.Leads)), charts.Number(pct(t.Opportunity, t.Prospects)), charts.Number(pct(t.Won, t.Opportunity)))
	fmt.Fprintf(w, "Time in stage (mean / median days, leads): Lead %s, Prospect %s, Opportunity %s\n",
		t.TimeInStage.Lead.cell(), t.TimeInStage.Prospect.cell(), t.TimeInStage.Opportunity.cell())
}

// cell prints a stage time as "mean / median (leads)", or "-" when no lead recorded it.
func (s stageTime) cell() string {
	if s.Leads == 0 {
		return "-"
	}
	return fmt.Sprintf("%s / %s (%d)", charts.Number(s.MeanDays), charts.Number(s.MedianDays), s.Leads)
}

// sourceFigures are `report sources`: what each source brought and cost.
type sourceFigures struct {
	Source        string  `json:"source"`
	Leads         int     `json:"leads"`
	DoNotContact  int     `json:"do_not_contact"`
	AvgFit        float64 `json:"avg_fit"`
	Won           int     `json:"won"`
	WonValue      float64 `json:"won_value"`
	Credits       int     `json:"credits"`
	CreditsPerWon float64 `json:"credits_per_won"`
}

func buildSources(leads []leadFacts, credits map[lead.Source]int) []sourceFigures {
	groups := bySource(leads)
	order := sourceOrder(leads)
	for s := range credits {
		if len(groups[string(s)]) == 0 && credits[s] > 0 {
			order = append(order, string(s))
		}
	}
	out := []sourceFigures{}
	for _, s := range order {
		ls := groups[s]
		f := sourceFigures{Source: s, Leads: len(ls), Credits: credits[lead.Source(s)]}
		fit := 0
		for _, l := range ls {
			fit += l.Fit
			if l.DNC {
				f.DoNotContact++
			}
			if l.Status == lifecycle.Won {
				f.Won++
				f.WonValue += l.Value
			}
		}
		if len(ls) > 0 {
			f.AvgFit = float64(int(10*float64(fit)/float64(len(ls))+0.5)) / 10
		}
		if f.Won > 0 {
			f.CreditsPerWon = float64(f.Credits) / float64(f.Won)
		}
		out = append(out, f)
	}
	return out
}

func sourcesPage(fs []sourceFigures) charts.Page {
	leads := &charts.Bars{Series: []string{"contactable", "Do Not Contact"}}
	credits := &charts.Bars{Unit: " credits"}
	table := &charts.Table{Header: []string{"source", "leads", "Do Not Contact", "avg fit", "won", "won value", "credits", "credits per won deal"}}
	for _, f := range fs {
		label := sourceLabel(f.Source)
		leads.Rows = append(leads.Rows, charts.Row{Label: label, Values: []float64{float64(f.Leads - f.DoNotContact), float64(f.DoNotContact)}})
		credits.Rows = append(credits.Rows, charts.Row{Label: label, Values: []float64{float64(f.Credits)}})
		perWon := "-"
		if f.Won > 0 {
			perWon = charts.Number(f.CreditsPerWon)
		}
		table.Rows = append(table.Rows, []string{label, fmt.Sprint(f.Leads), fmt.Sprint(f.DoNotContact), charts.Number(f.AvgFit),
			fmt.Sprint(f.Won), charts.Number(f.WonValue), fmt.Sprint(f.Credits), perWon})
	}
	return charts.Page{Title: "haloleads: sources", Subtitle: "What each original source brought, and the provider credits pulls spent on it.",
		Sections: []charts.Section{
			{Heading: "Leads by original source", Chart: leads},
			{Heading: "Credits spent by provider", Note: "Credits of the scheduled and manual pulls (exports cost no credits here).", Chart: credits},
			{Heading: "Figures", Table: table},
		}}
}

func printSourceFigures(w io.Writer, fs []sourceFigures) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SOURCE\tLEADS\tDNC\tAVG FIT\tWON\tWON VALUE\tCREDITS\tCREDITS/WON\t")
	for _, f := range fs {
		perWon := "-"
		if f.Won > 0 {
			perWon = charts.Number(f.CreditsPerWon)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\t%d\t%s\t\n", sourceLabel(f.Source), f.Leads, f.DoNotContact,
			charts.Number(f.AvgFit), f.Won, charts.Number(f.WonValue), f.Credits, perWon)
	}
	_ = tw.Flush()
}

// qualityFigures are `report quality`: the data quality of each source's leads.
type qualityFigures struct {
	Source     string  `json:"source"`
	Leads      int     `json:"leads"`
	AvgQuality float64 `json:"avg_quality"`
	Low        int     `json:"quality_below_40"`
	Medium     int     `json:"quality_40_to_69"`
	High       int     `json:"quality_70_up"`
	WithEmail  float64 `json:"with_email_pct"`
	WithPhone  float64 `json:"with_phone_pct"`
}

func buildQuality(leads []leadFacts) []qualityFigures {
	groups := bySource(leads)
	out := []qualityFigures{}
	for _, s := range sourceOrder(leads) {
		ls := groups[s]
		q := qualityFigures{Source: s, Leads: len(ls)}
		total, email, phone := 0, 0, 0
		for _, l := range ls {
			total += l.Quality
			switch {
			case l.Quality < 40:
				q.Low++
			case l.Quality < 70:
				q.Medium++
			default:
				q.High++
			}
			if l.Email {
				email++
			}
			if l.Phone {
				phone++
			}
		}
		q.AvgQuality = float64(int(10*float64(total)/float64(len(ls))+0.5)) / 10
		q.WithEmail, q.WithPhone = pct(email, len(ls)), pct(phone, len(ls))
		out = append(out, q)
	}
	return out
}

func qualityPage(qs []qualityFigures) charts.Page {
	dist := &charts.Bars{Series: []string{"quality 70+", "40-69", "below 40"}}
	avg := &charts.Bars{}
	table := &charts.Table{Header: []string{"source", "leads", "avg quality", "70+", "40-69", "below 40", "with e-mail", "with phone"}}
	for _, q := range qs {
		label := sourceLabel(q.Source)
		dist.Rows = append(dist.Rows, charts.Row{Label: label, Values: []float64{float64(q.High), float64(q.Medium), float64(q.Low)}})
		avg.Rows = append(avg.Rows, charts.Row{Label: label, Values: []float64{q.AvgQuality}})
		table.Rows = append(table.Rows, []string{label, fmt.Sprint(q.Leads), charts.Number(q.AvgQuality), fmt.Sprint(q.High),
			fmt.Sprint(q.Medium), fmt.Sprint(q.Low), charts.Number(q.WithEmail) + "%", charts.Number(q.WithPhone) + "%"})
	}
	return charts.Page{Title: "haloleads: data quality", Subtitle: "Data-quality scores (0-100, as the design doc) of the running leads, by original source.",
		Sections: []charts.Section{
			{Heading: "Leads by quality band", Chart: dist},
			{Heading: "Average quality", Chart: avg},
			{Heading: "Figures", Table: table},
		}}
}

func printQuality(w io.Writer, qs []qualityFigures) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SOURCE\tLEADS\tAVG QUALITY\t70+\t40-69\t<40\tE-MAIL\tPHONE\t")
	for _, q := range qs {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%s%%\t%s%%\t\n", sourceLabel(q.Source), q.Leads, charts.Number(q.AvgQuality),
			q.High, q.Medium, q.Low, charts.Number(q.WithEmail), charts.Number(q.WithPhone))
	}
	_ = tw.Flush()
}

// pullCredits adds up the credits of the closed pull runs, per provider (a failed pull reports
// what it spent in its error).
func pullCredits(ctx context.Context, c client.Client) (map[lead.Source]int, error) {
	out := map[lead.Source]int{}
	q := "WorkflowType = '" + leadflow.PullWorkflow + "' AND (ExecutionStatus = 'Completed' OR ExecutionStatus = 'Failed')"
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, PageSize: 200, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("listing pulls: %w", err)
		}
		for _, ex := range resp.GetExecutions() {
			status := ex.GetStatus()
			if status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED && status != enumspb.WORKFLOW_EXECUTION_STATUS_FAILED {
				continue
			}
			var res leadflow.PullResult
			err := c.GetWorkflow(ctx, ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()).Get(ctx, &res)
			if failed, _, ok := pullFailed(err); ok {
				res, err = failed, nil // a failed pull spent its credits all the same
			} else if status == enumspb.WORKFLOW_EXECUTION_STATUS_FAILED {
				continue // failed before reporting anything (an older pull)
			}
			if err != nil {
				return nil, fmt.Errorf("reading pull %s: %w", ex.GetExecution().GetWorkflowId(), err)
			}
			for s, n := range res.CreditsBy {
				out[s] += n
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out, nil
		}
	}
}

// chartReport is one of `report funnel|sources|quality`.
type chartReport struct {
	name, short string
	build       func(ctx context.Context, c client.Client, leads []leadFacts) (data any, page charts.Page, text func(io.Writer), err error)
}

func chartReports() []chartReport {
	return []chartReport{
		{"funnel", "leads per stage by source, conversion between stages, won value by original source",
			func(_ context.Context, _ client.Client, leads []leadFacts) (any, charts.Page, func(io.Writer), error) {
				r := buildFunnel(leads)
				return r, r.page(), func(w io.Writer) { printFunnel(w, r) }, nil
			}},
		{"sources", "leads, Do Not Contact, fit, won deals and provider credits per source (and per won deal)",
			func(ctx context.Context, c client.Client, leads []leadFacts) (any, charts.Page, func(io.Writer), error) {
				credits, err := pullCredits(ctx, c)
				if err != nil {
					return nil, charts.Page{}, nil, err
				}
				fs := buildSources(leads, credits)
				return fs, sourcesPage(fs), func(w io.Writer) { printSourceFigures(w, fs) }, nil
			}},
		{"quality", "data quality by source: average score, quality bands, e-mail and phone coverage",
			func(_ context.Context, _ client.Client, leads []leadFacts) (any, charts.Page, func(io.Writer), error) {
				qs := buildQuality(leads)
				return qs, qualityPage(qs), func(w io.Writer) { printQuality(w, qs) }, nil
			}},
	}
}

func newChartReportCmd(io IO, r chartReport) *cobra.Command {
	var html string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   r.name,
		Short: r.short,
		Long: "Report " + r.short + ", over the running leads (each lead is asked for its state).\n" +
			"--html writes one self-contained HTML file with SVG charts (no script, nothing fetched).",
		Example: fmt.Sprintf("  starter report %s\n  starter report %s --html %s.html\n  starter report %s --json", r.name, r.name, r.name, r.name),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return withTemporal(ctx, io, func(c client.Client) error {
				leads, err := gatherLeads(ctx, c)
				if err != nil {
					return err
				}
				data, page, text, err := r.build(ctx, c, leads)
				if err != nil {
					return err
				}
				if html != "" {
					if err := writeHTML(html, page); err != nil {
						return err
					}
					fmt.Fprintf(io.Stderr, "Wrote %s.\n", html)
				}
				if asJSON {
					return writeJSON(io.Stdout, data)
				}
				if html == "" {
					text(io.Stdout)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&html, "html", "", "also write the report as a self-contained HTML `FILE` with charts")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as JSON")
	return cmd
}

func writeHTML(path string, p charts.Page) error {
	var b strings.Builder
	if err := charts.Write(&b, p); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
