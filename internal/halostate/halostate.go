// Package halostate keeps haloleads' picture of a HaloPSA tenant, the users, clients and lead
// tickets an import matches people against, in the store (shared by every process on
// PostgreSQL), and reads only what changed since the last read.
//
// The first read of a kind lists it whole; every read then asks HaloPSA only for the records
// changed at or after the newest last-update time it has seen (lastupdatefromdate on /Users,
// /Client and /Tickets), saves them in the store's mirror and moves that kind's watermark to
// the newest last-update time among them. A re-read therefore costs requests in proportion to
// what changed (one page of 100 per 100 changed records, plus one request per kind and ticket
// type), not to the size of the tenant. Watermarks are HaloPSA's own times, so the clocks of
// haloleads' hosts do not matter; a read is inclusive, so the newest records are read again
// rather than missed. Records deleted in HaloPSA stay in the mirror (nothing lists deletions):
// the import re-creates a lead's deleted record when it updates it.
//
// Every record is saved with its match keys (MatchKeys: a user's e-mail and name identity keys,
// a client's domain and name keys, a lead ticket's user and type), and an import asks the store
// for the records matching its leads, a chunk at a time (Match, LeadTickets, Users, Clients),
// instead of loading the mirror: its memory grows with the import, not with the tenant.
package halostate

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"haloleads/internal/halopsa"
	"haloleads/internal/store"
)

// Kinds of mirrored records.
const (
	KindUser   = "user"
	KindClient = "client"
	KindTicket = "ticket"
)

// Mirror is the reader the import's mirror uses; the reconciliation reads with its own name.
const Mirror = "mirror"

// Reader reads HaloPSA incrementally into the store.
type Reader struct {
	Client *halopsa.Client
	Store  *store.Store
}

// Changes is what one read found: the records changed since the reader's watermarks (every
// record of a kind on its first read).
type Changes struct {
	Users   []halopsa.User
	Clients []halopsa.Customer
	Tickets []halopsa.Ticket
	// Full lists the kinds read whole (no watermark yet: the first read, or a kind HaloPSA
	// has no records of).
	Full []string
}

// Sync reads the users, clients and tickets of ticketTypes changed since reader name's
// watermarks (everything the first time), saves them in the mirror and advances the
// watermarks. Every reader (the import's Mirror, the reconciliation) has its own watermarks;
// all of them keep the one mirror up to date.
func (r *Reader) Sync(ctx context.Context, name string, ticketTypes []halopsa.ID) (Changes, error) {
	return r.Read(ctx, name, ticketTypes, nil)
}

// Read is Sync calling use with the changes before anything is saved: when use fails, nothing
// is saved and the watermarks stay, so the next read brings the same changes again.
func (r *Reader) Read(ctx context.Context, name string, ticketTypes []halopsa.ID, use func(Changes) error) (Changes, error) {
	var ch Changes
	var reads []kindRead
	users, rd, err := readKind(ctx, r, name, KindUser, &ch, func(since time.Time) ([]halopsa.User, error) {
		return collect(r.Client.Users(ctx, halopsa.UserQuery{UpdatedSince: since}))
	}, func(u halopsa.User) (int, time.Time) { return int(u.ID), u.LastUpdate.Time }, userKeys)
	if err != nil {
		return ch, err
	}
	ch.Users, reads = users, append(reads, rd)
	clients, rd, err := readKind(ctx, r, name, KindClient, &ch, func(since time.Time) ([]halopsa.Customer, error) {
		return collect(r.Client.Customers(ctx, halopsa.CustomerQuery{UpdatedSince: since}))
	}, func(c halopsa.Customer) (int, time.Time) { return int(c.ID), c.LastUpdate.Time }, clientKeys)
	if err != nil {
		return ch, err
	}
	ch.Clients, reads = clients, append(reads, rd)
	tickets, rd, err := readKind(ctx, r, name, KindTicket, &ch, func(since time.Time) ([]halopsa.Ticket, error) {
		var out []halopsa.Ticket
		for _, tt := range ticketTypes {
			ts, err := collect(r.Client.Tickets(ctx, halopsa.TicketQuery{TicketTypeID: tt, UpdatedSince: since}))
			if err != nil {
				return nil, err
			}
			out = append(out, ts...)
		}
		return out, nil
	}, func(t halopsa.Ticket) (int, time.Time) { return int(t.ID), t.LastUpdate.Time }, ticketKeys)
	if err != nil {
		return ch, err
	}
	ch.Tickets, reads = tickets, append(reads, rd)
	if use != nil {
		if err := use(ch); err != nil {
			return ch, err
		}
	}
	for _, rd := range reads {
		if err := rd.save(ctx, r.Store); err != nil {
			return ch, err
		}
	}
	return ch, nil
}

// kindRead is what reading one kind found, to save once the read is used: the records and
// their match keys (MatchKeys).
type kindRead struct {
	mark   string
	recs   []store.MirrorRecord
	keys   [][]string
	newest time.Time
}

func (k kindRead) save(ctx context.Context, s *store.Store) error {
	if err := s.SaveKeyedMirror(ctx, KeysVersion, k.recs, k.keys); err != nil {
		return err
	}
	if k.newest.IsZero() {
		return nil
	}
	return s.AdvanceWatermark(ctx, k.mark, k.newest)
}

// readKind reads one kind since its watermark.
func readKind[T any](ctx context.Context, r *Reader, name, kind string, ch *Changes,
	list func(since time.Time) ([]T, error), key func(T) (int, time.Time), keys func(T) []string) ([]T, kindRead, error) {
	rd := kindRead{mark: name + ":" + kind}
	since, ok, err := r.Store.Watermark(ctx, rd.mark)
	if err != nil {
		return nil, rd, err
	}
	if !ok {
		ch.Full = append(ch.Full, kind)
	}
	items, err := list(since)
	if err != nil {
		return nil, rd, fmt.Errorf("reading HaloPSA %ss changed since %s: %w", kind, since.Format(time.RFC3339), err)
	}
	rd.recs, rd.keys = make([]store.MirrorRecord, 0, len(items)), make([][]string, 0, len(items))
	for _, it := range items {
		id, at := key(it)
		raw, err := json.Marshal(it)
		if err != nil {
			return nil, rd, fmt.Errorf("encoding HaloPSA %s %d: %w", kind, id, err)
		}
		rd.recs = append(rd.recs, store.MirrorRecord{Kind: kind, ID: id, Record: raw})
		rd.keys = append(rd.keys, keys(it))
		if at.After(rd.newest) {
			rd.newest = at
		}
	}
	return items, rd, nil
}

// Start sets reader name's watermarks to the mirror's where it has none, so that a new reader
// (the reconciliation's first run) starts from what imports have already seen instead of the
// whole tenant. It reports whether every watermark is now set.
func (r *Reader) Start(ctx context.Context, name string) (bool, error) {
	all := true
	for _, kind := range []string{KindUser, KindClient, KindTicket} {
		if _, ok, err := r.Store.Watermark(ctx, name+":"+kind); err != nil || ok {
			if err != nil {
				return false, err
			}
			continue
		}
		at, ok, err := r.Store.Watermark(ctx, Mirror+":"+kind)
		if err != nil {
			return false, err
		}
		if !ok {
			all = false
			continue
		}
		if err := r.Store.AdvanceWatermark(ctx, name+":"+kind, at); err != nil {
			return false, err
		}
	}
	return all, nil
}

// Forget removes reader name's watermarks: its next read lists the tenant whole, as its first
// did (the mirror keeps what it holds; the read replaces it). The benchmark compares that full
// read with the incremental one.
func (r *Reader) Forget(ctx context.Context, name string) error {
	for _, kind := range []string{KindUser, KindClient, KindTicket} {
		if err := r.Store.ForgetWatermark(ctx, name+":"+kind); err != nil {
			return err
		}
	}
	return nil
}

// State is the tenant as the mirror holds it.
type State struct {
	Users   map[int]halopsa.User
	Clients map[int]halopsa.Customer
	Tickets map[int]halopsa.Ticket
}

// Load reads the whole mirror into memory. The import does not (it matches by the mirror's
// keys, Match): Load is what the in-memory match is checked with, for tests and tools on small
// tenants.
func (r *Reader) Load(ctx context.Context) (State, error) {
	st := State{Users: map[int]halopsa.User{}, Clients: map[int]halopsa.Customer{}, Tickets: map[int]halopsa.Ticket{}}
	if err := load(ctx, r.Store, KindUser, st.Users); err != nil {
		return st, err
	}
	if err := load(ctx, r.Store, KindClient, st.Clients); err != nil {
		return st, err
	}
	return st, load(ctx, r.Store, KindTicket, st.Tickets)
}

func load[T any](ctx context.Context, s *store.Store, kind string, into map[int]T) error {
	return s.Mirror(ctx, kind, func(id int, rec json.RawMessage) error {
		var v T
		if err := json.Unmarshal(rec, &v); err != nil {
			return fmt.Errorf("decoding mirrored HaloPSA %s %d: %w", kind, id, err)
		}
		into[id] = v
		return nil
	})
}

// collect drains a list.
func collect[T any](seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Kinds of the marks haloleads' own writes leave: the last-update time HaloPSA gave a record
// haloleads wrote, so the reconciliation can tell its own writes from a person's change.
const (
	KindWroteUser   = "wrote-user"
	KindWroteTicket = "wrote-ticket"
)

// Wrote records the last-update times HaloPSA answered haloleads' writes with (id → time);
// zero times are left out.
func Wrote(ctx context.Context, s *store.Store, kind string, at map[int]time.Time) error {
	recs := make([]store.MirrorRecord, 0, len(at))
	for id, t := range at {
		if t.IsZero() {
			continue
		}
		raw, _ := json.Marshal(t.UTC().Format(time.RFC3339Nano))
		recs = append(recs, store.MirrorRecord{Kind: kind, ID: id, Record: raw})
	}
	return s.SaveMirror(ctx, recs)
}

// OwnWrites returns, of the records listed (id → the last-update time HaloPSA shows now), those
// whose last change was haloleads' own write.
func OwnWrites(ctx context.Context, s *store.Store, kind string, now map[int]time.Time) (map[int]bool, error) {
	ids := make([]int, 0, len(now))
	for id := range now {
		ids = append(ids, id)
	}
	marks, err := s.MirrorRecords(ctx, kind, ids)
	if err != nil {
		return nil, err
	}
	own := map[int]bool{}
	for id, raw := range marks {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && t.Equal(now[id]) {
			own[id] = true
		}
	}
	return own, nil
}
