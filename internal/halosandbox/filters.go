package halosandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// predicate is one list filter.
type predicate func(Record) bool

// all combines predicates with AND.
func all(ps []predicate) func(Record) bool {
	return func(r Record) bool {
		for _, p := range ps {
			if !p(r) {
				return false
			}
		}
		return true
	}
}

// filters accumulates predicates from query parameters, remembering the first malformed one.
type filters struct {
	q   url.Values
	ps  []predicate
	err error
}

// intEq filters on field == the integer query parameter param, when present.
func (f *filters) intEq(param, field string) {
	v := strings.TrimSpace(f.q.Get(param))
	if v == "" {
		return
	}
	n, ok := intOf(v)
	if !ok {
		f.fail(param, v)
		return
	}
	f.ps = append(f.ps, func(r Record) bool { return r.Int(field) == n })
}

// intIn filters on field being one of the comma-separated integers of param, when present.
func (f *filters) intIn(param, field string) {
	v := strings.TrimSpace(f.q.Get(param))
	if v == "" {
		return
	}
	var set []int
	for _, part := range strings.Split(v, ",") {
		n, ok := intOf(part)
		if !ok {
			f.fail(param, v)
			return
		}
		set = append(set, n)
	}
	f.ps = append(f.ps, func(r Record) bool { return slices.Contains(set, r.Int(field)) })
}

// search filters on a case-insensitive substring of any of fields.
func (f *filters) search(param string, fields ...string) {
	needle := strings.ToLower(strings.TrimSpace(f.q.Get(param)))
	if needle == "" {
		return
	}
	f.ps = append(f.ps, func(r Record) bool {
		for _, field := range fields {
			if strings.Contains(strings.ToLower(r.String(field)), needle) {
				return true
			}
		}
		return false
	})
}

// active hides inactive records unless includeinactive=true, as Halo does.
func (f *filters) active() {
	if boolOf(f.q.Get("includeinactive")) {
		return
	}
	f.ps = append(f.ps, func(r Record) bool { return !r.Bool("inactive") })
}

// updatedSince filters on field (the resource's last-update time) at or after lastupdatefromdate and at or before
// lastupdatetodate, when given. The swagger types both as bool with the description "Include
// the field ... in the response", but they are date filters by name and in use (HaloPSA's
// incremental sync); the dates are read as Halo writes them (UTC, with or without zone and
// fraction) and a malformed one is refused as model binding would. UNCONFIRMED: inclusiveness.
func (f *filters) updatedSince(field string) {
	bound := func(param string, keep func(rec, limit time.Time) bool) {
		v := strings.TrimSpace(f.q.Get(param))
		if v == "" {
			return
		}
		limit, ok := parseHaloDate(v)
		if !ok {
			f.fail(param, v)
			return
		}
		f.ps = append(f.ps, func(r Record) bool {
			t, ok := parseHaloDate(r.String(field))
			return ok && keep(t, limit)
		})
	}
	bound("lastupdatefromdate", func(t, limit time.Time) bool { return !t.Before(limit) })
	bound("lastupdatetodate", func(t, limit time.Time) bool { return !t.After(limit) })
}

// haloDateLayouts are the date forms Halo reads and writes.
var haloDateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05.9999999", "2006-01-02"}

// parseHaloDate reads a Halo date; a date without a zone is UTC.
func parseHaloDate(s string) (time.Time, bool) {
	for _, l := range haloDateLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// fail records a malformed parameter as ASP.NET model binding would report it.
func (f *filters) fail(param, value string) {
	if f.err == nil {
		f.err = errorf(http.StatusBadRequest, "The value '%s' is not valid for %s.", value, param)
	}
}

// done returns the combined filter or the first error.
func (f *filters) done() (func(Record) bool, error) {
	if f.err != nil {
		return nil, f.err
	}
	return all(f.ps), nil
}

// noFilter lists everything.
func noFilter(url.Values) (func(Record) bool, error) { return all(nil), nil }

// ticketFilter serves /Tickets and /Opportunities: requesttype_id (the ticket type),
// requesttype, client_id, site_id, user_id, agent_id, status_id, ticketids and search.
func ticketFilter(q url.Values) (func(Record) bool, error) {
	f := &filters{q: q}
	f.intEq("requesttype_id", "tickettype_id")
	f.intIn("requesttype", "tickettype_id")
	f.intEq("client_id", "client_id")
	f.intEq("site_id", "site_id")
	f.intEq("user_id", "user_id")
	f.intEq("agent_id", "agent_id")
	f.intEq("status_id", "status_id")
	f.intIn("ticketids", "id")
	f.search("search", "summary", "details", "id")
	f.search("search_oppcompanyname", "oppcompanyname")
	f.search("search_oppemailaddress", "oppemailaddress")
	f.updatedSince("last_update")
	return f.done()
}

// userFilter serves /Users: client_id, site_id, search (name or e-mail), includeinactive.
func userFilter(q url.Values) (func(Record) bool, error) {
	f := &filters{q: q}
	f.intEq("client_id", "client_id")
	f.intEq("site_id", "site_id")
	f.search("search", "name", "emailaddress", "firstname", "surname")
	f.active()
	f.updatedSince("ulastupdate")
	return f.done()
}

// clientFilter serves /Client: search (name), includeinactive, lastupdatefromdate/todate.
func clientFilter(q url.Values) (func(Record) bool, error) {
	f := &filters{q: q}
	f.search("search", "name")
	f.active()
	f.updatedSince("alastupdate")
	return f.done()
}

// siteFilter serves /Site: client_id, search (name), includeinactive.
func siteFilter(q url.Values) (func(Record) bool, error) {
	f := &filters{q: q}
	f.intEq("client_id", "client_id")
	f.search("search", "name")
	f.active()
	return f.done()
}

// actionFilter serves /Actions, which needs ticket_id: a live tenant answered 500 without it.
func actionFilter(q url.Values) (func(Record) bool, error) {
	if strings.TrimSpace(q.Get("ticket_id")) == "" {
		return nil, errorf(http.StatusInternalServerError, "An error occurred while processing your request (ticket_id is required).")
	}
	f := &filters{q: q}
	f.intEq("ticket_id", "ticket_id")
	return f.done()
}

// statusFilter serves /Status: tickettype_id keeps statuses without a tickettypes restriction
// and those whose tickettypes list names the type (as ids or {"id": n} objects).
func statusFilter(q url.Values) (func(Record) bool, error) {
	v := strings.TrimSpace(q.Get("tickettype_id"))
	if v == "" {
		return all(nil), nil
	}
	tt, ok := intOf(v)
	if !ok {
		return nil, errorf(http.StatusBadRequest, "The value '%s' is not valid for tickettype_id.", v)
	}
	return func(r Record) bool {
		list, _ := r["tickettypes"].([]any)
		if len(list) == 0 {
			return true
		}
		return slices.ContainsFunc(list, func(e any) bool { return refID(e) == tt })
	}, nil
}

// lookupFilter serves /Lookup: lookupid.
func lookupFilter(q url.Values) (func(Record) bool, error) {
	f := &filters{q: q}
	f.intEq("lookupid", "lookupid")
	return f.done()
}

// refID reads a reference given as an id or as an object with an id.
func refID(v any) int {
	if m, ok := v.(map[string]any); ok {
		v = m["id"]
	}
	n, _ := intOf(v)
	return n
}
