package halosandbox

import (
	"errors"
	"fmt"
	"time"
)

// DefaultPrefillClients is the number of clients prefilled people work at when Prefill.Clients
// is 0.
const DefaultPrefillClients = 100

// Prefill describes a tenant that has used HaloPSA for years: People users at Clients clients
// (one main site each), every user with one ticket of TicketTypeID. Server.Prefill inserts it
// straight into the sandbox's state; PrefillOver writes the same records through any poster
// (the API, in tests), and both give the same tenant.
type Prefill struct {
	People  int
	Clients int // default DefaultPrefillClients
	// TicketTypeID is the type of every person's ticket; it must exist.
	TicketTypeID int
	// Span spreads the records' last-update times evenly over the Span before the sandbox's
	// clock, oldest (lowest id) first, as a tenant's history is; 0 stamps them all now.
	Span time.Duration
}

// Prefilled are the ids Prefill gave: each kind's ids are consecutive, from First.
type Prefilled struct {
	Clients, Sites, Users, Tickets IDRange
}

// IDRange is Count consecutive ids from First.
type IDRange struct{ First, Count int }

// ID returns the i-th id of the range.
func (r IDRange) ID(i int) int { return r.First + i }

// Poster stores items as a POST of the named resource ("Client", "Users") would, item i
// stamped at(i) where the poster can (the API stamps its own clock), and returns the stored
// records in item order.
type Poster func(resource string, items []Record, at func(i int) time.Time) ([]Record, error)

// prefillChunk is how many people Prefill stores per poster call (HaloPSA's page size, so an
// API poster sends arrays of 100 as haloleads does).
const prefillChunk = 100

// Prefill inserts p into the tenant without HTTP: the same rules as the API's creates (ids,
// links, derived names, last-update times), no webhooks, no requests counted. A million people
// take seconds.
func (s *Server) Prefill(p Prefill) (Prefilled, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.gen++
	return PrefillOver(p, now, s.insert)
}

// insert is the Poster of Server.Prefill: upsert's validation and storing, without rendering,
// events or copies of the result. The caller holds s.mu.
func (s *Server) insert(resName string, items []Record, at func(i int) time.Time) ([]Record, error) {
	res := s.resource([]string{resName})
	c := s.st.coll(res.store)
	out := make([]Record, len(items))
	for i, item := range items {
		next := c.Next
		ch, err := s.prepareItem(res, c, item, i, at(i), &next, nil)
		if err != nil {
			return nil, err
		}
		c.put(ch.rec)
		out[i] = ch.rec
	}
	return out, nil
}

// PrefillOver writes p through post, clients and their sites first, then the people in chunks
// of 100 (their users, then their tickets); now is the sandbox's clock, for the last-update
// times.
func PrefillOver(p Prefill, now time.Time, post Poster) (Prefilled, error) {
	var out Prefilled
	if p.People <= 0 {
		return out, nil
	}
	if p.TicketTypeID <= 0 {
		return out, errors.New("prefill: a ticket type is required")
	}
	if p.Clients <= 0 {
		p.Clients = DefaultPrefillClients
	}
	oldest := now.Add(-p.Span)
	first := func(int) time.Time { return oldest }
	clients, err := post("Client", prefillClients(p.Clients), first)
	if err != nil {
		return out, fmt.Errorf("prefilling clients: %w", err)
	}
	sites, err := post("Site", prefillSites(clients), first)
	if err != nil {
		return out, fmt.Errorf("prefilling sites: %w", err)
	}
	out.Clients, out.Sites = rangeOf(clients), rangeOf(sites)
	for from := 0; from < p.People; from += prefillChunk {
		to := min(from+prefillChunk, p.People)
		at := func(i int) time.Time { // person from+i, the last one now
			return oldest.Add(time.Duration(float64(p.Span) * float64(from+i+1) / float64(p.People)))
		}
		users, err := post("Users", prefillUsers(sites, from, to), at)
		if err != nil {
			return out, fmt.Errorf("prefilling users: %w", err)
		}
		tickets, err := post("Tickets", prefillTickets(users, p.TicketTypeID), at)
		if err != nil {
			return out, fmt.Errorf("prefilling tickets: %w", err)
		}
		if from == 0 {
			out.Users.First, out.Tickets.First = users[0].ID(), tickets[0].ID()
		}
		out.Users.Count += len(users)
		out.Tickets.Count += len(tickets)
	}
	return out, nil
}

// rangeOf is the id range of records created in one POST.
func rangeOf(recs []Record) IDRange {
	if len(recs) == 0 {
		return IDRange{}
	}
	return IDRange{First: recs[0].ID(), Count: len(recs)}
}

func prefillClients(n int) []Record {
	out := make([]Record, n)
	for i := range out {
		out[i] = Record{"name": fmt.Sprintf("Prefill Holdings %03d", i)}
	}
	return out
}

func prefillSites(clients []Record) []Record {
	out := make([]Record, len(clients))
	for i, c := range clients {
		out[i] = Record{"name": "Main", "client_id": c["id"]}
	}
	return out
}

// prefillUsers are people [from, to), person i at site i mod the number of sites.
func prefillUsers(sites []Record, from, to int) []Record {
	out := make([]Record, 0, to-from)
	for i := from; i < to; i++ {
		site := i % len(sites)
		out = append(out, Record{
			"firstname": "Prefill", "surname": fmt.Sprintf("Person%d", i),
			"emailaddress": fmt.Sprintf("person%d@prefill-%03d.example.org", i, site),
			"site_id":      sites[site]["id"],
		})
	}
	return out
}

func prefillTickets(users []Record, ticketType int) []Record {
	out := make([]Record, len(users))
	tt := any(num(ticketType)) // one value shared by every ticket
	for i, u := range users {
		out[i] = Record{"summary": "Lead: " + u.String("name"), "tickettype_id": tt,
			"client_id": u["client_id"], "site_id": u["site_id"], "user_id": u["id"]}
	}
	return out
}
