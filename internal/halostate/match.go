package halostate

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"haloleads/internal/dedupe"
	"haloleads/internal/halopsa"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/store"
)

// KeysVersion is the version of the rules the mirror's match keys are made by (MatchKeys). Change
// it whenever those rules change (normalize, dedupe.IdentityKeys or ClientKeys, landing's
// UserValues or CustomerValues): the next Key (every import's) keys the whole mirror again,
// streaming it, so that matching by the store gives what matching in memory would.
const KeysVersion = 1

// keyChunk is how many records Key reads and keys at a time, and matchChunk how many leads or
// companies Match looks up at a time: what they hold in memory besides their results.
const (
	keyChunk   = 1000
	matchChunk = 1000
)

// MatchKeys returns the match keys of a mirrored record of kind (its JSON): an active user's
// identity keys (dedupe.IdentityKeys of its values), an active client's domain and name keys
// (dedupe.ClientKeys), a lead ticket's user and type (none when it was merged). The import finds
// its leads' records by them as dedupe.MatchExisting finds them in memory (State.Existing).
func MatchKeys(kind string, rec json.RawMessage) ([]string, error) {
	switch kind {
	case KindUser:
		return decodeKeys(kind, rec, userKeys)
	case KindClient:
		return decodeKeys(kind, rec, clientKeys)
	case KindTicket:
		return decodeKeys(kind, rec, ticketKeys)
	}
	return nil, nil
}

func decodeKeys[T any](kind string, rec json.RawMessage, keys func(T) []string) ([]string, error) {
	var v T
	if err := json.Unmarshal(rec, &v); err != nil {
		return nil, fmt.Errorf("decoding mirrored HaloPSA %s: %w", kind, err)
	}
	return keys(v), nil
}

func userKeys(u halopsa.User) []string {
	if u.Inactive != nil && *u.Inactive {
		return nil
	}
	return dedupe.IdentityKeys(landing.UserValues(u))
}

func clientKeys(c halopsa.Customer) []string {
	if c.Inactive != nil && *c.Inactive {
		return nil
	}
	return dedupe.ClientKeys(landing.CustomerValues(c))
}

func ticketKeys(t halopsa.Ticket) []string {
	if t.MergedIntoID != 0 {
		return nil // merged into another ticket: not the lead's
	}
	return []string{leadTicketKey(t.UserID, t.TicketTypeID)}
}

// leadTicketKey is the key of a ticket of type tt for user.
func leadTicketKey(user, tt halopsa.ID) string { return fmt.Sprintf("lead-ticket:%d:%d", user, tt) }

// Key gives the mirror's records that have none (records saved before the mirror had keys,
// or keyed by other rules than KeysVersion's) their match keys, keyChunk at a time. It
// returns how many it keyed: none once every record is keyed, as every read keys what it saves.
func (r *Reader) Key(ctx context.Context) (int, error) {
	total := 0
	for _, kind := range []string{KindUser, KindClient, KindTicket} {
		for {
			recs, err := r.Store.UnkeyedMirror(ctx, kind, KeysVersion, keyChunk)
			if err != nil || len(recs) == 0 {
				if err != nil {
					return total, err
				}
				break
			}
			keys := make([][]string, len(recs))
			for i, rec := range recs {
				if keys[i], err = MatchKeys(kind, rec.Record); err != nil {
					return total, fmt.Errorf("keying HaloPSA %s %d: %w", kind, rec.ID, err)
				}
			}
			n, err := r.Store.KeyMirror(ctx, KeysVersion, recs, keys)
			if err != nil {
				return total, err
			}
			total += n
		}
	}
	return total, nil
}

// Match finds the HaloPSA users of leads and the clients of companies in the mirror, as
// dedupe.MatchExisting finds them in the whole mirror held in memory (the same ids), asking the
// store for the keys of matchChunk leads or companies at a time. The mirror's records must be
// keyed (Key). Ambiguous lists the keys of these leads and companies that several records
// share, not every such key of the tenant.
func (r *Reader) Match(ctx context.Context, leads []lead.Lead, companies []dedupe.Company) (dedupe.HaloMatches, error) {
	m := dedupe.HaloMatches{Users: map[string]int{}, Clients: map[string]int{}}
	for start := 0; start < len(leads); start += matchChunk {
		part := leads[start:min(start+matchChunk, len(leads))]
		if err := r.matchChunk(ctx, KindUser, len(part), func(i int) (string, []string) { return part[i].ID, part[i].Keys }, m.Users); err != nil {
			return m, err
		}
	}
	for start := 0; start < len(companies); start += matchChunk {
		part := companies[start:min(start+matchChunk, len(companies))]
		if err := r.matchChunk(ctx, KindClient, len(part), func(i int) (string, []string) { return part[i].Key, part[i].MatchKeys() }, m.Clients); err != nil {
			return m, err
		}
	}
	return m, nil
}

// matchChunk matches n items (each a name and its keys, in the order to try them) against the
// records of kind, setting into[name] to the record of the first key any record holds.
func (r *Reader) matchChunk(ctx context.Context, kind string, n int, item func(int) (string, []string), into map[string]int) error {
	seen := map[string]bool{}
	var keys []string
	for i := range n {
		_, ks := item(i)
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	hits, err := r.Store.MirrorMatch(ctx, kind, keys)
	if err != nil {
		return err
	}
	for i := range n {
		name, ks := item(i)
		for _, k := range ks {
			if id, ok := hits[k]; ok {
				into[name] = id
				break
			}
		}
	}
	return nil
}

// Users returns the mirrored users with the given ids (ids the mirror does not hold are left out).
func (r *Reader) Users(ctx context.Context, ids []int) (map[int]halopsa.User, error) {
	return records[halopsa.User](ctx, r.Store, KindUser, ids)
}

// Clients returns the mirrored clients with the given ids.
func (r *Reader) Clients(ctx context.Context, ids []int) (map[int]halopsa.Customer, error) {
	return records[halopsa.Customer](ctx, r.Store, KindClient, ids)
}

// LeadTickets returns the lead ticket of each of the given users: the lowest id among the
// mirrored tickets of the types given that were not merged (users without one are left out).
func (r *Reader) LeadTickets(ctx context.Context, users []int, types []halopsa.ID) (map[int]int, error) {
	out := map[int]int{}
	for start := 0; start < len(users); start += matchChunk {
		part := users[start:min(start+matchChunk, len(users))]
		keys := make([]string, 0, len(part)*len(types))
		for _, u := range part {
			for _, tt := range types {
				keys = append(keys, leadTicketKey(halopsa.ID(u), tt))
			}
		}
		hits, err := r.Store.MirrorMatch(ctx, KindTicket, keys)
		if err != nil {
			return nil, err
		}
		for _, u := range part {
			for _, tt := range types {
				if id, ok := hits[leadTicketKey(halopsa.ID(u), tt)]; ok && (out[u] == 0 || id < out[u]) {
					out[u] = id
				}
			}
		}
	}
	return out, nil
}

// Floors returns the highest ids of the mirror: users, clients and tickets from the store's
// index, sites (the clients' main sites) from a pass over the mirrored clients that holds one
// at a time. Each is at or below HaloPSA's newest, which is all a floor needs; they are Read.
func (r *Reader) Floors(ctx context.Context) (halopsa.Floors, error) {
	f := halopsa.Floors{Read: true}
	for _, k := range []struct {
		kind string
		into *halopsa.ID
	}{{KindUser, &f.Users}, {KindClient, &f.Customers}, {KindTicket, &f.Tickets}} {
		top, err := r.Store.MirrorTop(ctx, k.kind)
		if err != nil {
			return f, err
		}
		*k.into = halopsa.ID(top)
	}
	err := r.Store.Mirror(ctx, KindClient, func(id int, rec json.RawMessage) error {
		var c struct {
			MainSiteID halopsa.ID `json:"main_site_id"`
		}
		if err := json.Unmarshal(rec, &c); err != nil {
			return fmt.Errorf("decoding mirrored HaloPSA client %d: %w", id, err)
		}
		f.Sites = max(f.Sites, c.MainSiteID)
		return nil
	})
	return f, err
}

func records[T any](ctx context.Context, s *store.Store, kind string, ids []int) (map[int]T, error) {
	raw, err := s.MirrorRecords(ctx, kind, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int]T, len(raw))
	for id, rec := range raw {
		var v T
		if err := json.Unmarshal(rec, &v); err != nil {
			return nil, fmt.Errorf("decoding mirrored HaloPSA %s %d: %w", kind, id, err)
		}
		out[id] = v
	}
	return out, nil
}

// Existing is the state's active users and clients as dedupe.MatchExisting takes them, in id
// order: the whole mirror in memory, as imports matched before Match (kept to check Match
// against).
func (s State) Existing() dedupe.Existing {
	var ex dedupe.Existing
	for _, id := range slices.Sorted(maps.Keys(s.Users)) {
		if u := s.Users[id]; u.Inactive == nil || !*u.Inactive {
			ex.Users = append(ex.Users, dedupe.HaloRecord{ID: id, Values: landing.UserValues(u)})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(s.Clients)) {
		if c := s.Clients[id]; c.Inactive == nil || !*c.Inactive {
			ex.Clients = append(ex.Clients, dedupe.HaloRecord{ID: id, Values: landing.CustomerValues(c)})
		}
	}
	return ex
}

// LeadTickets is the in-memory LeadTickets of every user: user id → the lowest id of the
// state's tickets of the types given that were not merged.
func (s State) LeadTickets(types []halopsa.ID) map[int]int {
	out := map[int]int{}
	for _, t := range s.Tickets {
		if !slices.Contains(types, t.TicketTypeID) || t.MergedIntoID != 0 {
			continue // its type was changed to one that is not haloleads', or it was merged
		}
		if old, ok := out[int(t.UserID)]; !ok || int(t.ID) < old {
			out[int(t.UserID)] = int(t.ID)
		}
	}
	return out
}

// Floors are the in-memory Floors of the state.
func (s State) Floors() halopsa.Floors {
	f := halopsa.Floors{Read: true}
	for _, u := range s.Users {
		f.Users = max(f.Users, u.ID)
	}
	for _, c := range s.Clients {
		f.Customers, f.Sites = max(f.Customers, c.ID), max(f.Sites, c.MainSiteID)
	}
	for _, t := range s.Tickets {
		f.Tickets = max(f.Tickets, t.ID)
	}
	return f
}
