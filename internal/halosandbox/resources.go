package halosandbox

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// resource describes one served Halo resource: its route, store, envelope and rules.
type resource struct {
	name   string // path segment as in the swagger: "Tickets", "Client"
	single string // noun for messages: "Ticket"
	store  string // collection key; Tickets and Opportunities share "tickets"
	key    string // list envelope key; "" for a bare array
	guid   bool   // ids are GUIDs (Webhook)
	paged  bool   // honours pageinate/page_no/page_size
	usage  int    // custom-field usage; 0 for none
	event  string // webhook object kind fired on writes: "ticket", "user" or ""
	hide   []string

	only    func(Record) bool // membership in a shared store; nil for all
	filter  func(url.Values) (func(Record) bool, error)
	prepare func(s *Server, now time.Time, old, rec Record) error
	after   func(s *Server, now time.Time, rec Record) []event
}

// member reports whether rec belongs to this resource's view of its store.
func (res *resource) member(rec Record) bool { return res.only == nil || res.only(rec) }

// validID reports whether a path segment can be an id of this resource.
func (res *resource) validID(seg string) bool {
	if res.guid {
		return isGUID(seg)
	}
	_, ok := intOf(seg)
	return ok
}

// resources returns the served resources.
func (s *Server) resources() []*resource { return s.res }

// buildResources describes every served resource.
func buildResources() []*resource {
	isOpp := func(r Record) bool { return r.Bool("is_opportunity") }
	return []*resource{
		{name: "Tickets", single: "Ticket", store: "tickets", key: "tickets", paged: true, usage: UsageTicket,
			event: "ticket", filter: ticketFilter, prepare: prepareTicket},
		{name: "Opportunities", single: "Opportunity", store: "tickets", key: "tickets", paged: true,
			usage: UsageTicket, event: "ticket", only: isOpp, filter: ticketFilter, prepare: prepareOpportunity},
		{name: "Users", single: "User", store: "users", key: "users", paged: true, usage: UsageUser,
			event: "user", filter: userFilter, prepare: stamped("ulastupdate", prepareUser)},
		{name: "Client", single: "Client", store: "clients", key: "clients", paged: true, usage: UsageClient,
			filter: clientFilter, prepare: stamped("alastupdate", prepareClient), after: afterClient},
		{name: "Site", single: "Site", store: "sites", key: "sites", paged: true, usage: UsageSite,
			filter: siteFilter, prepare: prepareSite},
		{name: "Actions", single: "Action", store: "actions", key: "actions", filter: actionFilter,
			prepare: prepareAction, after: afterAction},
		{name: "TicketType", single: "Ticket Type", store: "tickettype", filter: noFilter,
			prepare: needs("name", "Please enter a name for this Ticket Type")},
		{name: "Status", single: "Status", store: "status", filter: statusFilter,
			prepare: needs("name", "Please enter a name for this Status")},
		{name: "FieldInfo", single: "Field", store: "fieldinfo", filter: noFilter, prepare: prepareFieldInfo},
		{name: "Lookup", single: "Lookup", store: "lookup", filter: lookupFilter, prepare: prepareLookup},
		{name: "Tags", single: "Tag", store: "tags", filter: noFilter,
			prepare: needs("text", "Please enter the text of this Tag")},
		{name: "DistributionLists", single: "Distribution List", store: "distributionlists", filter: noFilter,
			prepare: prepareDistributionList},
		{name: "Webhook", single: "Webhook", store: "webhook", guid: true, filter: noFilter,
			prepare: prepareWebhook, hide: []string{"basic_password"}},
		{name: "Agent", single: "Agent", store: "agent", filter: noFilter,
			prepare: needs("name", "Please enter a name for this Agent")},
	}
}

// needs is a prepare rule that only requires a non-empty field.
func needs(field, msg string) func(*Server, time.Time, Record, Record) error {
	return func(_ *Server, _ time.Time, _, rec Record) error {
		if strings.TrimSpace(rec.String(field)) == "" {
			return errorf(http.StatusBadRequest, "%s", msg)
		}
		return nil
	}
}

// changed reports whether field differs between old (nil for a create) and rec.
func changed(old, rec Record, field string) bool {
	return old == nil || key(old[field]) != key(rec[field])
}

// link checks that rec's reference idField (when set and changed) names an existing record of
// coll, and copies that record's src field into rec's dst field.
func (s *Server) link(old, rec Record, idField, coll, noun string, copies ...[2]string) error {
	id := rec.Int(idField)
	if id <= 0 || !changed(old, rec, idField) {
		return nil
	}
	target := s.st.coll(coll).get(id)
	if target == nil {
		return errorf(http.StatusBadRequest, "%s %d does not exist", noun, id)
	}
	for _, c := range copies {
		rec[c[0]] = target[c[1]]
	}
	return nil
}

// stamped runs prepare, then sets field to the time of the write: Halo's last-update field of
// users (ulastupdate) and clients (alastupdate) in the swagger; tickets' last_update is set by
// stampTicket.
func stamped(field string, prepare func(s *Server, now time.Time, old, rec Record) error) func(s *Server, now time.Time, old, rec Record) error {
	return func(s *Server, now time.Time, old, rec Record) error {
		if err := prepare(s, now, old, rec); err != nil {
			return err
		}
		rec[field] = haloTime(now)
		return nil
	}
}

// prepareTicket validates a ticket and fills Halo's derived fields.
func prepareTicket(s *Server, now time.Time, old, rec Record) error {
	if rec.Int("tickettype_id") <= 0 {
		return errorf(http.StatusBadRequest, "Please select a Ticket Type")
	}
	if rec.Int("status_id") <= 0 {
		rec["status_id"] = num(1)
	}
	links := []struct {
		field, coll, noun string
		copies            [][2]string
	}{
		{"tickettype_id", "tickettype", "Ticket Type", nil},
		{"status_id", "status", "Status", nil},
		{"client_id", "clients", "Client", [][2]string{{"client_name", "name"}}},
		{"site_id", "sites", "Site", [][2]string{{"site_name", "name"}}},
		{"user_id", "users", "User", [][2]string{{"user_name", "name"}, {"user_email", "emailaddress"}}},
		{"agent_id", "agent", "Agent", nil},
	}
	for _, l := range links {
		if err := s.link(old, rec, l.field, l.coll, l.noun, l.copies...); err != nil {
			return err
		}
	}
	if old == nil {
		if err := s.checkMandatory(rec); err != nil {
			return err
		}
	}
	stampTicket(s, now, old, rec)
	return nil
}

// stampTicket sets the dates and the closed flag Halo maintains.
// The dates share one value: a million stored tickets hold one string for them each, not four.
func stampTicket(s *Server, now time.Time, old, rec Record) {
	at := any(haloTime(now))
	if old == nil {
		rec["datecreated"] = at
		if rec.String("dateoccurred") == "" {
			rec["dateoccurred"] = at
		}
	}
	rec["last_update"] = at
	if changed(old, rec, "status_id") && rec.Int("status_id") == ClosedStatusID {
		rec["hasbeenclosed"] = true
		rec["dateclosed"] = at
	}
}

// prepareOpportunity is prepareTicket for tickets created through /Opportunities.
func prepareOpportunity(s *Server, now time.Time, old, rec Record) error {
	if old == nil {
		rec["is_opportunity"] = true
	}
	return prepareTicket(s, now, old, rec)
}

// prepareUser requires a site (Halo needs one) and derives the user's name and client.
func prepareUser(s *Server, _ time.Time, old, rec Record) error {
	if rec.String("name") == "" {
		rec["name"] = strings.TrimSpace(rec.String("firstname") + " " + rec.String("surname"))
	}
	if rec.String("name") == "" {
		return errorf(http.StatusBadRequest, "Please enter a name for this User")
	}
	if rec.Int("site_id") <= 0 {
		return errorf(http.StatusBadRequest, "Please select a Site for this User")
	}
	return s.link(old, rec, "site_id", "sites", "Site",
		[2]string{"site_name", "name"}, [2]string{"client_id", "client_id"}, [2]string{"client_name", "client_name"})
}

// prepareSite requires a name and an existing client.
func prepareSite(s *Server, _ time.Time, old, rec Record) error {
	if strings.TrimSpace(rec.String("name")) == "" {
		return errorf(http.StatusBadRequest, "Please enter a name for this Site")
	}
	if rec.Int("client_id") <= 0 {
		return errorf(http.StatusBadRequest, "Please select a Client for this Site")
	}
	return s.link(old, rec, "client_id", "clients", "Client", [2]string{"client_name", "name"})
}

// prepareAction requires an existing ticket and, on create, an outcome.
func prepareAction(s *Server, now time.Time, old, rec Record) error {
	if rec.Int("ticket_id") <= 0 {
		return errorf(http.StatusBadRequest, "Please select a Ticket for this Action")
	}
	if err := s.link(old, rec, "ticket_id", "tickets", "Ticket"); err != nil {
		return err
	}
	if old == nil && strings.TrimSpace(rec.String("outcome")) == "" && rec.Int("outcome_id") <= 0 {
		return errorf(http.StatusBadRequest, "An Outcome must be entered for this Action")
	}
	if ns := rec.Int("new_status"); ns > 0 && s.st.coll("status").get(ns) == nil {
		return errorf(http.StatusBadRequest, "Status %d does not exist", ns)
	}
	if old == nil {
		rec["actiondatecreated"] = haloTime(now)
		if rec.String("datetime") == "" {
			rec["datetime"] = haloTime(now)
		}
	}
	return nil
}

// afterAction applies an action's new_status to its ticket, as Halo does.
func afterAction(s *Server, now time.Time, rec Record) []event {
	ns := rec.Int("new_status")
	t := s.st.coll("tickets").get(rec["ticket_id"])
	if ns <= 0 || t == nil || t.Int("status_id") == ns {
		return nil
	}
	old := t.Clone()
	t["status_id"] = num(ns)
	stampTicket(s, now, old, t)
	return []event{ticketEvent(EventTicketStatusChanged, t.ID())}
}

// prepareFieldInfo normalises a custom-field definition: CF-prefixed unique name, label, type,
// usage, and a fresh lookup table for a dropdown without one.
func prepareFieldInfo(s *Server, _ time.Time, old, rec Record) error {
	name := strings.TrimSpace(rec.String("name"))
	if name == "" {
		return errorf(http.StatusBadRequest, "Please enter a name for this Field")
	}
	if !strings.HasPrefix(strings.ToUpper(name), "CF") {
		name = "CF" + name
	}
	rec["name"] = name
	if rec.String("label") == "" {
		rec["label"] = strings.TrimPrefix(name, "CF")
	}
	usage, ok := usageOf(rec["usage"])
	if !ok {
		return errorf(http.StatusBadRequest, "Invalid usage %q for Field %s", rec.String("usage"), name)
	}
	rec["usage"], rec["type"], rec["custom"] = num(usage), num(rec.Int("type")), num(1)
	for _, f := range s.st.coll("fieldinfo").Items {
		if f.ID() != rec.ID() && strings.EqualFold(f.String("name"), name) && f.Int("usage") == usage {
			return errorf(http.StatusBadRequest, "A Field with the name %s already exists", name)
		}
	}
	if rec.Int("type") == TypeDropdown && rec.Int("lookup") <= 0 {
		rec["lookup"] = num(s.st.NextLookupTable)
		s.st.NextLookupTable++
	}
	return nil
}

// prepareLookup requires a lookup table id and a name.
func prepareLookup(_ *Server, _ time.Time, _, rec Record) error {
	if rec.Int("lookupid") <= 0 {
		return errorf(http.StatusBadRequest, "Please select a lookup table (lookupid)")
	}
	if strings.TrimSpace(rec.String("name")) == "" {
		return errorf(http.StatusBadRequest, "Please enter a name for this Lookup value")
	}
	return nil
}

// prepareWebhook requires an absolute http(s) URL and makes the webhook active by default.
func prepareWebhook(_ *Server, _ time.Time, old, rec Record) error {
	u, err := url.Parse(rec.String("url"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errorf(http.StatusBadRequest, "Please enter a valid Payload URL")
	}
	if old == nil {
		if _, ok := rec["active"]; !ok {
			rec["active"] = true
		}
	}
	return nil
}

// usageOf reads a FieldInfo usage: a code, or a name; absent means a ticket field.
func usageOf(v any) (int, bool) {
	if v == nil || v == "" {
		return UsageTicket, true
	}
	if n, ok := intOf(v); ok {
		return n, n >= UsageTicket && n <= UsageUser
	}
	switch strings.TrimSuffix(strings.ToLower(textOf(v)), "s") {
	case "ticket":
		return UsageTicket, true
	case "client", "customer":
		return UsageClient, true
	case "site":
		return UsageSite, true
	case "user":
		return UsageUser, true
	}
	return 0, false
}
