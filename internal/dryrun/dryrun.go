// Package dryrun describes what an import would do to HaloPSA, lead by lead, without doing it:
// the leads it would create, the fields it would update (old → new), the fields it would keep
// because a person changed them, the leads left unchanged and those landing as Do Not Contact,
// and the HaloPSA requests and rate-limit windows the writes would cost.
//
// A dry run's LandBatch activity builds one Batch per staged batch (Diff, Cost) and keeps it in
// the store, outside the import's history (which holds counts, never people); the CLI gathers the
// batches into a Report once the import is done and prints it.
package dryrun

import (
	"cmp"
	"slices"
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

// Change is what the import would do to one lead.
type Change struct {
	LeadID string          `json:"lead_id"`
	Name   string          `json:"name,omitempty"` // the person as a salesperson knows them
	Action leadflow.Action `json:"action"`
	// Status is the lead's status after the import; From the status it has now ("" for a new
	// lead). They differ only when the import would change it.
	Status lifecycle.Status `json:"status"`
	From   lifecycle.Status `json:"from,omitempty"`
	// Fields are the values written: every value of a new lead, each changed value of an update.
	Fields []FieldChange `json:"fields,omitempty"`
	// Kept are the fields the import would leave as they are in HaloPSA, and why.
	Kept         []Kept `json:"kept,omitempty"`
	DoNotContact bool   `json:"do_not_contact,omitempty"`
	// Invalid says why a new lead would land as Invalid Data.
	Invalid string `json:"invalid,omitempty"`
	// Sources are the providers whose rows were merged into the lead.
	Sources []lead.Source `json:"sources,omitempty"`
}

// FieldChange is one value written: Old is what HaloPSA holds now ("" for none).
type FieldChange struct {
	Field lead.Field `json:"field"`
	Old   string     `json:"old,omitempty"`
	New   string     `json:"new"`
	// Source is the provider the new value comes from.
	Source lead.Source `json:"source,omitempty"`
}

// Kept is a field the import leaves alone: HaloPSA's value, the one the import brought, and why.
type Kept struct {
	Field   lead.Field `json:"field"`
	Halo    string     `json:"halo,omitempty"`
	Offered string     `json:"offered,omitempty"`
	Reason  string     `json:"reason"`
}

// Diff is the change a plan makes to a lead whose workflow state is st, offered o.
func Diff(st *leadflow.LeadState, o leadflow.Offer, p leadflow.Plan) Change {
	c := Change{LeadID: p.LeadID, Name: displayName(o.Lead.Values), Action: p.Action, Status: p.Status,
		DoNotContact: p.DoNotContact, Sources: o.Lead.Sources}
	if p.Action == leadflow.ActionCreate {
		c.Invalid = o.Invalid
	} else {
		c.From = st.Status
	}
	// What HaloPSA holds now, as the plan saw it (leadflow.PlanOffer).
	current := leadflow.Overlay(leadflow.Overlay(st.Written, st.Seen), o.Current)
	for _, f := range p.Write.SortedFields() {
		old := current[f]
		if p.Action == leadflow.ActionCreate {
			old = ""
		}
		c.Fields = append(c.Fields, FieldChange{Field: f, Old: old, New: p.Write[f], Source: o.Lead.Prov[f].Source})
	}
	for _, k := range p.Preserved {
		c.Kept = append(c.Kept, Kept{Field: k.Field, Halo: current[k.Field], Offered: o.Lead.Values[k.Field], Reason: k.Reason})
	}
	slices.SortFunc(c.Kept, func(a, b Kept) int { return cmp.Compare(a.Field, b.Field) })
	return c
}

// displayName is the person's name, or their e-mail address when the row has no name.
func displayName(v lead.Values) string {
	return cmp.Or(strings.TrimSpace(v[lead.FirstName]+" "+v[lead.LastName]), v[lead.Email])
}

// Cost is what writing a batch would cost in HaloPSA requests. Writes is exact for the plans
// (one array POST per resource and step, as the import sends them, when HaloPSA refuses none);
// Reads is a lower bound: the newest ids, one look-up per upsert, the tags (read-backs that page,
// recoveries of ids an answer left out and re-reads of the tenant's set-up come on top).
type Cost struct {
	Writes int `json:"writes"`
	Reads  int `json:"reads"`
}

// Requests is the total.
func (c Cost) Requests() int { return c.Writes + c.Reads }

// Add sums two costs.
func (c Cost) Add(o Cost) Cost { return Cost{Writes: c.Writes + o.Writes, Reads: c.Reads + o.Reads} }

// Batch is what one staged batch would do.
type Batch struct {
	Batch   int      `json:"batch"`
	Changes []Change `json:"changes"`
	Cost    Cost     `json:"cost"`
}
