// Package erase provides erasure of one person (`starter forget`): their data leaves HaloPSA's
// records haloleads created, haloleads' store and Temporal, and only keyed hashes of their keys
// stay, in the suppression list, so that no later import or pull brings them back.
//
// The rule, in order (each step makes the next safe to run):
//
//  1. The person's keys (e-mail, phones, LinkedIn, name-at-company, as the suppression list
//     derives them) are suppressed with reason "erased": an import drops such a person before
//     anything is staged, saved or written.
//  2. The lead workflow's state is read (HaloPSA ids, the values to search for), then every run
//     of the lead workflow is terminated and deleted with its history (DeleteWorkflowExecution).
//  3. The store forgets the lead (store.Forget), so a webhook about its ticket finds no lead.
//  4. In HaloPSA the lead's tickets are deleted with every action on them, and the user
//     haloleads landed is deleted. The client (the company) stays: it is not the person.
//
// Payloads are encrypted (package codec), so histories of imports that carried the person hold
// them only encrypted; those histories go with the namespace's retention.
package erase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/store"
	"haloleads/internal/suppress"
)

// Reason is the suppression reason of an erased person.
const Reason = suppress.ReasonErased

// Eraser holds what erasure touches.
type Eraser struct {
	Temporal  client.Client
	Namespace string
	// Halo is the tenant; nil skips HaloPSA (reported as a problem).
	Halo   *halopsa.Client
	Store  *store.Store
	Logger *zap.Logger
	// Wait bounds how long Forget waits for Temporal to finish deleting histories; default 2m.
	Wait time.Duration
}

// Report says what Forget did. It names no personal data.
type Report struct {
	LeadID          string   `json:"lead_id"`
	SuppressionKeys int      `json:"suppression_keys"`
	Workflows       int      `json:"workflow_runs_deleted"`
	StoreRows       int      `json:"store_rows"`
	Uploads         int      `json:"uploads_dropped"`
	Tickets         int      `json:"tickets_deleted"`
	Actions         int      `json:"actions_deleted"`
	Users           int      `json:"users_deleted"`
	Lists           int      `json:"lists_left"`
	Problems        []string `json:"problems,omitempty"`
}

// Forget erases the lead leadID; also holds what the caller knows of the person (the e-mail
// address typed on the command line).
func (e *Eraser) Forget(ctx context.Context, leadID string, also lead.Values) (Report, error) {
	if e.Logger == nil {
		e.Logger = zap.NewNop()
	}
	r := Report{LeadID: leadID}
	person, halo := e.person(ctx, leadID, also)
	keys := suppress.Merge(person.Keys, suppress.Keys(person.Values, suppress.Options{}))
	if len(keys) == 0 {
		return r, fmt.Errorf("nothing is known about %s: no key to suppress", leadID)
	}
	if err := e.Store.SuppressKeys(ctx, "", Reason, "forget", keys...); err != nil {
		return r, fmt.Errorf("suppressing the person: %w", err)
	}
	r.SuppressionKeys = len(keys)
	runs, err := e.deleteWorkflow(ctx, leadID)
	r.Workflows = runs
	if err != nil {
		r.Problems = append(r.Problems, err.Error())
	}
	fr, err := e.Store.Forget(ctx, leadID, needles(person.Values))
	if err != nil {
		return r, fmt.Errorf("forgetting the lead in the store: %w", err)
	}
	r.StoreRows, r.Uploads = fr.Rows, fr.Uploads
	tickets := fr.Tickets
	if halo.TicketID != 0 && !slices.Contains(tickets, halo.TicketID) {
		tickets = append(tickets, halo.TicketID)
	}
	e.deleteHalo(ctx, tickets, halo.UserID, &r)
	if err := e.awaitDeleted(ctx, leadID); err != nil {
		r.Problems = append(r.Problems, err.Error())
	}
	e.Logger.Info("lead forgotten", zap.String("lead", leadID), zap.Int("workflow_runs", r.Workflows),
		zap.Int("tickets", r.Tickets), zap.Int("users", r.Users), zap.Int("problems", len(r.Problems)))
	return r, nil
}

// person gathers what is known of the person: the lead workflow's state (when it runs), the
// store's known record, and also.
func (e *Eraser) person(ctx context.Context, leadID string, also lead.Values) (lead.Lead, leadflow.HaloIDs) {
	p := lead.Lead{ID: leadID, Values: lead.Values{}}
	var halo leadflow.HaloIDs
	if known, err := e.Store.KnownLeads(ctx, []string{leadID}); err == nil {
		if k, ok := known[leadID]; ok {
			p.Values, p.Keys = k.Values, k.Keys
		}
	}
	var st leadflow.LeadState
	found := false
	if v, err := e.Temporal.QueryWorkflow(ctx, leadflow.LeadWorkflowID(leadID), "", leadflow.QueryState); err == nil {
		found = v.Get(&st) == nil
	}
	if !found { // a lead whose workflow ended keeps its state in the store
		var in leadflow.LeadInput
		if b, ok, err := e.Store.EndedLead(ctx, leadID); err == nil && ok && json.Unmarshal(b, &in) == nil && in.State != nil {
			st, found = *in.State, true
		}
	}
	if found {
		halo = st.Halo
		p.Keys = append(p.Keys, st.Lead.Keys...)
		p.Values = merge(p.Values, st.Lead.Values, st.Seen, st.Written)
	}
	p.Values = merge(p.Values, also)
	return p, halo
}

// merge fills the fields of dst that are empty from each of more in turn.
func merge(dst lead.Values, more ...lead.Values) lead.Values {
	for _, m := range more {
		for f, v := range m {
			if dst[f] == "" && v != "" {
				dst[f] = v
			}
		}
	}
	return dst
}

// needles are the person's values that may appear in clear in the store: e-mail, phones, names.
func needles(v lead.Values) []string {
	var out []string
	for _, f := range []lead.Field{lead.Email, lead.PhoneDirect, lead.PhoneMobile, lead.FirstName, lead.LastName, lead.LinkedIn} {
		if v[f] != "" {
			out = append(out, v[f])
		}
	}
	if v[lead.FirstName] != "" && v[lead.LastName] != "" {
		out = append(out, v[lead.FirstName]+" "+v[lead.LastName])
	}
	return out
}

// deleteWorkflow terminates the lead workflow and deletes every run of it with its history.
func (e *Eraser) deleteWorkflow(ctx context.Context, leadID string) (int, error) {
	id := leadflow.LeadWorkflowID(leadID)
	err := e.Temporal.TerminateWorkflow(ctx, id, "", "erased (starter forget)")
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return 0, fmt.Errorf("terminating the lead workflow: %w", err)
	}
	runs, err := e.runs(ctx, id)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, run := range runs {
		_, err := e.Temporal.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
			Namespace: e.Namespace, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: run}})
		if err != nil && !errors.As(err, &nf) {
			return n, fmt.Errorf("deleting the lead workflow's history: %w", err)
		}
		n++
	}
	return n, nil
}

// runs lists the run ids of workflow id (every Continue-As-New generation, open or closed).
func (e *Eraser) runs(ctx context.Context, id string) ([]string, error) {
	var out []string
	var token []byte
	for {
		resp, err := e.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: e.Namespace, Query: fmt.Sprintf("WorkflowId = %q", id), NextPageToken: token})
		if err != nil {
			return out, fmt.Errorf("listing the lead workflow's runs: %w", err)
		}
		for _, ex := range resp.GetExecutions() {
			out = append(out, ex.GetExecution().GetRunId())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out, nil
		}
	}
}

// awaitDeleted waits until Temporal no longer knows the lead workflow (deletion is
// asynchronous), up to e.Wait.
func (e *Eraser) awaitDeleted(ctx context.Context, leadID string) error {
	wait := e.Wait
	if wait == 0 {
		wait = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		_, err := e.Temporal.DescribeWorkflowExecution(ctx, leadflow.LeadWorkflowID(leadID), "")
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("Temporal has not finished deleting the lead workflow after %s; it will", wait)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// deleteHalo deletes the tickets with their actions, then the user, recording what it could
// not do.
func (e *Eraser) deleteHalo(ctx context.Context, tickets []int, userID int, r *Report) {
	if e.Halo == nil {
		if len(tickets) > 0 || userID != 0 {
			r.Problems = append(r.Problems, "HaloPSA is not configured: its records were left alone")
		}
		return
	}
	for _, t := range tickets {
		if userID == 0 {
			if tk, err := e.Halo.Ticket(ctx, halopsa.ID(t)); err == nil {
				userID = int(tk.UserID)
			}
		}
		actions, err := e.Halo.Actions(ctx, halopsa.ID(t))
		if err != nil && !isNotFound(err) {
			r.Problems = append(r.Problems, err.Error())
		}
		for _, a := range actions {
			if err := e.Halo.DeleteAction(ctx, halopsa.ID(t), a.ID); err != nil && !isNotFound(err) {
				r.Problems = append(r.Problems, err.Error())
				continue
			}
			r.Actions++
		}
		if err := e.Halo.DeleteTicket(ctx, halopsa.ID(t), "erased (starter forget)"); err != nil && !isNotFound(err) {
			r.Problems = append(r.Problems, err.Error())
			continue
		}
		r.Tickets++
	}
	if userID != 0 {
		e.leaveLists(ctx, userID, r)
		if err := e.Halo.DeleteUser(ctx, halopsa.ID(userID)); err != nil && !isNotFound(err) {
			r.Problems = append(r.Problems, err.Error())
		} else {
			r.Users++
		}
	}
}

func isNotFound(err error) bool { return halopsa.IsNotFound(err) }

// leaveLists removes the user from every distribution list holding them (a list keeps its
// members' names and addresses).
func (e *Eraser) leaveLists(ctx context.Context, userID int, r *Report) {
	lists, err := e.Halo.DistributionLists(ctx)
	if err != nil {
		r.Problems = append(r.Problems, err.Error())
		return
	}
	var changes []halopsa.DistributionList
	for _, l := range lists {
		full, err := e.Halo.DistributionList(ctx, l.ID)
		if err != nil {
			r.Problems = append(r.Problems, err.Error())
			continue
		}
		if slices.ContainsFunc(full.Members, func(m halopsa.DistributionListMember) bool { return int(m.UserID) == userID }) {
			changes = append(changes, halopsa.DistributionList{ID: l.ID, RemoveTheseUsers: []halopsa.UserRef{{ID: halopsa.ID(userID)}}})
		}
	}
	if len(changes) == 0 {
		return
	}
	if _, err := e.Halo.SaveDistributionLists(ctx, changes); err != nil {
		r.Problems = append(r.Problems, err.Error())
		return
	}
	r.Lists += len(changes)
}
