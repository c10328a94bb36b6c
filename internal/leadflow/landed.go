package leadflow

import (
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
)

// NewLeadState is the state of a lead whose workflow has not answered anything yet.
func NewLeadState(id string) LeadState {
	return LeadState{LeadID: id, Stage: lifecycle.Lead, Status: lifecycle.NewLead}
}

// PlanNewLead is the plan a new lead's workflow answers its first offer o with: PlanOffer on
// NewLeadState, with the stage and data the workflow adds to it (workflows leadRun.offer).
func PlanNewLead(id string, o Offer) Plan {
	st := NewLeadState(id)
	o.PersonFit = st.Data.Qualification.FitScore
	plan := PlanOffer(&st, o)
	data := st.Data
	plan.Stage, plan.Data = st.Stage, &data
	return plan
}

// LandedState is the state a new lead's workflow holds once it has answered its first offer o
// with plan (PlanOffer on NewLeadState) and applied the Landed signal l of that plan (nil when
// the plan writes nothing): what the Lead workflow's offer update and Landed signal make of a
// new lead, with every change of the workflow up to lead-baseline-1 on. An import that lands
// a new lead itself starts the lead's workflow with it (LeadInput.State): one start and one
// workflow task instead of an update-with-start, a signal and a second workflow task.
//
// at is when the lead entered the stage it lands in, when that is not the Lead stage it
// started in (the workflow records the first stage of a state without stages itself).
// workflows TestLandedStateIsTheOffersAndSignals checks it against the workflow.
func LandedState(id string, o Offer, plan Plan, l *Landed, at time.Time) LeadState {
	st := NewLeadState(id)
	// The offer update (workflows leadRun.offer).
	st.Events++
	st.Lead = o.Lead
	st.Fit, st.Quality = plan.Fit, o.Lead.Quality
	st.Halo = plan.Halo
	var offered *OfferRef
	var pending lead.Values
	if plan.Action != ActionNone {
		offered = &OfferRef{RunID: o.RunID, Batch: o.Batch, From: st.Status}
		pending = plan.Owned
		if plan.StatusChanged && plan.Action == ActionUpdate {
			st.Echoes = append(st.Echoes, plan.Status)
		}
	}
	for _, p := range plan.Preserved {
		if p.Reason == lifecycle.ReasonEdited {
			AddPinned(&st, p.Field)
		}
	}
	if plan.DoNotContact {
		st.Data.DoNotContact = true
	}
	if l == nil || offered == nil {
		st.Offered, st.Pending = offered, pending
		return st
	}
	// The Landed signal (workflows leadRun.onLandedOrdered).
	st.Events++
	st.Halo = MergeIDs(l.Halo, st.Halo)
	if !offered.Answers(*l) {
		st.Offered, st.Pending = offered, pending
		return st
	}
	if l.Abandoned {
		if l.Halo.UserID != 0 {
			st.Written = Overlay(st.Written, pending)
		}
		return st
	}
	st.Written = Overlay(st.Written, l.Written)
	if l.Status != "" && l.Status != st.Status && st.Status == offered.From {
		if stage := l.Status.StageOf(); stage != st.Stage {
			st.Stages = []StageEntry{{Stage: st.Stage, Entered: at}, {Stage: stage, Entered: at}}
		}
		st.Status, st.Stage, st.HaloStatus = l.Status, l.Status.StageOf(), l.Status
	}
	st.Segments, st.Lists = l.Segments, l.Lists
	return st
}

// LandedOf is the Landed signal that tells a lead its plan landed in batch of run with the
// HaloPSA ids halo, or, when abandoned, that it did not (halo: the records that exist).
func LandedOf(runID string, batch int, p Plan, halo HaloIDs, abandoned bool) Landed {
	if abandoned {
		return Landed{RunID: runID, Batch: batch, Halo: halo, Abandoned: true}
	}
	return Landed{RunID: runID, Batch: batch, Halo: halo, Written: p.Write, Status: p.Status,
		Segments: p.Segments, Lists: p.Lists}
}
