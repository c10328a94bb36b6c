package halopsa

import (
	"context"
	"fmt"
	"iter"
)

// Upserts bounded by a floor.
//
// An upsert looks every id-less item up by natural key before it posts, so that a create sent
// by an earlier (or a still running) attempt of the same work is updated instead of duplicated.
// Reading a whole resource for that costs a page per 100 records. When the caller knows the
// highest id the resource had before the work began (its floor, see Floors), only the records
// above it can be the work's own: the read-back asks for the newest first and stops at the
// floor, usually after one page. A server that ignores the ordering is detected (ids not
// descending) and the read then goes on to the end, so a floor never hides a record.

// Floors are the highest ids of the resources a landing creates, read before it writes. A zero
// id means none: the read-back then reads the whole resource. Read says the floors come from a
// read of HaloPSA, so that zero ids are known (the resources were empty) and need not be read
// again: floors that are all zero and not Read are unknown.
type Floors struct {
	Customers ID   `json:"customers,omitempty"`
	Sites     ID   `json:"sites,omitempty"`
	Users     ID   `json:"users,omitempty"`
	Tickets   ID   `json:"tickets,omitempty"`
	Read      bool `json:"read,omitempty"`
}

// Known reports whether the floors were read (or hold an id): a landing given known floors
// reads none of its own.
func (f Floors) Known() bool { return f != Floors{} }

// ReadFloors reads the highest id of clients, sites, users and tickets (one page each).
func (c *Client) ReadFloors(ctx context.Context) (Floors, error) {
	f := Floors{Read: true}
	var err error
	if f.Customers, err = newestID(c.cfg.PageSize, c.Customers(ctx, CustomerQuery{NewestFirst: true, IncludeInactive: true}), func(x Customer) ID { return x.ID }); err != nil {
		return f, fmt.Errorf("reading the newest client: %w", err)
	}
	if f.Sites, err = newestID(c.cfg.PageSize, c.Sites(ctx, SiteQuery{NewestFirst: true, IncludeInactive: true}), func(x Site) ID { return x.ID }); err != nil {
		return f, fmt.Errorf("reading the newest site: %w", err)
	}
	if f.Users, err = newestID(c.cfg.PageSize, c.Users(ctx, UserQuery{NewestFirst: true, IncludeInactive: true}), func(x User) ID { return x.ID }); err != nil {
		return f, fmt.Errorf("reading the newest user: %w", err)
	}
	if f.Tickets, err = newestID(c.cfg.PageSize, c.Tickets(ctx, TicketQuery{NewestFirst: true}), func(x Ticket) ID { return x.ID }); err != nil {
		return f, fmt.Errorf("reading the newest ticket: %w", err)
	}
	return f, nil
}

// newestID is the highest id on the first page of rows (the newest when the server honours the
// ordering; lower otherwise, which only makes later read-backs longer).
func newestID[T any](size int, rows iter.Seq2[T, error], id func(T) ID) (ID, error) {
	var top ID
	n := 0
	for row, err := range rows {
		if err != nil {
			return 0, err
		}
		top = max(top, id(row))
		if n++; n >= size {
			break
		}
	}
	return top, nil
}

// UpsertCustomersAbove is UpsertCustomers reading back only the clients above floor.
func (c *Client) UpsertCustomersAbove(ctx context.Context, floor ID, customers []Customer) ([]Customer, error) {
	return upsertAbove(ctx, c, customerBulk, floor, customers)
}

// UpsertSitesAbove is UpsertSites reading back only the sites above floor.
func (c *Client) UpsertSitesAbove(ctx context.Context, floor ID, sites []Site) ([]Site, error) {
	return upsertAbove(ctx, c, siteBulk, floor, sites)
}

// UpsertUsersAbove is UpsertUsers reading back only the users above floor.
func (c *Client) UpsertUsersAbove(ctx context.Context, floor ID, users []User) ([]User, error) {
	return upsertAbove(ctx, c, userBulk, floor, users)
}

// UpsertTicketsAbove is UpsertTickets reading back only the tickets above floor.
func (c *Client) UpsertTicketsAbove(ctx context.Context, floor ID, tickets []Ticket) ([]Ticket, error) {
	return upsertAbove(ctx, c, ticketBulk, floor, tickets)
}

// SaveCustomersAbove is SaveCustomers whose read-back after a lost answer stops at floor.
func (c *Client) SaveCustomersAbove(ctx context.Context, floor ID, customers []Customer) ([]Customer, error) {
	return saveAbove(ctx, c, customerBulk, floor, customers)
}

// SaveSitesAbove is SaveSites whose read-back after a lost answer stops at floor.
func (c *Client) SaveSitesAbove(ctx context.Context, floor ID, sites []Site) ([]Site, error) {
	return saveAbove(ctx, c, siteBulk, floor, sites)
}

// SaveUsersAbove is SaveUsers whose read-back after a lost answer stops at floor.
func (c *Client) SaveUsersAbove(ctx context.Context, floor ID, users []User) ([]User, error) {
	return saveAbove(ctx, c, userBulk, floor, users)
}

// SaveTicketsAbove is SaveTickets whose read-back after a lost answer stops at floor.
func (c *Client) SaveTicketsAbove(ctx context.Context, floor ID, tickets []Ticket) ([]Ticket, error) {
	return saveAbove(ctx, c, ticketBulk, floor, tickets)
}

// Max returns the higher of each floor (read when either was).
func (f Floors) Max(g Floors) Floors {
	return Floors{Customers: max(f.Customers, g.Customers), Sites: max(f.Sites, g.Sites),
		Users: max(f.Users, g.Users), Tickets: max(f.Tickets, g.Tickets), Read: f.Read || g.Read}
}

// UpsertActions is SaveActions after looking every id-less action up on its ticket (natural
// key: ticket, outcome and note), so that a note is never posted twice.
func (c *Client) UpsertActions(ctx context.Context, actions []Action) ([]Action, error) {
	for i, a := range actions {
		if a.ID == 0 && a.Outcome == "" && a.OutcomeID == 0 {
			return nil, fmt.Errorf("saving actions: item %d: %w", i, ErrMissingOutcome)
		}
	}
	return upsertAll(ctx, c, actionBulk, actions)
}

// upsertAbove is upsertAll with a read-back that stops at floor (see above).
func upsertAbove[T any](ctx context.Context, c *Client, b bulk[T], floor ID, items []T) ([]T, error) {
	if floor > 0 {
		b.find = aboveFloor(b, floor)
	}
	return upsertAll(ctx, c, b, items)
}

// saveAbove is saveAll with a read-back (after a lost answer) that stops at floor.
func saveAbove[T any](ctx context.Context, c *Client, b bulk[T], floor ID, items []T) ([]T, error) {
	if floor > 0 {
		b.find = aboveFloor(b, floor)
	}
	return saveAll(ctx, c, b, items)
}

// aboveFloor wraps b.find: it stops at the first row at or below floor once the server is seen
// to answer newest first (two rows in descending order). Rows in ascending order mean the
// ordering is ignored, and then everything is read.
func aboveFloor[T any](b bulk[T], floor ID) func(ctx context.Context, c *Client, pending []T) iter.Seq2[T, error] {
	find := b.find
	return func(ctx context.Context, c *Client, pending []T) iter.Seq2[T, error] {
		return func(yield func(T, error) bool) {
			var prev ID
			descending, ascending := false, false
			for row, err := range find(ctx, c, pending) {
				if err != nil {
					yield(row, err)
					return
				}
				id := *b.id(&row)
				if prev != 0 {
					descending = descending || id < prev
					ascending = ascending || id > prev
				}
				prev = id
				if descending && !ascending && id <= floor {
					return
				}
				if !yield(row, nil) {
					return
				}
			}
		}
	}
}
