package lifecycle

import (
	"fmt"
	"strings"
	"time"
)

// QualificationData is what a prospect must show to become Qualified (the design doc's
// qualification criteria: pain, budget, authority, timeline and fit).
type QualificationData struct {
	PainPoints        string `json:"pain_points,omitempty"`
	QualifiedServices string `json:"qualified_services,omitempty"`
	DecisionMaker     string `json:"decision_maker,omitempty"`
	BudgetRange       string `json:"budget_range,omitempty"`
	Timeframe         string `json:"timeframe,omitempty"`
	FitScore          int    `json:"fit_score,omitempty"` // 0-100
	Notes             string `json:"notes,omitempty"`
}

// OpportunityData is the sales data of an opportunity. In HaloPSA, Value is oppvalue,
// Probability oppconversionprobability, Competitors oppcompetitors and WinLossReason oppreason.
type OpportunityData struct {
	Value            float64 `json:"value,omitempty"` // in the tenant's currency
	ProductsServices string  `json:"products_services,omitempty"`
	Probability      int     `json:"probability,omitempty"`    // percent, 0-100
	ExpectedClose    string  `json:"expected_close,omitempty"` // YYYY-MM-DD
	Quotes           string  `json:"quotes,omitempty"`
	Competitors      string  `json:"competitors,omitempty"`
	WinLossReason    string  `json:"win_loss_reason,omitempty"`
}

// Data is what the rules look at besides the statuses themselves.
type Data struct {
	Qualification QualificationData `json:"qualification"`
	Opportunity   OpportunityData   `json:"opportunity"`
	// DoNotContact is set when the person has opted out by any route (a flag on the lead, the
	// suppression list, a call). Then the only allowed move is to Do Not Contact.
	DoNotContact bool `json:"do_not_contact,omitempty"`
}

// ExpectedCloseLayout is the layout of OpportunityData.ExpectedClose.
const ExpectedCloseLayout = "2006-01-02"

// problems collects what stands in the way of a status: required fields left empty (absent) and
// fields whose value fails a criterion (failed, each explained by a note), in the order found.
type problems struct {
	absent []string
	failed []string
	notes  []string
}

// need records label as absent when ok is false.
func (p *problems) need(ok bool, label string) {
	if !ok {
		p.absent = append(p.absent, label)
	}
}

// fail records label as failing a criterion, explained by a sentence.
func (p *problems) fail(label, format string, args ...any) {
	p.failed = append(p.failed, label)
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

// empty reports whether nothing was found.
func (p *problems) empty() bool { return len(p.absent)+len(p.failed) == 0 }

// missing lists every field to fix: the absent ones, then the failing ones.
func (p *problems) missing() []string {
	return append(append([]string(nil), p.absent...), p.failed...)
}

// reason is the sentence a salesperson reads: which fields to fill in, then the other failures.
func (p *problems) reason() string {
	var parts []string
	if len(p.absent) > 0 {
		parts = append(parts, "missing "+strings.Join(p.absent, ", "))
	}
	return strings.Join(append(parts, p.notes...), "; ")
}

// checkQualified adds what q lacks to be Qualified at the given fit threshold.
func checkQualified(p *problems, q QualificationData, threshold int) {
	p.need(filled(q.PainPoints), "Confirmed Pain Points")
	p.need(filled(q.QualifiedServices), "Qualified Services")
	p.need(filled(q.DecisionMaker), "Decision Maker")
	p.need(filled(q.BudgetRange), "Budget Range")
	p.need(filled(q.Timeframe), "Timeframe")
	if q.FitScore < threshold {
		p.fail("Fit Score", "Fit Score %d is below the required %d", q.FitScore, threshold)
	}
}

// checkOpportunity adds what o lacks to be an opportunity (lost: one being closed as Lost).
func checkOpportunity(p *problems, o OpportunityData, lost bool) {
	p.need(o.Value > 0, "Opportunity Value")
	p.need(filled(o.ProductsServices), "Products/Services")
	switch {
	case o.Probability == 0 && !lost:
		// 0 is what an unset probability reads as: required means given. Only a lost deal
		// may be at 0%.
		p.need(false, "Probability %")
	case o.Probability < 0 || o.Probability > 100:
		p.fail("Probability %", "Probability %d%% is outside 0-100", o.Probability)
	}
	switch {
	case !filled(o.ExpectedClose):
		p.need(false, "Expected Close Date")
	case !validDate(o.ExpectedClose):
		p.fail("Expected Close Date", "Expected Close Date %q is not a date (YYYY-MM-DD)", clip(o.ExpectedClose))
	}
}

// checkClosed adds what o lacks to be Won or Lost. The design doc marks Win/Loss Reason
// optional; teams that want it set Config.RequireWinLossReason.
func checkClosed(p *problems, o OpportunityData, cfg Config) {
	if cfg.RequireWinLossReason {
		p.need(filled(o.WinLossReason), "Win/Loss Reason")
	}
}

// required returns what d lacks to enter to, the problems being empty when nothing is missing.
func required(to Status, d Data, cfg Config) problems {
	var p problems
	switch {
	case to == Qualified:
		checkQualified(&p, d.Qualification, cfg.FitThreshold)
	case to.StageOf() == Opportunity:
		checkOpportunity(&p, d.Opportunity, to == Lost)
		if to == Won || to == Lost {
			checkClosed(&p, d.Opportunity, cfg)
		}
	}
	return p
}

// filled reports whether s holds more than white space.
func filled(s string) bool { return strings.TrimSpace(s) != "" }

// validDate reports whether s is a calendar date in ExpectedCloseLayout.
func validDate(s string) bool {
	_, err := time.Parse(ExpectedCloseLayout, strings.TrimSpace(s))
	return err == nil
}

// clip shortens s for quoting in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

// Overlay returns d with the values h holds put over it: a field HaloPSA shows filled is what
// a person (or haloleads) put there and wins; an empty one leaves d's value (a field the
// ticket's type does not show reads empty). DoNotContact is d's.
func (d Data) Overlay(h Data) Data {
	str := func(dst *string, v string) {
		if filled(v) {
			*dst = strings.TrimSpace(v)
		}
	}
	q, hq := &d.Qualification, h.Qualification
	str(&q.PainPoints, hq.PainPoints)
	str(&q.QualifiedServices, hq.QualifiedServices)
	str(&q.DecisionMaker, hq.DecisionMaker)
	str(&q.BudgetRange, hq.BudgetRange)
	str(&q.Timeframe, hq.Timeframe)
	str(&q.Notes, hq.Notes)
	if hq.FitScore > 0 {
		q.FitScore = hq.FitScore
	}
	o, ho := &d.Opportunity, h.Opportunity
	if ho.Value > 0 {
		o.Value = ho.Value
	}
	if ho.Probability > 0 {
		o.Probability = ho.Probability
	}
	str(&o.ProductsServices, ho.ProductsServices)
	str(&o.ExpectedClose, ho.ExpectedClose)
	str(&o.Quotes, ho.Quotes)
	str(&o.Competitors, ho.Competitors)
	str(&o.WinLossReason, ho.WinLossReason)
	return d
}
