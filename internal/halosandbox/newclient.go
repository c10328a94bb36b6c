package halosandbox

import (
	"strings"
	"time"
)

// A client's helpers for creating it with its first site.
//
// Halo's Client schema (Area) has write-only newclient_* fields: newclient_sitename creates the
// client's main site with the client, newclient_phonenumber gives that site its phone number
// (the swagger also lists a contact, newclient_contactname/_contactemail, which the sandbox
// does not create). The sandbox honours them on a create only, in the same atomic POST: the
// site gets the next site id, and the client's main_site_id and main_site_name name it.
// Whether HaloPSA's answer to the POST carries main_site_id is UNCONFIRMED; the NewClientSite
// knob makes the sandbox answer without it, or ignore the helpers altogether, so clients can be
// tested against each reading.

// NewClientSite is how the sandbox treats a client created with newclient_sitename.
type NewClientSite int

const (
	// NewClientSiteAnswered creates the site and answers the POST with main_site_id (default).
	NewClientSiteAnswered NewClientSite = iota
	// NewClientSiteUnanswered creates the site, but the POST's answer has no main_site_id or
	// main_site_name (a later GET has them).
	NewClientSiteUnanswered
	// NewClientSiteIgnored ignores the newclient_* helpers: no site is created.
	NewClientSiteIgnored
)

// newClientFields are the helpers of the Client schema the sandbox reads; none is stored.
var newClientFields = []string{"newclient_sitename", "newclient_phonenumber"}

// prepareClient requires a name, and keeps the newclient_* helpers of a create for
// afterClient (an update drops them: they create, they do not change).
func prepareClient(s *Server, _ time.Time, old, rec Record) error {
	if err := needs("name", "Please enter a name for this Client")(s, time.Time{}, old, rec); err != nil {
		return err
	}
	if old != nil || s.knobs.newClientSite == NewClientSiteIgnored || strings.TrimSpace(rec.String("newclient_sitename")) == "" {
		dropNewClient(rec)
	}
	return nil
}

// afterClient creates the main site a client was created with (prepareClient kept the helpers
// only then), and links the client to it.
func afterClient(s *Server, _ time.Time, rec Record) []event {
	name := strings.TrimSpace(rec.String("newclient_sitename"))
	if name == "" {
		return nil
	}
	sites := s.st.coll("sites")
	site := Record{"id": num(sites.Next), "name": name, "client_id": rec["id"], "client_name": rec["name"]}
	if p := rec.String("newclient_phonenumber"); p != "" {
		site["phonenumber"] = p
	}
	sites.put(site)
	rec["main_site_id"], rec["main_site_name"] = site["id"], name
	dropNewClient(rec)
	return nil
}

func dropNewClient(rec Record) {
	for _, f := range newClientFields {
		delete(rec, f)
	}
}

// answerClient is the POST answer of a client: without its main site under
// NewClientSiteUnanswered. Called with s.mu held.
func (s *Server) answerClient(res *resource, rec Record) Record {
	if res.store != "clients" || s.knobs.newClientSite != NewClientSiteUnanswered {
		return rec
	}
	delete(rec, "main_site_id")
	delete(rec, "main_site_name")
	return rec
}

// SetNewClientSite sets how clients created with newclient_sitename are treated.
func (s *Server) SetNewClientSite(m NewClientSite) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs.newClientSite = m
}
