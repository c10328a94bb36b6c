package leadflow

import (
	"fmt"

	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
)

// Listing is what a lead workflow publishes to Temporal's visibility: its search attributes
// (visibility.LeadStage and the others) and the name in its memo.
type Listing struct {
	Stage        lifecycle.Stage  `json:"stage"`
	Status       lifecycle.Status `json:"status"`
	Source       string           `json:"source,omitempty"`
	Company      string           `json:"company,omitempty"`
	Fit          int              `json:"fit,omitempty"`
	DoNotContact bool             `json:"do_not_contact,omitempty"`
	Name         string           `json:"name"`
}

// ListingOf is the listing of a lead's state.
func ListingOf(st *LeadState) Listing {
	l := st.Lead
	source := ""
	if len(l.Sources) > 0 {
		source = string(l.Sources[0])
	}
	return Listing{
		Stage: st.Stage, Status: st.Status, Source: source, Company: l.Get(lead.Company),
		Fit: st.Fit, DoNotContact: st.Data.DoNotContact,
		Name: fmt.Sprintf("%s %s — %s", l.Get(lead.FirstName), l.Get(lead.LastName), l.Get(lead.Company)),
	}
}

// Key identifies the listing's search attributes (not its name): a workflow upserts them only
// when the key changes.
func (l Listing) Key() string {
	return fmt.Sprint(l.Stage, l.Status, l.Source, l.Company, l.Fit, l.DoNotContact)
}

// NewLeadListing is the listing a new lead's workflow has once it has answered its first
// offer o (a lead at New Lead holding the offered record, its fit and Do Not Contact as
// PlanOffer decides them), for the import to start the workflow with it: the workflow then
// upserts nothing when it answers (LeadInput.Listed).
func NewLeadListing(id string, o Offer) Listing {
	st := &LeadState{LeadID: id, Stage: lifecycle.Lead, Status: lifecycle.NewLead}
	plan := PlanOffer(st, o)
	st.Lead, st.Fit, st.Data.DoNotContact = o.Lead, plan.Fit, plan.DoNotContact
	return ListingOf(st)
}
