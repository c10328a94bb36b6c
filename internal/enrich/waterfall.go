package enrich

import (
	"context"
	"fmt"
	"haloleads/internal/leadflow"
	"maps"
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// Waterfall runs a Plan against provider clients.
type Waterfall struct {
	Plan Plan
	// Providers are the clients by source; a provider without a client (no credentials) is
	// passed over.
	Providers map[lead.Source]providers.Provider
	// Cost is the most credits one lookup at a provider may spend, 1 where absent. The budget
	// is checked with it before each call, so a call never starts that could overspend.
	Cost map[lead.Source]int
}

// Supply counts the values one provider supplied for one field; it is the type the Pull
// workflow reports, so the waterfall's counts pass through unchanged.
type Supply = leadflow.Supplied

// Failure is a provider the waterfall moved past because it refused (quota spent, bad request).
type Failure struct {
	Rule   string      `json:"rule"`
	Source lead.Source `json:"source"`
	Error  string      `json:"error"`
}

// Result is what a waterfall run bought.
type Result struct {
	// Records are the providers' answers, one record per person and provider that supplied a
	// missing field or an opt-out: the person's identity (email, or name at company), the
	// supplied fields and any opt-out flags, under the supplying provider's Source.
	Records []lead.Record `json:"-"`
	// Credits are the credits spent per provider; Spent is their sum.
	Credits map[lead.Source]int `json:"credits"`
	Spent   int                 `json:"spent"`
	// Supplied counts the values each provider supplied, in the order first supplied.
	Supplied []Supply `json:"supplied,omitempty"`
	// BudgetExhausted is set when records that needed a rule were left unasked for want of
	// credits.
	BudgetExhausted bool      `json:"budget_exhausted,omitempty"`
	Failures        []Failure `json:"failures,omitempty"`
}

// Run asks the plan's providers about recs, spending at most budget credits. recs are not
// changed. A provider error that a later attempt may get past (rate limited, unreachable) ends
// the run with that error and the result so far, so the caller can retry when the provider
// says; any other error (quota spent, refused) passes the rule on to its next provider and is
// listed in Failures. after, when not nil, sees the result after each provider call.
func (w Waterfall) Run(ctx context.Context, recs []lead.Record, budget int, after func(Result)) (Result, error) {
	res := Result{Credits: map[lead.Source]int{}}
	work := make([]lead.Values, len(recs))
	for i, r := range recs {
		work[i] = maps.Clone(r.Values)
	}
	for _, rule := range w.Plan {
		for _, src := range rule.Providers {
			client := w.Providers[src]
			asked := needing(rule, work)
			if client == nil || len(asked) == 0 {
				continue
			}
			if n := (budget - res.Spent) / w.cost(src); n < len(asked) {
				res.BudgetExhausted, asked = true, asked[:max(n, 0)]
			}
			if len(asked) == 0 {
				return res, nil
			}
			err := w.ask(ctx, client, rule, recs, work, asked, &res)
			if after != nil {
				after(res)
			}
			if err != nil && providers.IsRetryable(err) {
				return res, fmt.Errorf("asking %s for %s: %w", src, rule.Name, err)
			}
			if err != nil {
				res.Failures = append(res.Failures, Failure{Rule: rule.Name, Source: src, Error: err.Error()})
			}
		}
	}
	return res, nil
}

// cost is the most one lookup at src may spend.
func (w Waterfall) cost(src lead.Source) int {
	if c := w.Cost[src]; c > 0 {
		return c
	}
	return 1
}

// needing returns the positions of the records that need rule.
func needing(rule Rule, work []lead.Values) []int {
	var out []int
	for i, v := range work {
		if rule.Needs(v) {
			out = append(out, i)
		}
	}
	return out
}

// ask sends the records at positions asked to client and takes what it supplied into work and
// res. On error it still takes what the completed batches returned.
func (w Waterfall) ask(ctx context.Context, client providers.Provider, rule Rule, recs []lead.Record,
	work []lead.Values, asked []int, res *Result) error {
	in := make([]lead.Record, len(asked))
	for k, i := range asked {
		in[k] = lead.Record{Source: recs[i].Source, SourceID: recs[i].SourceID, SeenAt: recs[i].SeenAt,
			Values: maps.Clone(work[i])}
	}
	out, credits, err := client.Enrich(ctx, in)
	src := client.Source()
	res.Credits[src] += credits
	res.Spent += credits
	next := 0
	for _, got := range out {
		k := matchFrom(in, next, got)
		if k < 0 {
			continue
		}
		next = k + 1
		if rec, ok := take(rule, work[asked[k]], got, res); ok {
			res.Records = append(res.Records, rec)
		}
	}
	return err
}

// complianceFields are the opt-out flags, kept from every answer whatever the rule.
var complianceFields = []lead.Field{lead.DoNotContact, lead.DoNotCall, lead.EmailOptOut}

// take copies into v the fields of got that rule fills and v lacks (a verifier's "unknown"
// replaces a guess, and the rule's next provider is still asked), and got's opt-out flags,
// counting the supplies in res. It returns the record to import: v's identity with what got
// supplied, under got's source; ok is false when got supplied nothing.
func take(rule Rule, v lead.Values, got lead.Record, res *Result) (lead.Record, bool) {
	rec := lead.Record{Source: got.Source, SourceID: got.SourceID, SeenAt: got.SeenAt, Values: identity(v)}
	supplied := false
	for _, f := range rule.Fields {
		if rule.filled(v[f]) || got.Get(f) == "" {
			continue
		}
		v[f], rec.Values[f], supplied = got.Get(f), got.Get(f), true
		countSupply(res, Supply{Rule: rule.Name, Field: f, Source: got.Source, Count: 1})
	}
	for _, f := range complianceFields {
		if got.Get(f) == "true" {
			v[f], rec.Values[f], supplied = "true", "true", true
		}
	}
	return rec, supplied
}

// identity is what identifies the person of v to the import: the email, or else the name at
// the company.
func identity(v lead.Values) lead.Values {
	if v[lead.Email] != "" {
		return lead.Values{lead.Email: v[lead.Email]}
	}
	out := lead.Values{}
	for _, f := range []lead.Field{lead.FirstName, lead.LastName, lead.Company, lead.Domain, lead.Website} {
		if v[f] != "" {
			out[f] = v[f]
		}
	}
	return out
}

// countSupply adds s to res.Supplied.
func countSupply(res *Result, s Supply) {
	for i, have := range res.Supplied {
		if have.Rule == s.Rule && have.Field == s.Field && have.Source == s.Source {
			res.Supplied[i].Count += s.Count
			return
		}
	}
	res.Supplied = append(res.Supplied, s)
}

// matchFrom returns the position, from start on, of the input that got answers, or -1. Providers
// answer in input order and leave out inputs they did not match, so the scan moves forward.
func matchFrom(in []lead.Record, start int, got lead.Record) int {
	for k := start; k < len(in); k++ {
		if samePerson(in[k], got) {
			return k
		}
	}
	return -1
}

// samePerson reports whether got is an answer about a: same provider id, email, LinkedIn URL or
// first and last name.
func samePerson(a, got lead.Record) bool {
	switch {
	case a.Source == got.Source && a.SourceID != "" && got.SourceID != "":
		return a.SourceID == got.SourceID
	case a.Get(lead.Email) != "" && got.Get(lead.Email) != "":
		return strings.EqualFold(a.Get(lead.Email), got.Get(lead.Email))
	case a.Get(lead.LinkedIn) != "" && got.Get(lead.LinkedIn) != "":
		return strings.EqualFold(strings.TrimSuffix(a.Get(lead.LinkedIn), "/"), strings.TrimSuffix(got.Get(lead.LinkedIn), "/"))
	}
	return a.Get(lead.FirstName) != "" && strings.EqualFold(a.Get(lead.FirstName), got.Get(lead.FirstName)) &&
		strings.EqualFold(a.Get(lead.LastName), got.Get(lead.LastName))
}
