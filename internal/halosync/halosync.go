// Package halosync turns HaloPSA's webhook events into lead workflow signals: a status or a
// custom field an agent changed on a lead ticket reaches the lead's workflow, which adopts,
// flags or reverts it and pins edited fields so imports never overwrite them.
package halosync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

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
	change := leadflow.HaloChange{EventID: e.ID, TicketID: e.TicketID, At: e.ChangedAt}
	// Only a status change event reports a status: every event carries the ticket's status, and
	// taking the others for changes would judge (and flag) one change again on each later event.
	if e.Name == webhook.EventTicketStatusChanged && e.StatusID != 0 {
		if s, ok := d.Tenant.StatusOf(ctx, halopsa.ID(e.StatusID)); ok {
			change.Status = s
		}
	}
	change.Values = d.values(ctx, ticketFields(e))
	err = d.Temporal.SignalWorkflow(ctx, leadflow.LeadWorkflowID(leadID), "", leadflow.SignalHaloChange, change)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		d.Logger.Warn("webhook for a lead without a workflow", zap.String("lead", leadID))
		return nil
	}
	if err != nil {
		return webhook.Retryable(fmt.Errorf("signalling lead %s: %w", leadID, err))
	}
	return nil
}

// ticketFields returns the custom fields of the event's ticket with their display text, which
// is how a dropdown shows its option (its value is a lookup row id that means nothing to a
// lead); it falls back to the bare values when the payload's list cannot be read so.
func ticketFields(e webhook.Event) []halopsa.CustomField {
	var p struct {
		Ticket *struct {
			CustomFields []halopsa.CustomField `json:"customfields"`
		} `json:"ticket"`
	}
	if err := json.Unmarshal(e.Raw, &p); err == nil && p.Ticket != nil && len(p.Ticket.CustomFields) > 0 {
		return p.Ticket.CustomFields
	}
	fields := make([]halopsa.CustomField, 0, len(e.CustomFields))
	for id, raw := range e.CustomFields {
		fields = append(fields, halopsa.CustomField{ID: id, Value: raw})
	}
	return fields
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
