package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"haloleads/internal/dryrun"
	"haloleads/internal/landing"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

// dryRun plans a batch without touching its leads' workflows and keeps, in the store, what
// the batch would write and what that would cost (dryrun.Batch): the import's history holds
// counts only, never the people.
func (a *Importer) dryRun(ctx context.Context, in LandInput, items []staged) ([]leadflow.Plan, error) {
	plans := make([]leadflow.Plan, len(items))
	changes := make([]dryrun.Change, len(items))
	errs := make([]error, len(items))
	sem := make(chan struct{}, max(a.Parallel, 16))
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			plans[i], changes[i], errs[i] = a.dryPlan(ctx, items[i].Offer)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cost, err := a.dryCost(ctx, items, plans)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(dryrun.Batch{Batch: in.Batch, Changes: changes, Cost: cost})
	if err != nil {
		return nil, fmt.Errorf("encoding the dry run's plan: %w", err)
	}
	return plans, a.Store.SaveDryRunBatch(ctx, in.RunID, in.Batch, b)
}

// dryPlan computes the plan a lead would make, and what it would change, from the lead's state
// (queried; a lead without a workflow is new).
func (a *Importer) dryPlan(ctx context.Context, o leadflow.Offer) (leadflow.Plan, dryrun.Change, error) {
	id := leadflow.LeadWorkflowID(o.Lead.ID)
	st := &leadflow.LeadState{LeadID: o.Lead.ID, Stage: lifecycle.Lead, Status: lifecycle.NewLead}
	v, err := a.Temporal.QueryWorkflow(ctx, id, "", leadflow.QueryState)
	if err == nil {
		if err := v.Get(st); err != nil {
			return leadflow.Plan{}, dryrun.Change{}, fmt.Errorf("reading lead %s: %w", id, err)
		}
	}
	p := leadflow.PlanOffer(st, o)
	return p, dryrun.Diff(st, o, p), nil
}

// dryCost counts the requests the writer (writer.go) would send for plans, step by step: one
// array POST per resource that has records to save, the newest ids read before the first
// create, one read-back per upsert of new records.
func (a *Importer) dryCost(ctx context.Context, items []staged, plans []leadflow.Plan) (dryrun.Cost, error) {
	var c dryrun.Cost
	w := newWriter(a, "", items, plans, nil)
	creates := false
	post := func(n int, create bool) {
		if n == 0 {
			return
		}
		c.Writes++
		if create {
			c.Reads++ // the upsert's look-up by natural key
			creates = true
		}
	}
	var keys []string
	for i := range plans {
		if w.active(i) && (w.ids[i].ClientID == 0 || w.ids[i].SiteID == 0) && !slices.Contains(keys, w.companyKey(i)) {
			keys = append(keys, w.companyKey(i))
		}
	}
	known, err := a.Store.Companies(ctx, keys)
	if err != nil {
		return c, err
	}
	clients, sites := 0, 0
	for _, k := range keys {
		if known[k].ClientID == 0 {
			clients++
		}
		// A new client is created with its main site unless sites are created on their own.
		if known[k].SiteID == 0 && (known[k].ClientID != 0 || a.SeparateSites) {
			sites++
		}
	}
	post(clients, true)
	post(sites, true)
	users, newUsers, tickets, newTickets, notes, lists := 0, 0, 0, 0, 0, 0
	for i, p := range plans {
		if !w.active(i) {
			continue
		}
		tickets++
		if w.ids[i].TicketID == 0 {
			newTickets++
		}
		switch {
		case w.ids[i].UserID == 0:
			users++
			newUsers++
		case p.Action == leadflow.ActionUpdate && hasUserUpdate(w.ids[i].UserID, p):
			users++
		}
		if p.Action == leadflow.ActionUpdate && p.Note != "" {
			notes++
		}
		if len(p.Lists) > 0 || len(p.Unlist) > 0 {
			lists++
		}
	}
	post(users, newUsers > 0)
	tags, err := a.newTags(ctx, plans, w)
	if err != nil {
		return c, err
	}
	if tags > 0 {
		c.Reads++ // the tenant's tags
		post(tags, false)
	}
	post(tickets, newTickets > 0)
	post(notes, true) // audit notes are upserted on their ticket
	post(lists, false)
	if creates {
		c.Reads += 4 // the newest client, site, user and ticket, read before the first create
	}
	return c, nil
}

// hasUserUpdate reports whether the writer would save the user of an updated lead.
func hasUserUpdate(userID int, p leadflow.Plan) bool {
	_, ok := landing.UserUpdate(userID, p.Write)
	return ok
}

// newTags counts the segment tags of the active plans the tenant does not have yet.
func (a *Importer) newTags(ctx context.Context, plans []leadflow.Plan, w *writer) (int, error) {
	res, err := a.Tenant.Result(ctx)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for k := range res.Tags {
		have[strings.ToLower(k)] = true
	}
	missing := 0
	for i, p := range plans {
		for _, s := range p.Segments {
			if s = strings.ToLower(s); w.active(i) && s != "" && !have[s] {
				have[s] = true
				missing++
			}
		}
	}
	return missing, nil
}
