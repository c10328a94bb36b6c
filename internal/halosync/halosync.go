// Package halosync turns HaloPSA's webhook events into lead workflow signals: a status or a
// custom field an agent changed on a lead ticket reaches the lead's workflow, which adopts,
// flags or reverts it and pins edited fields so imports never overwrite them.
package halosync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/activities"
	"haloleads/internal/halopsa"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/store"
	"haloleads/internal/webhook"
)

// Dispatcher signals lead workflows with HaloPSA changes. It implements webhook.Dispatcher.
type Dispatcher struct {
	Temporal client.Client
	Store    *store.Store
	Tenant   *activities.Tenant
	Logger   *zap.Logger

	last lastSignals
}

// Dispatch signals the lead whose ticket changed. Events about other tickets are ignored.
func (d *Dispatcher) Dispatch(ctx context.Context, e webhook.Event) error {
	if e.TicketID == 0 {
		return nil
	}
	leadID, ok, err := d.Store.LeadOfTicket(ctx, e.TicketID)
	if err != nil {
		return webhook.Retryable(err)
	}
	if !ok {
		return nil
	}
	// The body is a hint: whoever knows the Basic credential can write one. What the ticket
	// holds is read from HaloPSA itself, and only that reaches the lead.
	tk, err := d.Tenant.Client.Ticket(ctx, halopsa.ID(e.TicketID))
	if halopsa.IsNotFound(err) {
		d.Logger.Warn("webhook event about a ticket HaloPSA does not have; ignored", zap.String("event_id", e.ID))
		return nil
	}
	if err != nil {
		return webhook.Retryable(fmt.Errorf("re-reading ticket %d: %w", e.TicketID, err))
	}
	change := leadflow.HaloChange{EventID: e.ID, TicketID: e.TicketID, At: e.ChangedAt}
	// Only a status change event reports a status: every event carries the ticket's status, and
	// taking the others for changes would judge (and flag) one change again on each later event.
	if e.Name == webhook.EventTicketStatusChanged && tk.StatusID != 0 {
		if s, ok := d.Tenant.StatusOf(ctx, tk.StatusID); ok {
			change.Status = s
		}
	}
	change.Values = d.values(ctx, tk.CustomFields)
	if !d.last.changed(e.TicketID, change) {
		return webhook.ErrUnchanged
	}
	err = d.Temporal.SignalWorkflow(ctx, leadflow.LeadWorkflowID(leadID), "", leadflow.SignalHaloChange, change)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		err = d.revive(ctx, leadID, change) // a lead that ended after its quiet period
	}
	if errors.As(err, &nf) {
		d.Logger.Warn("webhook for a lead without a workflow", zap.String("lead", leadID))
		return nil
	}
	if err != nil {
		d.last.forget(e.TicketID)
		return webhook.Retryable(fmt.Errorf("signalling lead %s: %w", leadID, err))
	}
	return nil
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
	fields := c.Values.SortedFields()
	var b strings.Builder
	b.WriteString(string(c.Status))
	for _, f := range fields {
		fmt.Fprintf(&b, "\x00%s=%s", f, c.Values[f])
	}
	key := b.String()
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

// values maps the event's custom fields (by HaloPSA id) to lead fields, as HaloPSA shows them
// (a dropdown by its option's name). Only lead fields kept on the ticket count: scores, stage
// data and derived fields are haloleads' own and never a person's edit of a lead field.
func (d *Dispatcher) values(ctx context.Context, fields []halopsa.CustomField) lead.Values {
	if len(fields) == 0 {
		return nil
	}
	read, err := d.Tenant.TicketFieldValues(ctx, fields)
	if err != nil {
		d.Logger.Warn("reading webhook custom fields", zap.Error(err))
		return nil
	}
	out := lead.Values{}
	for logical, v := range read {
		f := lead.Field(logical)
		if landing.WhereIs(f) != landing.OnTicket {
			continue
		}
		switch x := v.(type) {
		case nil:
		case bool:
			if x {
				out[f] = "true"
			}
		case float64:
			out[f] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			out[f] = fmt.Sprint(x)
		}
	}
	return out
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
