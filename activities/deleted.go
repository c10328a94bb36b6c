package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"haloleads/internal/halopsa"
	"haloleads/internal/landing"
	"haloleads/internal/lifecycle"
)

// Records deleted in HaloPSA.
//
// A lead's ticket or user may be deleted in HaloPSA after haloleads created it. HaloPSA then
// refuses the update with 404 ("Ticket 12 not found"), which fails the whole array POST: the
// client isolates the refused records (halopsa.RefusedError), so the rest of the batch lands.
// The rule for the deleted record is to re-create it: the import that offers the person again
// is the evidence that they are still wanted (`starter suppress add`, Do Not Contact or erasure
// are how a person stops that). A re-created user gets the lead's owned values; a re-created
// ticket gets the lead's stage (ticket type), its current status and the whole field set, and
// a line in its details saying which ticket it replaces. The lead learns the new ids from its
// "landed" signal. A record that cannot be re-created stays refused and is reported.

// deleted reports whether a refusal is HaloPSA saying the record to update does not exist.
func deleted(r halopsa.Refusal) bool { return r.Err != nil && r.Err.StatusCode == http.StatusNotFound }

// recreateUsers re-creates the users whose update HaloPSA refused because they were deleted,
// writing their new ids into saved. It returns the refusal left (nil when none).
func (w *writer) recreateUsers(ctx context.Context, err error, idx []int, users, saved []halopsa.User, floor halopsa.ID) error {
	re, gone := w.deletedOf(err, func(j int) bool { return users[j].ID != 0 })
	if len(gone) == 0 {
		return err
	}
	var creates []halopsa.User
	for _, j := range gone {
		i := idx[j]
		u := landing.User(0, w.ids[i].ClientID, w.ids[i].SiteID, w.plans[i].Owned)
		u.CustomFields = users[j].CustomFields
		creates = append(creates, u)
	}
	made, cerr := w.a.Client.UpsertUsersAbove(ctx, floor, creates)
	if cerr != nil {
		return err // the deleted users stay refused and are reported
	}
	for k, j := range gone {
		saved[j] = made[k]
		w.logRepair("user", w.plans[idx[j]].LeadID, int(users[j].ID), int(made[k].ID))
	}
	return re.without(gone)
}

// recreateTickets re-creates the lead tickets whose update HaloPSA refused because they were
// deleted, writing them into saved. It returns the refusal left (nil when none).
func (w *writer) recreateTickets(ctx context.Context, err error, idx []int, tickets, saved []halopsa.Ticket,
	floor halopsa.ID, tags map[string]halopsa.ID) error {
	re, gone := w.deletedOf(err, func(j int) bool { return tickets[j].ID != 0 })
	if len(gone) == 0 {
		return err
	}
	var creates []halopsa.Ticket
	for _, j := range gone {
		t, terr := w.recreatedTicket(ctx, idx[j], int(tickets[j].ID), tags)
		if terr != nil {
			return err
		}
		creates = append(creates, t)
	}
	made, cerr := w.a.Client.UpsertTicketsAbove(ctx, floor, creates)
	if cerr != nil {
		return err
	}
	for k, j := range gone {
		saved[j] = made[k]
		w.logRepair("ticket", w.plans[idx[j]].LeadID, int(tickets[j].ID), int(made[k].ID))
	}
	return re.without(gone)
}

// recreatedTicket is the create of lead i's ticket at its stage and status, replacing old.
func (w *writer) recreatedTicket(ctx context.Context, i, old int, tags map[string]halopsa.ID) (halopsa.Ticket, error) {
	p := w.plans[i]
	status := p.Status
	if status == "" {
		status = lifecycle.NewLead
	}
	stage := p.Stage
	if stage == "" {
		stage = status.StageOf()
	}
	typeID, err := w.a.Tenant.TypeID(ctx, stage)
	if err != nil {
		return halopsa.Ticket{}, err
	}
	w.ids[i].TicketID = 0
	p.StatusChanged = true
	t, err := w.ticket(ctx, i, p, typeID, tags)
	if err != nil {
		return t, err
	}
	t.Details += fmt.Sprintf("\nRe-created by haloleads: this lead's ticket %d was deleted in HaloPSA.", old)
	return t, nil
}

// deletedOf returns err's refusal and the positions it refuses because the record to update
// (isUpdate) no longer exists.
func (w *writer) deletedOf(err error, isUpdate func(j int) bool) (*refusal, []int) {
	var re *halopsa.RefusedError
	if !errors.As(err, &re) {
		return nil, nil
	}
	var gone []int
	for _, r := range re.Refused {
		if deleted(r) && isUpdate(r.Index) {
			gone = append(gone, r.Index)
		}
	}
	return &refusal{re}, gone
}

// refusal is a RefusedError that records can be taken out of.
type refusal struct{ *halopsa.RefusedError }

// without returns the refusal without the positions repaired, or nil when none is left.
func (r *refusal) without(repaired []int) error {
	left := &halopsa.RefusedError{What: r.What}
	for _, x := range r.Refused {
		if !containsInt(repaired, x.Index) {
			left.Refused = append(left.Refused, x)
		}
	}
	if len(left.Refused) == 0 {
		return nil
	}
	return left
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (w *writer) logRepair(what, leadID string, old, made int) {
	if w.a.Logger != nil {
		w.a.Logger.Info("re-created a lead record deleted in HaloPSA", zap.String("record", what),
			zap.String("lead", leadID), zap.Int("deleted_id", old), zap.Int("new_id", made))
	}
}
