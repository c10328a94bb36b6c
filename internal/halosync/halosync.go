// Package halosync turns HaloPSA's webhook events into lead workflow signals: a status or a
// custom field an agent changed on a lead ticket reaches the lead's workflow, which adopts,
// flags or reverts it and pins edited fields so imports never overwrite them.
package halosync

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/activities"
	"haloleads/internal/halopsa"
	"haloleads/internal/halostate"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/internal/webhook"
)

// Dispatcher signals lead workflows with HaloPSA changes. It implements webhook.Dispatcher.
type Dispatcher struct {
	Temporal client.Client
	Store    *store.Store
	Tenant   *activities.Tenant
	Logger   *zap.Logger
	// StatusMap maps the tenant's own statuses (LEAD_STATUS_MAP); nil means
	// lifecycle.DefaultStatusMap.
	StatusMap lifecycle.StatusMap

	last  lastSignals
	names statusNames
}

// Dispatch signals the lead whose ticket (or whose user) changed. Events about other tickets
// and users are ignored.
func (d *Dispatcher) Dispatch(ctx context.Context, e webhook.Event) error {
	ticketID := e.TicketID
	if ticketID == 0 && e.UserID != 0 && e.Name == webhook.EventUserUpdated {
		id, err := d.ticketOfUser(ctx, e.UserID)
		if err != nil {
			return webhook.Retryable(err)
		}
		ticketID = id
	}
	if ticketID == 0 {
		return nil
	}
	return d.Reconcile(ctx, ticketID, Hint{EventID: e.ID, EventName: e.Name, At: e.ChangedAt, Source: leadflow.SourceWebhook})
}

// Hint is what an event (or a reconciliation run) says about a ticket: only a hint, the ticket
// is read again before anything acts on it.
type Hint struct {
	EventID   string
	EventName string
	At        time.Time
	Source    string
}

// Reconcile re-reads a lead ticket (and its user) from HaloPSA and signals the lead what they
// hold now, unless it is what was last signalled for the ticket. A ticket that is not a lead's
// is ignored. Errors worth retrying are wrapped with webhook.Retryable.
func (d *Dispatcher) Reconcile(ctx context.Context, ticketID int, h Hint) error {
	_, err := d.reconcile(ctx, ticketID, h)
	return err
}

// reconcile is Reconcile, reporting whether a lead was signalled.
func (d *Dispatcher) reconcile(ctx context.Context, ticketID int, h Hint) (bool, error) {
	leadID, ok, err := d.Store.LeadOfTicket(ctx, ticketID)
	if err != nil {
		return false, webhook.Retryable(err)
	}
	if !ok {
		return false, nil
	}
	// The body is a hint: whoever knows the Basic credential can write one. What the ticket
	// holds is read from HaloPSA itself, and only that reaches the lead.
	tk, err := d.Tenant.Client.Ticket(ctx, halopsa.ID(ticketID))
	if halopsa.IsNotFound(err) {
		d.Logger.Warn("change about a ticket HaloPSA does not have; ignored", zap.String("event_id", h.EventID), zap.String("lead", leadID))
		return false, nil
	}
	if err != nil {
		return false, webhook.Retryable(fmt.Errorf("re-reading ticket %d: %w", ticketID, err))
	}
	mergedFrom := 0
	if tk.MergedIntoID != 0 && tk.MergedIntoID != tk.ID {
		// Merged into another ticket: the lead follows the survivor, which later events are
		// about, and the change shows what the survivor holds.
		mergedFrom = ticketID
		if tk, err = d.Tenant.Client.Ticket(ctx, tk.MergedIntoID); err != nil {
			return false, webhook.Retryable(fmt.Errorf("reading the ticket %d was merged into: %w", ticketID, err))
		}
		if err := d.Store.SaveTickets(ctx, map[int]string{int(tk.ID): leadID}); err != nil {
			return false, webhook.Retryable(err)
		}
		ticketID = int(tk.ID)
	}
	change, user, err := d.change(ctx, tk, h)
	if err != nil {
		return false, webhook.Retryable(err)
	}
	change.MergedFrom = mergedFrom
	if !d.last.changed(ticketID, change) {
		return false, webhook.ErrUnchanged
	}
	own, err := d.ownState(ctx, tk, user)
	if err != nil {
		d.last.forget(ticketID)
		return false, webhook.Retryable(err)
	}
	if own && mergedFrom == 0 {
		// Ticket and user are as an import wrote them: no person changed anything since, and
		// the lead knows what its import wrote.
		return false, webhook.ErrUnchanged
	}
	err = d.Temporal.SignalWorkflow(ctx, leadflow.LeadWorkflowID(leadID), "", leadflow.SignalHaloChange, change)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		err = d.revive(ctx, leadID, change) // a lead that ended after its quiet period
	}
	if errors.As(err, &nf) && d.landing(ctx, leadID) {
		// Its import has written the lead and is about to start its workflow, landed: the
		// change is taken once the workflow runs (HaloPSA sends it again after a 503).
		d.last.forget(ticketID)
		return false, webhook.Retryable(fmt.Errorf("lead %s: its import is starting its workflow", leadID))
	}
	if errors.As(err, &nf) {
		d.Logger.Warn("HaloPSA change for a lead without a workflow", zap.String("lead", leadID))
		return false, nil
	}
	if err != nil {
		d.last.forget(ticketID)
		return false, webhook.Retryable(fmt.Errorf("signalling lead %s: %w", leadID, err))
	}
	return true, nil
}

// Change is what a lead ticket read from HaloPSA shows: its status (mapped to the lifecycle),
// the lead fields kept on it, its user's fields, its qualification and opportunity data and its
// Fit Score.
func (d *Dispatcher) Change(ctx context.Context, tk halopsa.Ticket, h Hint) (leadflow.HaloChange, error) {
	change, _, err := d.change(ctx, tk, h)
	return change, err
}

// change is Change, also returning the ticket's user as read (zero when it has none).
func (d *Dispatcher) change(ctx context.Context, tk halopsa.Ticket, h Hint) (leadflow.HaloChange, halopsa.User, error) {
	change := leadflow.HaloChange{EventID: h.EventID, TicketID: int(tk.ID), At: h.At, Source: h.Source}
	var user halopsa.User
	if tk.StatusID != 0 {
		s, unknown, err := d.status(ctx, tk)
		if err != nil {
			return change, user, err
		}
		change.HaloStatus, change.UnknownStatus = s, unknown
		// Only a status change event reports Status (read by lead workflows from before the
		// adopt-halo change): every event carries the ticket's status, and taking the others
		// for changes would judge (and flag) one change again on each later event.
		if h.EventName == webhook.EventTicketStatusChanged {
			change.Status = s
		}
	}
	read, err := d.Tenant.TicketFieldValues(ctx, tk.CustomFields)
	if err != nil {
		d.Logger.Warn("reading ticket custom fields", zap.Error(err))
		read = nil
	}
	change.Values = leadValues(read)
	data := stageData(read, tk)
	change.Data = &data
	change.FitScore = number(read[tenant.FieldFitScore])
	if tk.UserID != 0 {
		u, err := d.Tenant.Client.User(ctx, tk.UserID)
		switch {
		case halopsa.IsNotFound(err):
		case err != nil:
			return change, user, fmt.Errorf("re-reading user %d: %w", tk.UserID, err)
		default:
			user = u
			change.Values = leadflow.Overlay(change.Values, userValues(u))
		}
	}
	return change, user, nil
}

// ownState reports whether a lead ticket and its user, as read, are what an import last wrote
// (halostate's own-write marks: the last-update times HaloPSA answered the writes with). Such
// a state holds nothing a person did: signalling it would only add an event to the lead.
func (d *Dispatcher) ownState(ctx context.Context, tk halopsa.Ticket, u halopsa.User) (bool, error) {
	if tk.LastUpdate.IsZero() || tk.UserID != 0 && (u.ID == 0 || u.LastUpdate.IsZero()) {
		return false, nil
	}
	own, err := halostate.OwnWrites(ctx, d.Store, halostate.KindWroteTicket, map[int]time.Time{int(tk.ID): tk.LastUpdate.Time})
	if err != nil || !own[int(tk.ID)] || tk.UserID == 0 {
		return own[int(tk.ID)], err
	}
	own, err = halostate.OwnWrites(ctx, d.Store, halostate.KindWroteUser, map[int]time.Time{int(u.ID): u.LastUpdate.Time})
	return own[int(u.ID)], err
}

// ticketOfUser finds the lead ticket of a user: the oldest ticket of theirs the store maps to
// a lead (0 when none).
func (d *Dispatcher) ticketOfUser(ctx context.Context, userID int) (int, error) {
	best := 0
	for t, err := range d.Tenant.Client.Tickets(ctx, halopsa.TicketQuery{UserID: halopsa.ID(userID)}) {
		if err != nil {
			return 0, fmt.Errorf("finding the tickets of user %d: %w", userID, err)
		}
		if _, ok, err := d.Store.LeadOfTicket(ctx, int(t.ID)); err != nil {
			return 0, err
		} else if ok && (best == 0 || int(t.ID) < best) {
			best = int(t.ID)
		}
	}
	return best, nil
}

// status maps the ticket's status to the lifecycle: one of haloleads' statuses, or a tenant
// status through the status map (closed-type statuses to the closing status of the ticket's
// stage). An unmapped status is returned by name as unknown.
func (d *Dispatcher) status(ctx context.Context, tk halopsa.Ticket) (lifecycle.Status, string, error) {
	if s, ok := d.Tenant.StatusOf(ctx, tk.StatusID); ok {
		return s, "", nil
	}
	name, err := d.names.name(ctx, d.Tenant.Client, tk.StatusID)
	if err != nil {
		return "", "", err
	}
	m := d.StatusMap
	if m == nil {
		m, _ = lifecycle.ParseStatusMap(lifecycle.DefaultStatusMap)
	}
	if s, ok := m.Resolve(name, d.stageOf(ctx, tk.TicketTypeID)); ok {
		return s, "", nil
	}
	return "", cmp.Or(name, fmt.Sprintf("status %d", tk.StatusID)), nil
}

// stageOf is the lifecycle stage of a ticket type (Lead for a type that is not haloleads').
func (d *Dispatcher) stageOf(ctx context.Context, typeID halopsa.ID) lifecycle.Stage {
	res, err := d.Tenant.Result(ctx)
	if err != nil {
		return lifecycle.Lead
	}
	for _, st := range []lifecycle.Stage{lifecycle.Prospect, lifecycle.Opportunity} {
		if res.TicketTypes[activities.TypeKey(st)] == typeID {
			return st
		}
	}
	return lifecycle.Lead
}

// statusNames caches the tenant's status names by id, read again when an id is not known.
type statusNames struct {
	mu    sync.Mutex
	names map[halopsa.ID]string
}

func (n *statusNames) name(ctx context.Context, c *halopsa.Client, id halopsa.ID) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if name, ok := n.names[id]; ok {
		return name, nil
	}
	all, err := c.Statuses(ctx, halopsa.StatusQuery{})
	if err != nil {
		return "", fmt.Errorf("reading HaloPSA statuses: %w", err)
	}
	n.names = map[halopsa.ID]string{}
	for _, s := range all {
		n.names[s.ID] = s.Name
	}
	return n.names[id], nil
}

// lastSignals remembers, per ticket, what was last signalled, so that the same state seen
// again (a replayed or re-sent event, a forged one with a fresh id) signals nothing. It is
// bounded and safe for concurrent use.
type lastSignals struct {
	mu   sync.Mutex
	seen map[int]string
}

// maxLastSignals bounds the tickets remembered; past it the memory starts afresh (a repeat is
// then signalled once more, which the lead workflow ignores).
const maxLastSignals = 50000

// changed records what c shows for ticket and reports whether it differs from the last.
func (l *lastSignals) changed(ticket int, c leadflow.HaloChange) bool {
	c.EventID, c.At, c.Source = "", time.Time{}, ""
	raw, _ := json.Marshal(c) // maps marshal in key order
	key := string(raw)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil || len(l.seen) >= maxLastSignals {
		l.seen = map[int]string{}
	}
	if prev, ok := l.seen[ticket]; ok && prev == key {
		return false
	}
	l.seen[ticket] = key
	return true
}

// forget drops a ticket's memory after a failed signal, so the re-sent event signals.
func (l *lastSignals) forget(ticket int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, ticket)
}

// leadValues maps a ticket's custom fields (by logical name, as HaloPSA shows them: a dropdown
// by its option's name) to lead fields. Only lead fields kept on the ticket count: scores,
// stage data and derived fields are read separately.
func leadValues(read map[string]any) lead.Values {
	out := lead.Values{}
	for logical, v := range read {
		f := lead.Field(logical)
		if landing.WhereIs(f) != landing.OnTicket {
			continue
		}
		if s := text(v); s != "" {
			out[f] = s
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// userValues are the lead fields a HaloPSA user holds (name, title, e-mail, phones).
func userValues(u halopsa.User) lead.Values {
	out := lead.Values{}
	for f, v := range landing.UserValues(u) {
		if landing.WhereIs(f) == landing.OnUser && v != "" {
			out[f] = v
		}
	}
	return out
}

// stageData reads the qualification and opportunity data a ticket holds: the stage custom
// fields and HaloPSA's own opp* fields.
func stageData(read map[string]any, tk halopsa.Ticket) lifecycle.Data {
	var d lifecycle.Data
	q := &d.Qualification
	q.PainPoints = text(read[tenant.FieldPainPoints])
	q.QualifiedServices = text(read[tenant.FieldQualifiedServices])
	q.DecisionMaker = text(read[tenant.FieldDecisionMaker])
	q.BudgetRange = text(read[tenant.FieldBudgetRange])
	q.Timeframe = text(read[tenant.FieldTimeframe])
	q.Notes = text(read[tenant.FieldQualificationNotes])
	o := &d.Opportunity
	o.ProductsServices = text(read[tenant.FieldProductsServices])
	o.Quotes = text(read[tenant.FieldQuotesProposals])
	o.ExpectedClose = dateText(read[tenant.FieldExpectedCloseDate])
	o.Value, o.Probability = tk.OppValue, int(tk.OppConversionProbability)
	o.Competitors, o.WinLossReason = tk.OppCompetitors, tk.OppReason
	return d
}

// text is a custom field's value as text ("" for empty; a ticked box is "true").
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "true"
		}
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return strings.TrimSpace(x)
	default:
		return strings.TrimSpace(fmt.Sprint(x))
	}
}

// dateText is a date field's value as YYYY-MM-DD (HaloPSA may add a time).
func dateText(v any) string {
	s := text(v)
	if len(s) > 10 && s[4] == '-' && s[7] == '-' {
		return s[:10]
	}
	return s
}

// number is an integer custom field's value (0 when empty or not a number).
func number(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case int:
		return x
	case string:
		n, _ := strconv.Atoi(strings.TrimSpace(x))
		return n
	}
	return 0
}

// landing reports whether an import batch claimed the lead to land it itself and start its
// workflow (activities/landedstart.go): a lead with no workflow yet for a moment.
func (d *Dispatcher) landing(ctx context.Context, leadID string) bool {
	claims, err := d.Store.Claims(ctx, []string{leadID})
	return err == nil && claims[leadID].Start
}

// revive starts the workflow of a lead that ended after its quiet period again from its kept
// state, with the change as its first signal; a lead with no kept state answers NotFound.
func (d *Dispatcher) revive(ctx context.Context, leadID string, change leadflow.HaloChange) error {
	kept, err := activities.EndedInputs(ctx, d.Store, []string{leadID})
	if err != nil {
		return err
	}
	in, ok := kept[leadID]
	if !ok {
		return serviceerror.NewNotFound("lead " + leadID + " has no workflow and no kept state")
	}
	opts, _, _ := activities.StartLead(ctx, nil, leadID, in.Settings)
	_, err = d.Temporal.SignalWithStartWorkflow(ctx, opts.ID, leadflow.SignalHaloChange, change,
		client.StartWorkflowOptions{ID: opts.ID, TaskQueue: opts.TaskQueue}, leadflow.LeadWorkflow, in)
	return err
}
