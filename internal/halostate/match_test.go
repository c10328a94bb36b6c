package halostate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"haloleads/internal/dedupe"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/halostate"
	"haloleads/internal/lead"
	"haloleads/internal/store"
)

// The haloleads ticket types of the test tenant, and a type that is not haloleads'.
var (
	leadTypes = []halopsa.ID{1, 2, 3}
	otherType = halopsa.ID(4)
)

// matchTenant fills a sandbox with what matching must tell apart: clients sharing a name or
// with a website, users sharing an address (in other cases), nicknames at the same company,
// free-mail and role addresses, people without an address, inactive users; tickets of
// haloleads' types and another, several per user, some merged. It returns the client and the
// server (for agent edits) and the users it made.
func matchTenant(t *testing.T, rng *rand.Rand, people int) (*halopsa.Client, *halosandbox.Server, []halopsa.User) {
	t.Helper()
	ctx := context.Background()
	sb, err := halosandbox.New(halosandbox.Options{RateLimit: 1000000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	c, err := halopsa.New(halopsa.Config{BaseURL: hs.URL, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret, RateLimit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var customers []halopsa.Customer
	for i, d := range domains {
		cu := halopsa.Customer{Name: companyName(d), NewSiteName: "Main"}
		switch i % 4 {
		case 0:
			cu.Website = "https://www." + d
		case 1:
			cu.Name += " Ltd" // a legal suffix: the same name key
		}
		customers = append(customers, cu)
	}
	customers = append(customers, halopsa.Customer{Name: companyName(domains[1]) + " Limited", NewSiteName: "Main"}) // a second client of one name
	cs, err := c.SaveCustomers(ctx, customers)
	if err != nil {
		t.Fatal(err)
	}
	sites := make([]halopsa.Site, len(cs))
	for i, cu := range cs {
		sites[i] = halopsa.Site{ID: cu.MainSiteID, ClientID: cu.ID}
	}
	var users []halopsa.User
	for start := 0; start < people; start += 100 {
		batch := make([]halopsa.User, 0, 100)
		for range min(100, people-start) {
			i := rng.IntN(len(sites))
			batch = append(batch, randomUser(rng, sites[i].ID))
		}
		saved, err := c.SaveUsers(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, saved...)
	}
	var tickets []halopsa.Ticket
	for _, u := range users {
		for range rng.IntN(3) {
			tt := leadTypes[rng.IntN(len(leadTypes))]
			if rng.IntN(5) == 0 {
				tt = otherType
			}
			tickets = append(tickets, halopsa.Ticket{Summary: "Lead", TicketTypeID: tt, UserID: u.ID, SiteID: u.SiteID, ClientID: u.ClientID})
		}
	}
	for start := 0; start < len(tickets); start += 100 {
		saved, err := c.SaveTickets(ctx, tickets[start:min(start+100, len(tickets))])
		if err != nil {
			t.Fatal(err)
		}
		copy(tickets[start:], saved)
	}
	for i := 1; i < len(tickets); i += 7 {
		if err := sb.AgentMergeTicket(int(tickets[i].ID), int(tickets[i-1].ID)); err != nil {
			t.Fatal(err)
		}
	}
	return c, sb, users
}

var (
	domains = []string{"acme.example", "globex.example", "initech.example", "umbrella.example", "hooli.example",
		"stark.example", "wayne.example", "wonka.example", "tyrell.example", "soylent.example", "cyberdyne.example", "oscorp.example"}
	firsts = []string{"Robert", "Bob", "Bobby", "William", "Bill", "Elizabeth", "Liz", "Beth", "Jane", "John", "Ann", "Anna", "José", "Zoë"}
	lasts  = []string{"Smith", "Jones", "O'Brien", "García", "Müller", "Nguyen", "Smith-Jones", "de la Cruz", "Lee", "Patel"}
)

func companyName(domain string) string {
	n, _, _ := strings.Cut(domain, ".")
	return strings.ToUpper(n[:1]) + n[1:]
}

// randomUser is a person at the site's company: a work, free-mail, role or no address, in
// any case, sometimes inactive.
func randomUser(rng *rand.Rand, site halopsa.ID) halopsa.User {
	first, last := firsts[rng.IntN(len(firsts))], lasts[rng.IntN(len(lasts))]
	d := domains[rng.IntN(len(domains))]
	u := halopsa.User{FirstName: first, Surname: last, SiteID: site}
	switch rng.IntN(10) {
	case 0:
		u.EmailAddress = strings.ToLower(first) + "." + fmt.Sprint(rng.IntN(500)) + "@gmail.com"
	case 1:
		u.FirstName, u.Surname, u.EmailAddress = "Desk", "", []string{"info", "sales", "support"}[rng.IntN(3)]+"@"+d
	case 2:
	default:
		u.EmailAddress = strings.ToLower(string(first[0])+strings.ReplaceAll(last, " ", "")) + "@" + d
		if rng.IntN(4) == 0 {
			u.EmailAddress = strings.ToUpper(u.EmailAddress)
		}
	}
	if rng.IntN(25) == 0 {
		u.Inactive = ptr(true)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

// leadsFor are the leads of an import: records of people the tenant holds (the same address in
// another case, or a nickname at the same company by name and domain, or the company alone)
// and of people it does not, de-duplicated as an import does.
func leadsFor(t *testing.T, rng *rand.Rand, users []halopsa.User, n int) ([]lead.Lead, []dedupe.Company) {
	t.Helper()
	nick := map[string]string{"Robert": "Bob", "Bob": "Robert", "William": "Bill", "Bill": "William", "Elizabeth": "Liz", "Liz": "Beth"}
	recs := make([]lead.Record, 0, n)
	for i := range n {
		u := users[rng.IntN(len(users))]
		v := lead.Values{lead.FirstName: u.FirstName, lead.LastName: u.Surname, lead.Email: u.EmailAddress}
		d := domains[rng.IntN(len(domains))]
		if _, at, ok := strings.Cut(u.EmailAddress, "@"); ok {
			d = strings.ToLower(at)
		}
		switch rng.IntN(6) {
		case 0: // a new person
			v = lead.Values{lead.FirstName: "New", lead.LastName: fmt.Sprint("Person", i), lead.Email: fmt.Sprintf("new%d@%s", i, d)}
		case 1: // by name at the company's domain, with another address
			if f, ok := nick[u.FirstName]; ok {
				v[lead.FirstName] = f
			}
			v[lead.Email] = ""
			v[lead.Domain] = d
		case 2: // the address in another case
			v[lead.Email] = strings.ToUpper(u.EmailAddress)
		}
		switch rng.IntN(3) {
		case 0:
			v[lead.Company] = companyName(d) + " Limited"
		case 1:
			v[lead.Website] = "http://" + d + "/about"
		}
		recs = append(recs, lead.Record{Source: lead.Apollo, SourceID: fmt.Sprint(i), Line: i + 2, SeenAt: time.Unix(1_700_000_000, 0).UTC(), Values: v})
	}
	res, err := dedupe.Resolve(recs, dedupe.MapIndex{}, dedupe.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return res.Leads, dedupe.GroupByCompany(res.Leads)
}

// TestMatchAgreesWithMemory: matching an import's leads against the store's mirror by its keys
// (Match, LeadTickets, Floors), a chunk at a time, finds the same HaloPSA users, clients, lead
// tickets and floors as matching in memory against the whole mirror (dedupe.MatchExisting, as
// imports did), on a sandbox tenant, after a first read, after agents' changes read
// incrementally, and on a mirror saved before it had keys (keyed by Key).
func TestMatchAgreesWithMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(14, 52))
	c, sb, users := matchTenant(t, rng, 2500)
	st, err := store.Open(filepath.Join(t.TempDir(), "haloleads.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rd := &halostate.Reader{Client: c, Store: st}
	leads, companies := leadsFor(t, rng, users, 3000)
	if len(leads) <= 1000 || len(companies) < 10 {
		t.Fatalf("%d leads at %d companies: want more than one chunk of leads", len(leads), len(companies))
	}
	if _, err := rd.Sync(ctx, halostate.Mirror, leadTypes); err != nil {
		t.Fatal(err)
	}
	agree(t, ctx, rd, leads, companies, "after the first read")

	// Agents change addresses and names (keys move), deactivate people and merge tickets.
	for i := 0; i < len(users); i += 9 {
		fields := map[string]any{"emailaddress": fmt.Sprintf("moved%d@%s", i, domains[i%len(domains)])}
		if i%2 == 0 {
			fields = map[string]any{"firstname": "Robert", "inactive": i%4 == 0}
		}
		if err := sb.AgentEditUser(int(users[i].ID), fields); err != nil {
			t.Fatal(err)
		}
	}
	ch, err := rd.Sync(ctx, halostate.Mirror, leadTypes)
	if err != nil || len(ch.Full) != 0 || len(ch.Users) == 0 {
		t.Fatalf("incremental read: %d users, full %v, %v", len(ch.Users), ch.Full, err)
	}
	agree(t, ctx, rd, leads, companies, "after agents' changes")

	// A mirror saved before the keys (migration 0092): Key keys it, then it matches the same.
	old, err := store.Open(filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { old.Close() })
	for _, kind := range []string{halostate.KindUser, halostate.KindClient, halostate.KindTicket} {
		var recs []store.MirrorRecord
		if err := st.Mirror(ctx, kind, func(id int, rec json.RawMessage) error {
			recs = append(recs, store.MirrorRecord{Kind: kind, ID: id, Record: rec})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := old.SaveMirror(ctx, recs); err != nil {
			t.Fatal(err)
		}
	}
	oldRd := &halostate.Reader{Store: old}
	n, err := oldRd.Key(ctx)
	if err != nil || n == 0 {
		t.Fatalf("keying an unkeyed mirror: %d records, %v", n, err)
	}
	if again, err := oldRd.Key(ctx); err != nil || again != 0 {
		t.Errorf("keying a keyed mirror again: %d records, %v; want none", again, err)
	}
	agree(t, ctx, oldRd, leads, companies, "on a mirror keyed after it was saved")
}

// agree checks the store's matches against the in-memory ones.
func agree(t *testing.T, ctx context.Context, rd *halostate.Reader, leads []lead.Lead, companies []dedupe.Company, when string) {
	t.Helper()
	mem, err := rd.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := dedupe.MatchExisting(leads, companies, mem.Existing())
	got, err := rd.Match(ctx, leads, companies)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.Users, want.Users) || !maps.Equal(got.Clients, want.Clients) {
		t.Errorf("%s: the store matched %d users and %d clients, memory %d and %d; they differ:\n%s", when,
			len(got.Users), len(got.Clients), len(want.Users), len(want.Clients), diff(got, want))
	}
	if len(want.Users) < len(leads)/3 || len(want.Clients) < len(companies)/2 || len(want.Users) == len(leads) {
		t.Errorf("%s: %d of %d leads and %d of %d companies matched: the tenant does not test matching", when,
			len(want.Users), len(leads), len(want.Clients), len(companies))
	}
	var ids []int // every ticket's user, the mirror's or not (an inactive user is not listed)
	for _, tk := range mem.Tickets {
		ids = append(ids, int(tk.UserID))
	}
	tickets, err := rd.LeadTickets(ctx, ids, leadTypes)
	if err != nil {
		t.Fatal(err)
	}
	if wantT := mem.LeadTickets(leadTypes); !maps.Equal(tickets, wantT) || len(wantT) == 0 {
		t.Errorf("%s: lead tickets of %d users from the store, %d in memory; they differ", when, len(tickets), len(wantT))
	}
	f, err := rd.Floors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wantF := mem.Floors(); f != wantF || f.Sites == 0 {
		t.Errorf("%s: floors %+v from the store, %+v in memory", when, f, wantF)
	}
}

func diff(got, want dedupe.HaloMatches) string {
	var b strings.Builder
	for k, v := range want.Users {
		if got.Users[k] != v {
			fmt.Fprintf(&b, "  lead %s: store %d, memory %d\n", k, got.Users[k], v)
		}
	}
	for k, v := range got.Users {
		if _, ok := want.Users[k]; !ok {
			fmt.Fprintf(&b, "  lead %s: store %d, memory none\n", k, v)
		}
	}
	for k, v := range want.Clients {
		if got.Clients[k] != v {
			fmt.Fprintf(&b, "  company %s: store %d, memory %d\n", k, got.Clients[k], v)
		}
	}
	for k, v := range got.Clients {
		if _, ok := want.Clients[k]; !ok {
			fmt.Fprintf(&b, "  company %s: store %d, memory none\n", k, v)
		}
	}
	return b.String()
}
