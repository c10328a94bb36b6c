package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"haloleads/internal/leadflow"
	"haloleads/internal/store"
	"haloleads/internal/visibility"
)

// A new lead's workflow used to be started by the import's offer (update-with-start: the
// start, the update and a workflow task) and told where its records landed by a signal (and a
// second workflow task): six transactions of the Temporal server per lead. With
// LandInput.StartNew, the batch plans a new lead itself (leadflow.PlanNewLead, the rule the
// workflow applies), writes it with the others, then starts the workflow once with the state
// the offer and the signal would have given it (leadflow.LandedState), listed: three
// transactions.
//
// What keeps a person from being created twice is the claim (store.ClaimLeads): before it
// plans, every batch claims all its leads, and only the first claim of a lead counts, for good.
//   - A lead staged New (no import knew it) that this batch claims is landed here; a retry of
//     the batch finds its own claim and plans the same (its writes are upserts, see writer).
//   - Any other lead goes to its workflow, as before. When another batch holds a landing claim
//     on it, the workflow, if this offer starts it, starts waiting for that batch's landing
//     (awaitingLanding), and that batch, finding it started, signals it what it wrote
//     (startLanded): the offer then plans on it, as offers of two imports always did.
//   - A batch that fails for good starts the workflows of the leads it claimed and did not
//     start, with the records it is known to have created (startAbandoned).

// claim claims the batch's leads that have no kept state (ended leads start from it); nothing
// without in.StartNew.
func (a *Importer) claim(ctx context.Context, in LandInput, items []staged, ended map[string]leadflow.LeadInput) (map[string]store.Claim, error) {
	if !in.StartNew {
		return nil, nil
	}
	want := make(map[string]bool, len(items))
	for _, it := range items {
		if _, ok := ended[it.Offer.Lead.ID]; !ok {
			want[it.Offer.Lead.ID] = it.New
		}
	}
	return a.Store.ClaimLeads(ctx, in.RunID, in.Batch, want)
}

// awaitingLanding is the state a lead's workflow starts with when another batch (c) is
// landing the lead itself: its offer is outstanding, so an offer of this batch waits for it.
func awaitingLanding(id string, c store.Claim) *leadflow.LeadState {
	st := leadflow.NewLeadState(id)
	st.Offered = &leadflow.OfferRef{RunID: c.RunID, Batch: c.Batch, From: st.Status}
	return &st
}

// tellLeads tells each lead of the landed batch what was written: a new lead it landed itself
// gets its workflow, started landed; any other lead a Landed signal (refused records: an
// abandoned one), unless its plan wrote nothing.
func (a *Importer) tellLeads(ctx context.Context, in LandInput, w *writer) error {
	errs := make([]error, len(w.plans))
	sem := make(chan struct{}, max(a.Parallel, 16))
	var wg sync.WaitGroup
	for i, p := range w.plans {
		if (i >= len(w.starts) || !w.starts[i]) && p.Action == leadflow.ActionNone {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			l := leadflow.LandedOf(in.RunID, in.Batch, p, w.ids[i], w.isRefused(i))
			if i < len(w.starts) && w.starts[i] {
				errs[i] = a.startLanded(ctx, in.Settings, w.items[i].Offer, in.Batch, p, l)
				return
			}
			if err := a.Temporal.SignalWorkflow(ctx, leadflow.LeadWorkflowID(p.LeadID), "", leadflow.SignalLanded, l); err != nil {
				errs[i] = fmt.Errorf("telling lead %s its HaloPSA ids: %w", p.LeadID, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// startLanded starts the workflow of a new lead that plan landed as l (ignored when the plan
// wrote nothing), listed. A workflow that is running already (an earlier attempt of the batch
// started it, or another import's offer did, waiting for this landing) is sent l instead.
func (a *Importer) startLanded(ctx context.Context, settings leadflow.Settings, o leadflow.Offer, batch int, p leadflow.Plan, l leadflow.Landed) error {
	o.Batch = batch
	landed := &l
	if p.Action == leadflow.ActionNone {
		landed = nil
	}
	st := leadflow.LandedState(p.LeadID, o, p, landed, time.Now())
	err := a.startWith(ctx, settings, &st)
	if !isAlreadyStarted(err) {
		return err
	}
	if landed == nil {
		return nil
	}
	if err := a.Temporal.SignalWorkflow(ctx, leadflow.LeadWorkflowID(p.LeadID), "", leadflow.SignalLanded, l); err != nil {
		return fmt.Errorf("telling lead %s its HaloPSA ids: %w", p.LeadID, err)
	}
	return nil
}

// startWith starts a lead's workflow from st, with the search attributes and memo st lists, so
// the workflow upserts none of its own. It fails with Temporal's WorkflowExecutionAlreadyStarted
// when the workflow is running.
func (a *Importer) startWith(ctx context.Context, settings leadflow.Settings, st *leadflow.LeadState) error {
	listed := leadflow.ListingOf(st)
	opts := client.StartWorkflowOptions{
		ID:                                       leadflow.LeadWorkflowID(st.LeadID),
		TaskQueue:                                leadflow.TaskQueue,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes:                    visibility.Attributes(listed),
		Memo:                                     map[string]any{"name": listed.Name},
		// The lead task queue's worker is in this process, on this client: the start returns
		// the run's first workflow task to it, skipping a trip through matching (when the
		// worker has no free slot, the server dispatches it as usual).
		EnableEagerStart: true,
	}
	in := leadflow.LeadInput{LeadID: st.LeadID, Settings: settings, State: st, Listed: &listed, Baseline: leadflow.LeadBaseline}
	if _, err := a.Temporal.ExecuteWorkflow(ctx, opts, leadflow.LeadWorkflow, in); err != nil {
		return fmt.Errorf("starting the workflow of lead %s: %w", st.LeadID, err)
	}
	return nil
}

// startAbandoned starts the workflow of a lead of a batch that failed for good when the batch
// claimed it to land it itself (it has no workflow otherwise), with l: the records the batch
// is known to have created. Any other lead keeps Temporal's NotFound.
func (a *Importer) startAbandoned(ctx context.Context, in AbandonInput, row store.Staged, l leadflow.Landed) error {
	notFound := serviceerror.NewNotFound("lead " + row.LeadID + " has no workflow")
	claims, err := a.Store.Claims(ctx, []string{row.LeadID})
	if err != nil {
		return err
	}
	if c, ok := claims[row.LeadID]; !ok || !c.Start || !c.Owns(in.RunID, in.Batch) {
		return notFound
	}
	var it staged
	if err := json.Unmarshal(row.Payload, &it); err != nil {
		return fmt.Errorf("decoding staged lead %s: %w", row.LeadID, err)
	}
	it.Offer.Batch = in.Batch
	p := leadflow.PlanNewLead(row.LeadID, it.Offer)
	return a.startLanded(ctx, *in.Settings, it.Offer, in.Batch, p, l)
}

// isAlreadyStarted reports whether Temporal answered that the workflow is running.
func isAlreadyStarted(err error) bool {
	var as *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &as)
}
