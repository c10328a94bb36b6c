package halosync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"haloleads/internal/halopsa"
	"haloleads/internal/halostate"
	"haloleads/internal/leadflow"
	"haloleads/internal/tenant"
	"haloleads/internal/webhook"
)

// Reconciler is the reconciliation's activity: for webhooks that never arrive, it reads the
// lead tickets and users HaloPSA changed since its watermark (halostate, reader "reconcile")
// and feeds each through the same path as a webhook (Dispatcher.Reconcile: the ticket and its
// user are re-read, the lead is signalled only with what is new to it).
type Reconciler struct {
	Dispatcher *Dispatcher
}

// ReconcileChanges reconciles what changed in HaloPSA since the last run. The first run starts
// from the state imports have read (the mirror's watermarks); with none, it reads the tenant
// once as its starting point and signals nothing. The watermarks move only once every change
// was fed through, so a failed run is repeated whole by its retry.
func (r *Reconciler) ReconcileChanges(ctx context.Context) (leadflow.ReconcileResult, error) {
	var res leadflow.ReconcileResult
	d := r.Dispatcher
	tres, err := d.Tenant.Result(ctx)
	if err != nil {
		return res, err
	}
	types := []halopsa.ID{tres.TicketTypes[tenant.Lead], tres.TicketTypes[tenant.Prospect], tres.TicketTypes[tenant.Opportunity]}
	rd := &halostate.Reader{Client: d.Tenant.Client, Store: d.Store}
	if _, err := rd.Start(ctx, leadflow.ReconcileReader); err != nil {
		return res, err
	}
	before := d.Tenant.Client.Requests()
	_, err = rd.Read(ctx, leadflow.ReconcileReader, types, func(ch halostate.Changes) error {
		res.Tickets, res.Users = len(ch.Tickets), len(ch.Users)
		res.Baseline = slices.Contains(ch.Full, halostate.KindTicket)
		return r.feed(ctx, ch, &res)
	})
	res.Requests = d.Tenant.Client.Requests() - before
	return res, err
}

// ownTickets are the tickets whose last change is an import's write (nothing to reconcile).
func ownTickets(ctx context.Context, d *Dispatcher, ts []halopsa.Ticket) (map[int]bool, error) {
	at := map[int]time.Time{}
	for _, t := range ts {
		at[int(t.ID)] = t.LastUpdate.Time
	}
	return halostate.OwnWrites(ctx, d.Store, halostate.KindWroteTicket, at)
}

// ownUsers are the users whose last change is an import's write.
func ownUsers(ctx context.Context, d *Dispatcher, us []halopsa.User) (map[int]bool, error) {
	at := map[int]time.Time{}
	for _, u := range us {
		at[int(u.ID)] = u.LastUpdate.Time
	}
	return halostate.OwnWrites(ctx, d.Store, halostate.KindWroteUser, at)
}

// feed sends each changed lead ticket, and the lead ticket of each changed user, through the
// webhook path. Kinds read whole (the starting point) are not fed.
func (r *Reconciler) feed(ctx context.Context, ch halostate.Changes, res *leadflow.ReconcileResult) error {
	d := r.Dispatcher
	done := map[int]bool{}
	one := func(ticketID int, version string) error {
		if ticketID == 0 || done[ticketID] {
			return nil
		}
		done[ticketID] = true
		activity.RecordHeartbeat(ctx, len(done))
		h := Hint{EventID: fmt.Sprintf("reconcile:%d:%s", ticketID, version), Source: leadflow.SourceReconcile}
		signalled, err := d.reconcile(ctx, ticketID, h)
		switch {
		case errors.Is(err, webhook.ErrUnchanged):
			return nil
		case err != nil:
			return err
		}
		if signalled {
			res.Signalled++
		}
		return nil
	}
	if !slices.Contains(ch.Full, halostate.KindTicket) {
		own, err := ownTickets(ctx, d, ch.Tickets)
		if err != nil {
			return err
		}
		for _, t := range ch.Tickets {
			if own[int(t.ID)] {
				res.Own++
				continue
			}
			if err := one(int(t.ID), t.LastUpdate.UTC().Format("20060102T150405.0000000")); err != nil {
				return err
			}
		}
	}
	if slices.Contains(ch.Full, halostate.KindUser) {
		return nil
	}
	own, err := ownUsers(ctx, d, ch.Users)
	if err != nil {
		return err
	}
	for _, u := range ch.Users {
		if own[int(u.ID)] {
			res.Own++
			continue
		}
		id, err := d.ticketOfUser(ctx, int(u.ID))
		if err != nil {
			return err
		}
		if err := one(id, "user-"+u.LastUpdate.UTC().Format("20060102T150405.0000000")); err != nil {
			return err
		}
	}
	if res.Signalled > 0 {
		d.Logger.Info("reconciliation fed HaloPSA changes to leads", zap.Int("signalled", res.Signalled),
			zap.Int("tickets", res.Tickets), zap.Int("users", res.Users))
	}
	return nil
}
