package leadflow

import (
	"slices"

	"haloleads/internal/lead"

	"haloleads/internal/lifecycle"
)

// PlanOffer decides what an import should write for a lead. It is a pure function of the lead's
// state and the offer, so the workflow stays deterministic and the rules are table-tested.
//
// Manual work is never overwritten: a field whose HaloPSA value differs from what haloleads last
// wrote (or that HaloPSA held before haloleads wrote anything) was set by a person, so it is
// pinned and left alone, now and in every later import.
func PlanOffer(st *LeadState, o Offer) Plan {
	halo := MergeIDs(st.Halo, o.Halo)
	incoming := o.Lead.Values
	dnc := o.Suppressed || incoming.DoNotContactFlag() || st.Data.DoNotContact ||
		st.Status == lifecycle.DoNotContact
	if dnc {
		incoming = withOptOut(incoming)
	}
	fit := o.Fit
	if o.PersonFit > 0 {
		fit = o.PersonFit // a person's judgement outranks the computed score
	}
	plan := Plan{
		LeadID:       st.LeadID,
		Halo:         halo,
		Fit:          fit,
		Quality:      o.Lead.Quality,
		DoNotContact: dnc,
	}
	if halo.TicketID == 0 {
		plan.Action = ActionCreate
		plan.StatusChanged = true
		plan.Status = lifecycle.NewLead
		switch {
		case dnc:
			plan.Status = lifecycle.DoNotContact
		case o.Invalid != "":
			plan.Status = lifecycle.InvalidData
			plan.Note = "Invalid Data: " + o.Invalid + "."
		}
		plan.Write = ownedValues(incoming)
		plan.Owned = plan.Write
		plan.Segments = lifecycle.Segments(incoming, fit, dnc)
		plan.Lists = lifecycle.Lists(plan.Segments, dnc)
		return plan
	}
	pinned := pinnedFields(st, o.Current)
	// Fields HaloPSA did not show (list rows carry no custom fields) count as unchanged since
	// haloleads wrote them, or as last seen through a webhook.
	current := Overlay(Overlay(st.Written, st.Seen), o.Current)
	status, updates, preserved := lifecycle.PlanImport(st.Status, current, st.Written, ownedValues(incoming), pinned)
	if dnc && status != lifecycle.DoNotContact {
		status = lifecycle.DoNotContact
	}
	plan.Status = status
	plan.StatusChanged = status != st.Status
	plan.Write = updates
	plan.Preserved = preserved
	plan.Owned = Overlay(st.Written, updates)
	for f := range pinned {
		// A person's value is written back as it is: custom fields go as a whole set.
		if cur := firstSet(o.Current[f], st.Seen[f]); cur != "" {
			plan.Owned[f] = cur
		}
	}
	plan.Segments = lifecycle.Segments(Overlay(incoming, plan.Owned), fit, dnc)
	plan.Lists = lifecycle.Lists(plan.Segments, dnc)
	for _, l := range st.Lists {
		if !slices.Contains(plan.Lists, l) {
			plan.Unlist = append(plan.Unlist, l)
		}
	}
	switch {
	case len(updates) > 0 || plan.StatusChanged || !slices.Equal(plan.Segments, st.Segments) || len(plan.Unlist) > 0 ||
		!slices.Equal(plan.Lists, st.Lists) || o.Fit != st.Fit || o.Lead.Quality != st.Quality:
		plan.Action = ActionUpdate
		if len(updates) > 0 || len(preserved) > 0 {
			plan.Note = lifecycle.AuditNote(updates, preserved)
		}
	default:
		plan.Action = ActionNone
	}
	return plan
}

// pinnedFields returns the fields a person changed in HaloPSA: those already pinned, those
// whose current value differs from what haloleads last wrote, and those HaloPSA held before
// haloleads wrote anything to them.
func pinnedFields(st *LeadState, current lead.Values) map[lead.Field]bool {
	pinned := map[lead.Field]bool{}
	for _, f := range st.Pinned {
		pinned[f] = true
	}
	for _, f := range lead.AllFields {
		cur, wrote := current[f], st.Written[f]
		if cur == "" || lifecycle.ClassOf(f) == lifecycle.OptOut {
			continue
		}
		if cur != wrote {
			pinned[f] = true
		}
	}
	return pinned
}

// ownedValues drops fields haloleads does not write to HaloPSA.
func ownedValues(v lead.Values) lead.Values {
	out := lead.Values{}
	for _, f := range lead.AllFields {
		if val := v[f]; val != "" {
			out[f] = val
		}
	}
	return out
}

func withOptOut(v lead.Values) lead.Values {
	out := Overlay(v, nil)
	out[lead.DoNotContact] = "true"
	return out
}

// Overlay returns a copy of base with top's values on it.
func Overlay(base, top lead.Values) lead.Values {
	out := make(lead.Values, len(base)+len(top))
	for _, f := range base.SortedFields() {
		out[f] = base[f]
	}
	for _, f := range top.SortedFields() {
		out[f] = top[f]
	}
	return out
}

func MergeIDs(a, b HaloIDs) HaloIDs {
	if a.ClientID == 0 {
		a.ClientID = b.ClientID
	}
	if a.SiteID == 0 {
		a.SiteID = b.SiteID
	}
	if a.UserID == 0 {
		a.UserID = b.UserID
	}
	if a.TicketID == 0 {
		a.TicketID = b.TicketID
	}
	return a
}

// AddPinned adds fields to the pinned list, keeping it sorted and unique.
func AddPinned(st *LeadState, fields ...lead.Field) {
	for _, f := range fields {
		if !st.IsPinned(f) {
			st.Pinned = append(st.Pinned, f)
		}
	}
	slices.Sort(st.Pinned)
}

func firstSet(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
