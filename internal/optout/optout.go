// Package optout acts on a Do Not Contact that starts outside a lead's workflow: `starter
// suppress add` and a provider's opt-out feed (Lusha's webhook, the only provider that pushes
// opt-outs). Either way the person goes on the suppression list under every key first (so no
// later import or pull can bring them back, whether or not haloleads knows them as a lead), then
// the lead's workflow, when there is one, takes the one Do-Not-Contact path (HaloPSA status,
// field, tag, lists, a note; the providers' mechanisms).
package optout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/store"
	"haloleads/internal/suppress"
)

// Service starts Do Not Contact from outside a lead.
type Service struct {
	Store    *store.Store
	Temporal client.Client
	Logger   *zap.Logger
	// Wait is what the lead's update is waited for: WorkflowUpdateStageCompleted (the CLI
	// shows the result) or WorkflowUpdateStageAccepted (a webhook answers quickly; the
	// workflow finishes the work durably). Zero means Completed.
	Wait client.WorkflowUpdateStage
}

// Request is one person to suppress: their values (any of e-mail, phones, LinkedIn, name and
// company), or a lead id whose keys the store knows.
type Request struct {
	Values lead.Values
	LeadID string
	Via    string // leadflow.ViaCLI or leadflow.ViaProvider
	By     string
	Reason string
	// Domain also suppresses the company's domain.
	Domain bool
}

// Result says what was done.
type Result struct {
	// Keys is how many suppression keys were added (or were there already).
	Keys int `json:"keys"`
	// LeadID is the lead the person is, "" when haloleads does not know them as a lead.
	LeadID string `json:"lead_id,omitempty"`
	// Lead says what became of the lead: "marked Do Not Contact", "accepted", or why not.
	Lead string `json:"lead,omitempty"`
	// State is the lead's state after the update, when it was waited for.
	State *leadflow.LeadState `json:"state,omitempty"`
}

// ErrNothingToSuppress is returned for a request with no usable key.
var ErrNothingToSuppress = errors.New("nothing to suppress: give an e-mail address, a phone number, a LinkedIn profile or a lead")

// DoNotContact puts the person on the suppression list and, when they are a lead with a
// workflow, sends the lead the do-not-contact update.
func (s Service) DoNotContact(ctx context.Context, r Request) (Result, error) {
	keys := suppress.Keys(r.Values, suppress.Options{Domain: r.Domain})
	leadID := r.LeadID
	if leadID == "" {
		var err error
		if leadID, err = s.leadOf(ctx, keys); err != nil {
			return Result{}, err
		}
	}
	if len(keys) == 0 && leadID == "" {
		return Result{}, ErrNothingToSuppress
	}
	res := Result{Keys: len(keys), LeadID: leadID}
	if err := s.Store.SuppressKeys(ctx, leadID, r.Reason, r.Via+":"+r.By, keys...); err != nil {
		return res, fmt.Errorf("adding to the suppression list: %w", err)
	}
	if leadID == "" {
		res.Lead = "not a known lead: on the suppression list only"
		return res, nil
	}
	return s.updateLead(ctx, r, res)
}

// leadOf finds the lead a person's keys belong to (their e-mail or name identity).
func (s Service) leadOf(ctx context.Context, keys []string) (string, error) {
	for _, k := range keys {
		kind := suppress.KindOf(k)
		if kind != suppress.KindEmail && kind != suppress.KindName {
			continue
		}
		id, ok, err := s.Store.LookupIdentity(ctx, k)
		if err != nil {
			return "", err
		}
		if ok {
			if survivor, err := s.Store.SurvivorOf(ctx, id); err == nil && survivor != "" {
				id = survivor
			}
			return id, nil
		}
	}
	return "", nil
}

// updateLead sends the do-not-contact update; a lead with no workflow or no ticket yet is
// reported, not failed: the suppression list already holds the person, and the lead lands as
// Do Not Contact when it is imported.
func (s Service) updateLead(ctx context.Context, r Request, res Result) (Result, error) {
	wait := s.Wait
	if wait == client.WorkflowUpdateStageUnspecified {
		wait = client.WorkflowUpdateStageCompleted
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: leadflow.LeadWorkflowID(res.LeadID), UpdateName: leadflow.UpdateDoNotContact,
		Args:         []any{leadflow.DoNotContactRequest{Via: r.Via, By: r.By, Reason: r.Reason, Domain: r.Domain}},
		WaitForStage: wait,
	})
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		res.Lead = "no running workflow: on the suppression list; a later import lands it as Do Not Contact"
		return res, nil
	case err != nil:
		return res, fmt.Errorf("marking lead %s Do Not Contact: %w", res.LeadID, err)
	}
	if wait != client.WorkflowUpdateStageCompleted {
		res.Lead = "accepted"
		return res, nil
	}
	var st leadflow.LeadState
	if err := h.Get(ctx, &st); err != nil {
		res.Lead = "not marked: " + err.Error()
		return res, nil
	}
	res.Lead, res.State = "marked Do Not Contact", &st
	if s.Logger != nil {
		s.Logger.Info("lead marked Do Not Contact", zap.String("lead", res.LeadID), zap.String("via", r.Via))
	}
	return res, nil
}
