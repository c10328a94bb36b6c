// Package enrich completes the records a pull buys. A Plan is the enrichment waterfall: for each
// missing field (a verified email, a direct phone, company data) the providers to ask, in order,
// under a per-run credit budget. Each provider's answers become records of that provider, so the
// import's merge (package dedupe) records which provider supplied which field.
//
// The package also holds what a pull hands on: the query syntax of `starter pull` and schedules
// (ParseQuery), and the provider-format CSV files the import reads (EncodeExport, DecodeExport).
package enrich

import (
	"slices"

	"haloleads/internal/lead"
)

// Rule is one rung of the waterfall: the fields it fills and the providers asked, in order,
// until every record that needs it has it.
type Rule struct {
	// Name says what the rule is for, for reports ("direct phone").
	Name string `json:"name"`
	// Fields are what the rule fills. A record needs the rule while one of them is missing.
	Fields []lead.Field `json:"fields"`
	// Accept lists the values that count as filled; empty means any value does. Email
	// verification accepts only a verifier's verdict ("valid", "invalid"), so a guessed or
	// unknown status is asked again.
	Accept []string `json:"accept,omitempty"`
	// Requires are the fields the providers look a record up by; a record without them is
	// not asked about.
	Requires []lead.Field `json:"requires,omitempty"`
	// Providers are asked in this order.
	Providers []lead.Source `json:"providers"`
}

// Plan is a waterfall: its rules, applied in order.
type Plan []Rule

// DefaultPlan is the waterfall of the design doc: Hunter verifies emails, ZoomInfo then Lusha
// find direct phones, UpLead fills company data.
func DefaultPlan() Plan {
	return Plan{
		{Name: "email verification", Fields: []lead.Field{lead.EmailStatus}, Accept: []string{"valid", "invalid"},
			Requires: []lead.Field{lead.Email}, Providers: []lead.Source{lead.Hunter}},
		{Name: "direct phone", Fields: []lead.Field{lead.PhoneDirect},
			Providers: []lead.Source{lead.ZoomInfo, lead.Lusha}},
		{Name: "company data", Fields: []lead.Field{lead.Industry, lead.Employees, lead.Revenue},
			Providers: []lead.Source{lead.UpLead}},
	}
}

// Needs reports whether a record with values v should be asked about: it lacks one of the
// rule's fields, has every field its providers need, and may be contacted at all (a Do Not
// Contact person is not worth a credit).
func (r Rule) Needs(v lead.Values) bool {
	if v.DoNotContactFlag() {
		return false
	}
	for _, f := range r.Requires {
		if v[f] == "" {
			return false
		}
	}
	for _, f := range r.Fields {
		if !r.filled(v[f]) {
			return true
		}
	}
	return false
}

// filled reports whether value counts as filled under the rule.
func (r Rule) filled(value string) bool {
	return value != "" && (len(r.Accept) == 0 || slices.Contains(r.Accept, value))
}

// Sources returns every provider the plan may ask, in first-use order.
func (p Plan) Sources() []lead.Source {
	var out []lead.Source
	for _, r := range p {
		for _, s := range r.Providers {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
