// Package workflows holds haloleads' Temporal workflows: one entity workflow per lead (Lead →
// Prospect → Opportunity) and the import workflow that lands bought data in bulk. Workflow code
// is deterministic: every side effect is an activity, every rule a plain function in internal/.
package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"haloleads/activities"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/visibility"
)

// Changes behind workflow.GetVersion.
const (
	// changePersonFit: an offer plans with the fit score a person set (segments, Fit Score).
	changePersonFit = "person-fit"
	// changeRegroup: set-data and promotion recompute the segments and lists (hot, warm, cold
	// follow a fit score a person sets).
	changeRegroup = "regroup"
	// changeAutoConvertOnCall: a call outcome that makes a lead Engaged converts it to a
	// prospect when AutoConvertEngaged is set, as a transition does.
	changeAutoConvertOnCall = "auto-convert-on-call"
	// changeAutoConvertOnHalo: so does a move to Engaged made in HaloPSA.
	changeAutoConvertOnHalo = "auto-convert-on-halo"
	// changeOfferAwaitsLanding: an offer waits (up to offerWait) for an outstanding offer of
	// another import run or batch to land before it plans, so that it plans on what that one
	// wrote (a "landed" signal delivered after the next import's offer was lost for the plan).
	changeOfferAwaitsLanding = "offer-awaits-landing"
	// changeMergedNotes: rule-violation notes are written at most once per noteEvery per lead;
	// those flagged in between are merged into the next one.
	changeMergedNotes = "merged-violation-notes"
	// changeNotesDrain: the note flush goes on until the queue is empty (a note flagged while
	// another was being written waited for the next violation), and a run that starts with
	// queued notes (carried across Continue-As-New, or kept by a quiet end) flushes them.
	changeNotesDrain = "notes-drain"
)

// autoConvert promotes an Engaged lead to a prospect after a change seen in HaloPSA, taking the
// lifecycle lock like an update; a failure is logged and leaves the lead Engaged.
func (r *leadRun) autoConvert(ctx workflow.Context) {
	if err := r.ops.Lock(ctx); err != nil {
		return
	}
	defer r.ops.Unlock()
	if r.st.Status != lifecycle.Engaged { // an update got there first
		return
	}
	if err := r.doPromote(ctx, leadflow.PromoteRequest{}); err != nil {
		workflow.GetLogger(ctx).Error("auto-converting the engaged lead failed", "error", err)
	}
}

// regroup asks a data write or promotion to recompute the lead's segments and lists.
func (r *leadRun) regroup() activities.Regroup {
	return activities.Regroup{Enabled: true, UserID: r.st.Halo.UserID, Lists: r.st.Lists, DoNotContact: r.st.Data.DoNotContact}
}

const (
	defaultMaxEvents = 2000
	maxSeenEvents    = 64
	// maxEchoes bounds the status writes remembered until HaloPSA's webhook reports them back.
	maxEchoes = 8
	// landingWait bounds how long a lifecycle update waits for an outstanding import offer to
	// land (LandBatch's start-to-close timeout); after it the offer counts as abandoned.
	landingWait = 30 * time.Minute
	// offerWait bounds how long an import offer waits for another import's outstanding offer
	// to land; after it that offer counts as abandoned (its import was terminated).
	offerWait = 2 * time.Minute
	// noteEvery is the least time between two rule-violation notes on a lead's ticket.
	noteEvery = 10 * time.Minute
	// maxMergedNotes bounds the lines of a merged note (the rest are counted).
	maxMergedNotes = 20
)

// Versions of the lead workflow (workflow.GetVersion), newest last.
const (
	// changeOrderedLanding: a Landed signal applies only to the offer it answers (run and
	// batch); lifecycle updates wait for an outstanding offer to land; offers take the
	// lifecycle lock; pending writes and echoes are carried across Continue-As-New.
	changeOrderedLanding = "ordered-landing"
	// changeAdoptHalo: a change seen in HaloPSA brings the ticket's qualification and
	// opportunity data and Fit Score, which the lead adopts before the status change is judged;
	// the ticket's status (HaloStatus, a tenant status mapped) is judged once per status seen;
	// an unmapped tenant status is reported.
	changeAdoptHalo = "adopt-halo"
	// changeStageTimes: the lead records when it entered each stage (LeadState.Stages), for
	// the funnel report's time in stage.
	changeStageTimes = "stage-times"
)

// leadRun is one run of a lead workflow: its state and the context to act in.
type leadRun struct {
	ctx      workflow.Context
	st       *leadflow.LeadState
	settings leadflow.Settings
	// busy counts handlers waiting on activities, so Continue-As-New never cuts one short.
	busy int
	// sa and memo are what was last upserted, to upsert only on change (each is a history event).
	sa, memo string
	// shown is the listing last published (search attributes and memo name), from
	// changeLeadBaseline on: the next run starts with it.
	shown leadflow.Listing
	// ops serialises the lifecycle updates, so each one is checked against the state it acts on.
	ops workflow.Mutex
	// echoes are statuses haloleads wrote whose "status changed" webhook has not come back yet:
	// seeing one is haloleads' own write, not a person's change.
	echoes []lifecycle.Status
	// pending is what an accepted import plan is writing until its Landed signal arrives: a
	// webhook showing these values reports haloleads' own write, not a person's edit.
	pending lead.Values
	// ordered is set from changeOrderedLanding on (see the constant).
	ordered bool
	// flushing is set while a coroutine waits to write the queued violation notes.
	flushing bool
	// adopt is set from changeAdoptHalo on (see the constant).
	adopt bool
	// stageTimes is set from changeStageTimes on.
	stageTimes bool
	// baseline is set from changeLeadBaseline on: the changes it stands for are on without
	// markers of their own (version).
	baseline bool
}

// Lead is the entity workflow of one lead. Its ID is the lead's stable identity. It owns the
// lifecycle: updates with validators change status, promote and log calls; a signal brings
// changes seen in HaloPSA; the import offers merged records and learns the HaloPSA ids back.
func Lead(ctx workflow.Context, in leadflow.LeadInput) error {
	r := &leadRun{ctx: ctx, st: in.State, settings: in.Settings, ops: workflow.NewMutex(ctx)}
	if r.settings.MaxEvents <= 0 {
		r.settings.MaxEvents = defaultMaxEvents
	}
	r.settings.Lifecycle = r.settings.Lifecycle.WithDefaults()
	if r.st == nil {
		r.st = &leadflow.LeadState{LeadID: in.LeadID, Stage: lifecycle.Lead, Status: lifecycle.NewLead}
	}
	r.baseline = r.baselineOf(ctx, in)
	r.ordered = r.version(ctx, changeOrderedLanding)
	if r.ordered {
		r.pending, r.echoes = r.st.Pending, r.st.Echoes
	}
	r.adopt = r.version(ctx, changeAdoptHalo)
	r.stageTimes = r.version(ctx, changeStageTimes)
	if r.stageTimes && len(r.st.Stages) == 0 {
		// A new lead enters its stage now; one started before the change, from this run on.
		r.st.Stages = []leadflow.StageEntry{{Stage: r.st.Stage, Entered: workflow.Now(ctx)}}
	}
	r.listed(in)
	if err := r.register(); err != nil {
		return err
	}
	if len(r.st.NoteQueue) > 0 && workflow.GetVersion(ctx, changeNotesDrain, workflow.DefaultVersion, 1) >= 1 {
		r.startFlush()
	}
	r.upsertSearchAttributes()
	startEvents := r.st.Events
	continueNow := func() bool {
		return r.busy == 0 && (r.st.Events-startEvents >= r.settings.MaxEvents ||
			workflow.GetInfo(ctx).GetContinueAsNewSuggested())
	}
	if r.version(ctx, changeQuietEnd) {
		ended, err := r.awaitQuiet(continueNow)
		if err != nil || ended {
			return err
		}
	} else if err := workflow.Await(ctx, continueNow); err != nil {
		return err
	}
	if err := r.settle(); err != nil {
		return err
	}
	r.st.Runs++
	if r.ordered {
		r.st.Pending, r.st.Echoes = r.pending, r.echoes
	}
	next := leadflow.LeadInput{LeadID: in.LeadID, Settings: in.Settings, State: r.st}
	if r.baseline {
		// The next run starts with this run's search attributes and memo (the SDK carries
		// them over): it need not upsert them again.
		next.Listed = r.published()
	}
	return workflow.NewContinueAsNewError(ctx, leadflow.LeadWorkflow, next)
}

func (r *leadRun) register() error {
	ctx := r.ctx
	if err := workflow.SetQueryHandler(ctx, leadflow.QueryState, func() (leadflow.LeadState, error) {
		return *r.st, nil
	}); err != nil {
		return fmt.Errorf("registering state query: %w", err)
	}
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{leadflow.UpdateOffer, r.offer, r.validateOffer},
		{leadflow.UpdateTransition, r.transition, r.validateTransition},
		{leadflow.UpdatePromote, r.promote, r.validatePromote},
		{leadflow.UpdateSetData, r.setData, r.validateSetData},
		{leadflow.UpdateLogCall, r.logCall, r.validateLogCall},
		{leadflow.UpdateDoNotContact, r.markDoNotContact, r.validateDoNotContact},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler,
			workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return fmt.Errorf("registering %s update: %w", u.name, err)
		}
	}
	landed := workflow.GetSignalChannel(ctx, leadflow.SignalLanded)
	changes := workflow.GetSignalChannel(ctx, leadflow.SignalHaloChange)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var l leadflow.Landed
			landed.Receive(ctx, &l)
			r.onLanded(l)
		}
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var c leadflow.HaloChange
			changes.Receive(ctx, &c)
			r.onHaloChange(ctx, c)
		}
	})
	return nil
}

// settle readies the run for Continue-As-New: it waits for running handlers and activities,
// then applies every buffered signal in full (a signal left in its channel would be lost), and
// repeats until nothing is left to do.
func (r *leadRun) settle() error {
	for {
		err := workflow.Await(r.ctx, func() bool { return workflow.AllHandlersFinished(r.ctx) && r.busy == 0 })
		if err != nil {
			return err
		}
		if !r.drainSignals() {
			return nil
		}
	}
}

// drainSignals applies the signals that arrived but were not handled yet and reports whether
// there were any.
func (r *leadRun) drainSignals() bool {
	drained := false
	landed := workflow.GetSignalChannel(r.ctx, leadflow.SignalLanded)
	for {
		var l leadflow.Landed
		if !landed.ReceiveAsync(&l) {
			break
		}
		r.onLanded(l)
		drained = true
	}
	changes := workflow.GetSignalChannel(r.ctx, leadflow.SignalHaloChange)
	for {
		var c leadflow.HaloChange
		if !changes.ReceiveAsync(&c) {
			break
		}
		r.onHaloChange(r.ctx, c)
		drained = true
	}
	return drained
}

func (r *leadRun) validateOffer(o leadflow.Offer) error {
	if o.Lead.ID != r.st.LeadID {
		return fmt.Errorf("offer for lead %s sent to lead %s", o.Lead.ID, r.st.LeadID)
	}
	return nil
}

// offer takes a merged record from an import and answers with what to write to HaloPSA.
func (r *leadRun) offer(ctx workflow.Context, o leadflow.Offer) (leadflow.Plan, error) {
	r.st.Events++
	if r.ordered {
		// A lifecycle update in progress finishes first: the plan sees its result.
		if err := r.ops.Lock(ctx); err != nil {
			return leadflow.Plan{}, err
		}
		defer r.ops.Unlock()
	}
	// A "landed" signal that arrived before this offer is applied first, whichever coroutine the
	// workflow task happens to run first: the plan must see the ids and values already written.
	landed := workflow.GetSignalChannel(ctx, leadflow.SignalLanded)
	for {
		var l leadflow.Landed
		if !landed.ReceiveAsync(&l) {
			break
		}
		r.onLanded(l)
	}
	if r.ordered && r.st.Offered != nil && !r.st.Offered.Answers(leadflow.Landed{RunID: o.RunID, Batch: o.Batch}) &&
		r.version(ctx, changeOfferAwaitsLanding) {
		if err := r.awaitOffered(ctx, offerWait); err != nil {
			return leadflow.Plan{}, err
		}
	}
	if r.version(ctx, changePersonFit) {
		o.PersonFit = r.st.Data.Qualification.FitScore
	}
	plan := leadflow.PlanOffer(r.st, o)
	r.st.Lead = mergeLead(r.st.Lead, o.Lead)
	r.st.Fit, r.st.Quality = o.Fit, o.Lead.Quality
	if r.adopt {
		// The ticket's fields are written as a whole set: the stage data goes with them, and
		// the fit is the plan's (a person's fit score outranks the computed one).
		data := r.st.Data
		plan.Stage, plan.Data, r.st.Fit = r.st.Stage, &data, plan.Fit
	}
	r.st.Halo = plan.Halo
	if plan.Action != leadflow.ActionNone {
		if r.ordered {
			r.st.Offered = &leadflow.OfferRef{RunID: o.RunID, Batch: o.Batch, From: r.st.Status}
		}
		r.pending = plan.Owned
		if plan.StatusChanged && plan.Action == leadflow.ActionUpdate {
			r.expectEcho(plan.Status)
		}
	}
	for _, p := range plan.Preserved {
		if p.Reason == lifecycle.ReasonEdited {
			leadflow.AddPinned(r.st, p.Field)
		}
	}
	if plan.DoNotContact {
		r.st.Data.DoNotContact = true
	}
	r.upsertSearchAttributes()
	return plan, nil
}

func (r *leadRun) onLanded(l leadflow.Landed) {
	if r.ordered {
		r.onLandedOrdered(l)
		return
	}
	r.st.Events++
	r.st.Halo = leadflow.MergeIDs(l.Halo, r.st.Halo)
	r.st.Written = leadflow.Overlay(r.st.Written, l.Written)
	r.pending = nil
	if l.Status != "" && l.Status != r.st.Status {
		r.setStatus(l.Status)
	}
	r.st.Segments, r.st.Lists = l.Segments, l.Lists
	r.upsertSearchAttributes()
}

// onLandedOrdered applies a Landed signal to the offer it answers. HaloPSA ids are facts and
// are always kept; the rest is ignored when the signal answers an older offer. The status the
// plan wrote is adopted only if no lifecycle update changed the lead since the offer (updates
// wait for the landing, see lock, so this holds unless the wait timed out). An abandoned batch
// clears the offer; what it created counts as written when the user exists.
func (r *leadRun) onLandedOrdered(l leadflow.Landed) {
	r.st.Events++
	r.st.Halo = leadflow.MergeIDs(l.Halo, r.st.Halo)
	offered := r.st.Offered
	if !offered.Answers(l) {
		return
	}
	r.st.Offered = nil
	pending := r.pending
	r.pending = nil
	if l.Abandoned {
		if l.Halo.UserID != 0 {
			r.st.Written = leadflow.Overlay(r.st.Written, pending)
		}
		return
	}
	r.st.Written = leadflow.Overlay(r.st.Written, l.Written)
	if l.Status != "" && l.Status != r.st.Status && r.st.Status == offered.From {
		r.setStatus(l.Status)
	}
	r.st.Segments, r.st.Lists = l.Segments, l.Lists
	r.upsertSearchAttributes()
}

// awaitLanding waits (holding the lifecycle lock) until no import offer is outstanding, so a
// lifecycle write never races an import batch writing the same ticket. An offer that does not
// land within landingWait is taken as abandoned.
func (r *leadRun) awaitLanding(ctx workflow.Context) error {
	if !r.ordered || r.st.Offered == nil {
		return nil
	}
	return r.awaitOffered(ctx, landingWait)
}

// awaitOffered waits until the outstanding offer lands, for at most wait; after it the offer
// is taken as abandoned.
func (r *leadRun) awaitOffered(ctx workflow.Context, wait time.Duration) error {
	landed, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return r.st.Offered == nil })
	if err != nil {
		return err
	}
	if !landed {
		workflow.GetLogger(ctx).Warn("import offer did not land; going on without it",
			"run", r.st.Offered.RunID, "batch", r.st.Offered.Batch)
		r.st.Offered, r.pending = nil, nil
	}
	return nil
}

func (r *leadRun) validateTransition(req leadflow.TransitionRequest) error {
	if r.st.Halo.TicketID == 0 {
		return errors.New("the lead has no HaloPSA ticket yet: import it first")
	}
	return lifecycle.CheckTransition(r.st.Status, req.To, r.st.Data, r.settings.Lifecycle)
}

// transition moves the lead to another status of its stage and writes it to HaloPSA.
func (r *leadRun) transition(ctx workflow.Context, req leadflow.TransitionRequest) (leadflow.LeadState, error) {
	r.st.Events++
	unlock, err := r.lock(ctx, func() error { return r.validateTransition(req) })
	if err != nil {
		return *r.st, err
	}
	defer unlock()
	if err := r.writeStatus(ctx, req.To, req.Note); err != nil {
		return *r.st, err
	}
	if req.To == lifecycle.Engaged && r.settings.AutoConvertEngaged {
		if err := r.doPromote(ctx, leadflow.PromoteRequest{}); err != nil {
			return *r.st, err
		}
	}
	return *r.st, nil
}

func (r *leadRun) validatePromote(req leadflow.PromoteRequest) error {
	if r.st.Halo.TicketID == 0 {
		return errors.New("the lead has no HaloPSA ticket yet: import it first")
	}
	_, err := lifecycle.CheckPromote(r.st.Status, withData(r.st.Data, req), r.settings.Lifecycle)
	return err
}

// promote moves the lead to the next stage: the ticket changes type and status, and the
// stage's data is written; everything the lead had is inherited.
func (r *leadRun) promote(ctx workflow.Context, req leadflow.PromoteRequest) (leadflow.LeadState, error) {
	r.st.Events++
	unlock, err := r.lock(ctx, func() error { return r.validatePromote(req) })
	if err != nil {
		return *r.st, err
	}
	defer unlock()
	err = r.doPromote(ctx, req)
	return *r.st, err
}

// lock takes the lifecycle lock and checks the request again against the state as it is now: an
// update accepted earlier may have changed the lead while this one waited.
func (r *leadRun) lock(ctx workflow.Context, check func() error) (unlock func(), err error) {
	if err := r.ops.Lock(ctx); err != nil {
		return nil, err
	}
	if err := r.awaitLanding(ctx); err != nil {
		r.ops.Unlock()
		return nil, err
	}
	if err := check(); err != nil {
		r.ops.Unlock()
		return nil, err
	}
	return r.ops.Unlock, nil
}

func (r *leadRun) doPromote(ctx workflow.Context, req leadflow.PromoteRequest) error {
	data := withData(r.st.Data, req)
	to, err := lifecycle.CheckPromote(r.st.Status, data, r.settings.Lifecycle)
	if err != nil {
		return err
	}
	r.busy++
	defer func() { r.busy-- }()
	r.expectEcho(to)
	var a *activities.Halo
	p := activities.Promotion{
		LeadID: r.st.LeadID, TicketID: r.st.Halo.TicketID, To: to, Data: data,
		Values: r.values(), Quality: r.st.Quality, Fit: r.st.Fit, Promoted: workflow.Now(ctx),
	}
	regroup := r.version(ctx, changeRegroup)
	if regroup {
		p.Regroup = r.regroup()
	}
	var g activities.Grouping
	err = workflow.ExecuteActivity(haloOptions(ctx), a.Promote, p).Get(ctx, &g)
	if err != nil {
		return fmt.Errorf("promoting to %s: %w", to.DisplayName(), err)
	}
	if regroup {
		r.st.Segments, r.st.Lists = g.Segments, g.Lists
	}
	r.st.Data = data
	r.setStatus(to)
	r.upsertSearchAttributes()
	return nil
}

func (r *leadRun) validateSetData(req leadflow.DataRequest) error {
	if r.st.Halo.TicketID == 0 {
		return errors.New("the lead has no HaloPSA ticket yet: import it first")
	}
	if req.Qualification == nil && req.Opportunity == nil {
		return errors.New("nothing to set: give qualification or opportunity data")
	}
	return nil
}

// setData records qualification or opportunity data and writes it to the ticket.
func (r *leadRun) setData(ctx workflow.Context, req leadflow.DataRequest) (leadflow.LeadState, error) {
	r.st.Events++
	unlock, err := r.lock(ctx, func() error { return r.validateSetData(req) })
	if err != nil {
		return *r.st, err
	}
	defer unlock()
	data := withData(r.st.Data, req)
	r.busy++
	defer func() { r.busy-- }()
	var a *activities.Halo
	w := activities.DataWrite{
		LeadID: r.st.LeadID, TicketID: r.st.Halo.TicketID, Stage: r.st.Stage, Data: data,
		Values: r.values(), Quality: r.st.Quality, Fit: r.st.Fit,
	}
	regroup := r.version(ctx, changeRegroup)
	if regroup {
		w.Regroup = r.regroup()
	}
	var g activities.Grouping
	err = workflow.ExecuteActivity(haloOptions(ctx), a.WriteData, w).Get(ctx, &g)
	if err != nil {
		return *r.st, fmt.Errorf("writing lead data: %w", err)
	}
	if regroup {
		r.st.Segments, r.st.Lists = g.Segments, g.Lists
	}
	r.st.Data = data
	if r.st.Fit != data.Qualification.FitScore && data.Qualification.FitScore > 0 {
		r.st.Fit = data.Qualification.FitScore
		r.upsertSearchAttributes()
	}
	return *r.st, nil
}

func (r *leadRun) validateLogCall(c lifecycle.Call) error {
	if r.st.Halo.TicketID == 0 {
		return errors.New("the lead has no HaloPSA ticket yet: import it first")
	}
	return c.Validate()
}

// logCall records a call as an action on the ticket; its outcome may move the status.
func (r *leadRun) logCall(ctx workflow.Context, c lifecycle.Call) (leadflow.LeadState, error) {
	r.st.Events++
	unlock, err := r.lock(ctx, func() error { return r.validateLogCall(c) })
	if err != nil {
		return *r.st, err
	}
	defer unlock()
	r.busy++
	defer func() { r.busy-- }()
	var a *activities.Halo
	err = workflow.ExecuteActivity(haloOptions(ctx), a.LogCall, activities.CallLog{
		LeadID: r.st.LeadID, TicketID: r.st.Halo.TicketID, UserID: r.st.Halo.UserID, Call: c,
	}).Get(ctx, nil)
	if err != nil {
		return *r.st, fmt.Errorf("logging call: %w", err)
	}
	r.st.Calls++
	path := lifecycle.OutcomePath(r.st.Status, c.Outcome, r.settings.Lifecycle)
	if len(path) == 0 {
		return *r.st, nil
	}
	to := path[len(path)-1]
	note := fmt.Sprintf("Call outcome %q: %s → %s", c.Outcome, r.st.Status.DisplayName(), to.DisplayName())
	origin := leadflow.DoNotContactRequest{Via: leadflow.ViaCall, By: c.Agent, Reason: note}
	if err := r.writeStatusFrom(ctx, to, note, origin); err != nil {
		return *r.st, err
	}
	if to == lifecycle.Engaged && r.settings.AutoConvertEngaged &&
		r.version(ctx, changeAutoConvertOnCall) {
		if err := r.doPromote(ctx, leadflow.PromoteRequest{}); err != nil {
			return *r.st, err
		}
	}
	return *r.st, nil
}

// writeStatus writes a status to HaloPSA, then adopts it; a Do-Not-Contact status also puts the
// person on the suppression list.
func (r *leadRun) writeStatus(ctx workflow.Context, to lifecycle.Status, note string) error {
	return r.writeStatusFrom(ctx, to, note, leadflow.DoNotContactRequest{Via: leadflow.ViaStatus, By: "haloleads (lead transition)", Reason: note})
}

// writeStatusFrom is writeStatus; a move to Do Not Contact takes the one Do-Not-Contact path,
// noting origin.
func (r *leadRun) writeStatusFrom(ctx workflow.Context, to lifecycle.Status, note string, origin leadflow.DoNotContactRequest) error {
	r.busy++
	defer func() { r.busy-- }()
	if to == lifecycle.DoNotContact && r.oneDoNotContact(ctx) {
		return r.doNotContact(ctx, origin)
	}
	r.expectEcho(to)
	var a *activities.Halo
	err := workflow.ExecuteActivity(haloOptions(ctx), a.SetStatus, activities.StatusWrite{
		LeadID: r.st.LeadID, TicketID: r.st.Halo.TicketID, Status: to, Note: note,
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("writing status %s: %w", to.DisplayName(), err)
	}
	r.setStatus(to)
	if to == lifecycle.DoNotContact {
		if err := r.suppress(ctx, "status set to Do Not Contact"); err != nil {
			return err
		}
	}
	r.upsertSearchAttributes()
	return nil
}

// suppress adds the person to the suppression list and removes them from every list.
func (r *leadRun) suppress(ctx workflow.Context, reason string) error {
	r.st.Data.DoNotContact = true
	r.st.Lists = nil
	r.st.Segments = lifecycle.Segments(r.st.Lead.Values, r.st.Fit, true)
	var a *activities.Halo
	err := workflow.ExecuteActivity(haloOptions(ctx), a.Suppress, activities.SuppressRequest{
		LeadID: r.st.LeadID, UserID: r.st.Halo.UserID, TicketID: r.st.Halo.TicketID,
		Keys: r.st.Lead.Keys, Reason: reason,
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("suppressing lead: %w", err)
	}
	return nil
}

// onHaloChange applies a change seen in HaloPSA: edited fields are pinned, an allowed status
// change is adopted, a disallowed one is flagged or reverted. ctx is the context of the
// coroutine it runs in: activities block on it.
func (r *leadRun) onHaloChange(ctx workflow.Context, c leadflow.HaloChange) {
	r.st.Events++
	if c.EventID != "" {
		if slices.Contains(r.st.SeenEvents, c.EventID) {
			return
		}
		r.st.SeenEvents = append(r.st.SeenEvents, c.EventID)
		if len(r.st.SeenEvents) > maxSeenEvents {
			r.st.SeenEvents = r.st.SeenEvents[len(r.st.SeenEvents)-maxSeenEvents:]
		}
	}
	if r.adopt && c.MergedFrom != 0 && c.MergedFrom == r.st.Halo.TicketID {
		r.st.Halo.TicketID = c.TicketID // merged in HaloPSA: the lead follows the survivor
	}
	r.recordHaloValues(c)
	if r.adopt {
		c.Status = r.haloStatus(ctx, c)
	} else if r.isEcho(c.Status) {
		c.Status = ""
	}
	via := leadflow.ViaStatus
	if c.Values[lead.DoNotContact] == "true" && r.st.Status != lifecycle.DoNotContact {
		if c.Status != lifecycle.DoNotContact {
			via = leadflow.ViaField
		}
		c.Status = lifecycle.DoNotContact
	}
	if c.Status == "" || c.Status == r.st.Status {
		return
	}
	r.judge(ctx, c.Status, via)
}

// haloStatus adopts the data a change carries and returns the status to judge: the ticket's
// status when it is new (not the one last seen or written, nor an echo of haloleads' write),
// "" otherwise. An unmapped tenant status is reported once: a violation and a note.
func (r *leadRun) haloStatus(ctx workflow.Context, c leadflow.HaloChange) lifecycle.Status {
	r.adoptData(c)
	seen := c.HaloStatus
	if seen == "" {
		seen = c.Status // a receiver from before HaloStatus sends status changes only
	}
	if c.UnknownStatus != "" {
		seen = lifecycle.Status("?" + c.UnknownStatus)
	}
	if seen == "" || seen == r.st.HaloStatus {
		r.isEcho(seen)
		return ""
	}
	r.st.HaloStatus = seen
	if r.isEcho(seen) {
		return ""
	}
	if c.UnknownStatus != "" {
		reason := fmt.Sprintf("HaloPSA status %q is not one of the lifecycle's and LEAD_STATUS_MAP does not map it; the lead stays %s",
			c.UnknownStatus, r.st.Status.DisplayName())
		r.recordViolation(lifecycle.Status(c.UnknownStatus), reason, "flag")
		r.busy++
		defer func() { r.busy-- }()
		r.flagNote(ctx, "haloleads: "+reason+".")
		return ""
	}
	return seen
}

// adoptData takes the qualification and opportunity data the ticket holds (a person's values
// where HaloPSA has one) and a Fit Score a person set: one that differs from what haloleads
// computed or wrote, seen while no import offer is being written.
func (r *leadRun) adoptData(c leadflow.HaloChange) {
	if c.Data != nil {
		r.st.Data = r.st.Data.Overlay(*c.Data)
	}
	fit := c.FitScore
	if fit <= 0 || fit > 100 || fit == r.st.Fit || fit == r.st.Data.Qualification.FitScore ||
		r.st.Offered != nil || r.pending != nil {
		return
	}
	r.st.Data.Qualification.FitScore = fit
	r.st.Fit = fit
	r.upsertSearchAttributes()
}

// judge applies a status change a person made in HaloPSA: adopted when the lifecycle allows it
// with the data the lead holds, flagged or reverted otherwise. via says how a move to Do Not
// Contact was made (the status, or the Do Not Contact field).
func (r *leadRun) judge(ctx workflow.Context, to lifecycle.Status, via string) {
	c := leadflow.HaloChange{Status: to}
	dec, err := lifecycle.Adopt(r.st.Status, c.Status, r.st.Data, r.settings.Lifecycle)
	if err != nil {
		r.recordViolation(c.Status, err.Error(), "flag")
		return
	}
	r.busy++
	defer func() { r.busy-- }()
	switch dec.Action {
	case lifecycle.ActionAdopt:
		if dec.To == lifecycle.DoNotContact && r.oneDoNotContact(ctx) {
			origin := leadflow.DoNotContactRequest{Via: via, By: "an agent in HaloPSA",
				Reason: fmt.Sprintf("set in HaloPSA while the lead was %s", r.st.Status.DisplayName())}
			if err := r.doNotContact(ctx, origin); err != nil {
				workflow.GetLogger(ctx).Error("marking the lead Do Not Contact failed", "error", err)
			}
			return
		}
		r.setStatus(dec.To)
		if dec.To == lifecycle.DoNotContact {
			if err := r.suppress(ctx, "set to Do Not Contact in HaloPSA"); err != nil {
				workflow.GetLogger(ctx).Error("suppression failed", "error", err)
			}
		}
		r.upsertSearchAttributes()
		if dec.To == lifecycle.Engaged && r.settings.AutoConvertEngaged &&
			r.version(ctx, changeAutoConvertOnHalo) {
			r.autoConvert(ctx)
		}
	case lifecycle.ActionRevert:
		r.recordViolation(c.Status, dec.Note, string(dec.Action))
		r.revert(ctx, c.Status, dec.Note)
	default:
		r.recordViolation(c.Status, dec.Note, string(dec.Action))
		r.flag(ctx, dec.Note)
	}
}

func (r *leadRun) recordHaloValues(c leadflow.HaloChange) {
	for _, f := range c.Values.SortedFields() {
		if lifecycle.ClassOf(f) == lifecycle.OptOut {
			continue
		}
		if r.st.Seen == nil {
			r.st.Seen = lead.Values{}
		}
		r.st.Seen[f] = c.Values[f]
		if v := c.Values[f]; v != haloForm(f, r.st.Written) && (r.pending == nil || v != haloForm(f, r.pending)) {
			leadflow.AddPinned(r.st, f)
		}
	}
}

func (r *leadRun) recordViolation(to lifecycle.Status, reason, action string) {
	r.st.Violations = append(r.st.Violations, leadflow.Violation{
		From: r.st.Status, To: to, Reason: reason, Action: action, At: workflow.Now(r.ctx),
	})
}

// revert writes the lead's status back over a change a person made that breaks the rules.
func (r *leadRun) revert(ctx workflow.Context, seen lifecycle.Status, reason string) {
	r.expectEcho(r.st.Status)
	var a *activities.Halo
	note := fmt.Sprintf("haloleads reverted the status from %s to %s: %s",
		seen.DisplayName(), r.st.Status.DisplayName(), reason)
	err := workflow.ExecuteActivity(haloOptions(ctx), a.SetStatus, activities.StatusWrite{
		LeadID: r.st.LeadID, TicketID: r.st.Halo.TicketID, Status: r.st.Status, Note: note,
	}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Error("reverting status failed", "error", err)
		return
	}
	if r.adopt {
		r.st.HaloStatus = r.st.Status
	}
}

// flag notes on the ticket that a person's status change breaks the rules, for review.
func (r *leadRun) flag(ctx workflow.Context, reason string) {
	r.flagNote(ctx, "haloleads: this status change breaks the sales process: "+reason)
}

// flagNote adds a rule-violation note to the lead's ticket. From changeMergedNotes on, notes
// are queued and written by flushNotes, at most one per noteEvery, merged.
func (r *leadRun) flagNote(ctx workflow.Context, text string) {
	if !r.version(ctx, changeMergedNotes) {
		r.writeNote(ctx, text)
		return
	}
	r.st.NoteQueue = append(r.st.NoteQueue, text)
	r.startFlush()
}

// startFlush starts the coroutine that writes the queued notes, unless it runs.
func (r *leadRun) startFlush() {
	if r.flushing {
		return
	}
	r.flushing = true
	r.busy++ // Continue-As-New waits for the queue to be written
	workflow.Go(r.ctx, r.flushNotes)
}

// flushNotes waits until the lead's note budget allows, then writes the queued notes as one;
// from changeNotesDrain on, again while notes were queued during the write.
func (r *leadRun) flushNotes(ctx workflow.Context) {
	defer func() { r.flushing = false; r.busy-- }()
	for {
		if wait := r.st.LastNoteAt.Add(noteEvery).Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return // cancelled: the queue stays in the state
			}
		}
		queued := r.st.NoteQueue
		r.st.NoteQueue, r.st.LastNoteAt = nil, workflow.Now(ctx)
		r.writeNote(ctx, mergeNotes(queued))
		if len(r.st.NoteQueue) == 0 || workflow.GetVersion(ctx, changeNotesDrain, workflow.DefaultVersion, 1) < 1 {
			return
		}
	}
}

// mergeNotes joins queued notes into one: repeats counted, at most maxMergedNotes lines.
func mergeNotes(notes []string) string {
	if len(notes) == 1 {
		return notes[0]
	}
	var order []string
	count := map[string]int{}
	for _, n := range notes {
		if count[n] == 0 {
			order = append(order, n)
		}
		count[n]++
	}
	var b strings.Builder
	b.WriteString(fmt.Sprintf("haloleads: %d rule violations since the last note:", len(notes)))
	for i, n := range order {
		if i == maxMergedNotes {
			b.WriteString(fmt.Sprintf("\n- and %d more", len(order)-i))
			break
		}
		b.WriteString("\n- " + strings.TrimPrefix(n, "haloleads: "))
		if count[n] > 1 {
			b.WriteString(fmt.Sprintf(" (%d times)", count[n]))
		}
	}
	return b.String()
}

// writeNote adds a note to the lead's ticket; a failure is logged.
func (r *leadRun) writeNote(ctx workflow.Context, text string) {
	var a *activities.Halo
	err := workflow.ExecuteActivity(haloOptions(ctx), a.AddNote, activities.NoteWrite{
		LeadID: r.st.LeadID, TicketID: r.st.Halo.TicketID, Text: text,
	}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Error("flagging violation failed", "error", err)
	}
}

// values are the lead's values as HaloPSA should hold them: what haloleads wrote, with a
// person's edits where they made them.
func (r *leadRun) values() lead.Values {
	return leadflow.Overlay(r.st.Written, r.st.Seen)
}

// expectEcho remembers a status haloleads is writing, so that HaloPSA's webhook reporting it
// back is not taken for a person's change.
func (r *leadRun) expectEcho(s lifecycle.Status) {
	r.echoes = append(r.echoes, s)
	if len(r.echoes) > maxEchoes {
		r.echoes = r.echoes[len(r.echoes)-maxEchoes:]
	}
}

// isEcho reports whether a status seen in HaloPSA is one haloleads wrote, forgetting it: each
// write comes back once, in whatever order the webhooks arrive.
func (r *leadRun) isEcho(s lifecycle.Status) bool {
	i := slices.Index(r.echoes, s)
	if s == "" || i < 0 {
		return false
	}
	r.echoes = slices.Delete(r.echoes, i, i+1)
	return true
}

// setStatus moves the lead to s, which HaloPSA holds (haloleads wrote it, or a person did).
func (r *leadRun) setStatus(s lifecycle.Status) {
	r.st.Status = s
	if stage := s.StageOf(); r.stageTimes && stage != r.st.Stage {
		r.st.Stages = append(r.st.Stages, leadflow.StageEntry{Stage: stage, Entered: workflow.Now(r.ctx)})
	}
	r.st.Stage = s.StageOf()
	if r.adopt {
		r.st.HaloStatus = s
	}
}

// upsertSearchAttributes publishes the lead's stage, status, source, company, fit score and
// Do-Not-Contact flag to the Web UI, only when one of them changed.
func (r *leadRun) upsertSearchAttributes() {
	l := leadflow.ListingOf(r.st)
	if key := l.Key(); key != r.sa {
		r.sa = key
		r.shown.Stage, r.shown.Status, r.shown.Source, r.shown.Company = l.Stage, l.Status, l.Source, l.Company
		r.shown.Fit, r.shown.DoNotContact = l.Fit, l.DoNotContact
		if err := workflow.UpsertTypedSearchAttributes(r.ctx, visibility.Updates(l)...); err != nil {
			workflow.GetLogger(r.ctx).Warn("upserting search attributes failed", "error", err)
		}
	}
	if l.Name == r.memo {
		return
	}
	r.memo, r.shown.Name = l.Name, l.Name
	if err := workflow.UpsertMemo(r.ctx, map[string]any{"name": l.Name}); err != nil {
		workflow.GetLogger(r.ctx).Warn("upserting memo failed", "error", err)
	}
}

// listed is the listing the run was started with (what it need not upsert again): from
// changeLeadBaseline on, the one its input names, or the one the run it continues had published.
func (r *leadRun) listed(in leadflow.LeadInput) {
	if !r.baseline || in.Listed == nil {
		return
	}
	r.sa, r.memo, r.shown = in.Listed.Key(), in.Listed.Name, *in.Listed
}

// published is the listing this run's search attributes and memo hold now, nil when it is not
// known in full.
func (r *leadRun) published() *leadflow.Listing {
	if r.sa == "" || r.sa != r.shown.Key() || r.memo != r.shown.Name {
		return nil
	}
	l := r.shown
	return &l
}

// mergeLead keeps the lead's identity and adds what the new record brings.
func mergeLead(old, nw lead.Lead) lead.Lead {
	if old.ID == "" {
		return nw
	}
	out := nw
	out.ID = old.ID
	keys := append(slices.Clone(old.Keys), nw.Keys...)
	slices.Sort(keys)
	out.Keys = slices.Compact(keys)
	srcs := append(slices.Clone(old.Sources), nw.Sources...)
	slices.Sort(srcs)
	out.Sources = slices.Compact(srcs)
	return out
}

func withData(d lifecycle.Data, req leadflow.PromoteRequest) lifecycle.Data {
	if req.Qualification != nil {
		d.Qualification = *req.Qualification
	}
	if req.Opportunity != nil {
		d.Opportunity = *req.Opportunity
	}
	return d
}

// haloOptions runs an activity on the rate-limited HaloPSA queue. Retries are unbounded in
// count but bounded in time: a lead's write is never silently dropped; validation errors
// (non-retryable) fail at once.
func haloOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              leadflow.HaloTaskQueue,
		ScheduleToCloseTimeout: 24 * time.Hour,
		StartToCloseTimeout:    5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
}

// haloForm is how HaloPSA shows what haloleads wrote to f (dropdowns hold their option).
func haloForm(f lead.Field, written lead.Values) string {
	if landing.WhereIs(f) == landing.OnTicket {
		return landing.TicketValue(f, written)
	}
	return written[f]
}
