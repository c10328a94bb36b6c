// Package providersandbox emulates the APIs of the five contact-data providers (Apollo.io,
// ZoomInfo, Hunter.io, Lusha, UpLead) for tests and local runs: one stateful http.Handler that
// serves each provider under its own prefix, answering the routes haloleads' clients use with
// the shapes, status codes and headers of the providers' contracts, about a seeded,
// deterministic set of made-up people on example.com, example.org and example.net domains.
//
// Knobs force rate limiting, exhausted quotas, Hunter's pending verifications, ZoomInfo token
// expiry and latency; counters report the credits each provider charged and the requests it
// served.
package providersandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"haloleads/internal/lead"
)

// Defaults of Options.
const (
	DefaultPeople        = 200
	DefaultAPIKey        = "sandbox-key"
	DefaultZoomInfoUser  = "sandbox"
	DefaultZoomInfoPass  = "sandbox-password"
	DefaultTokenLifetime = 60 * time.Minute
)

// Options configure a Server. The zero value is usable.
type Options struct {
	Seed   int64
	People int    // DefaultPeople when 0
	APIKey string // the key every provider accepts; DefaultAPIKey when empty
	// ZoomInfoUser and ZoomInfoPassword are the /authenticate credentials.
	ZoomInfoUser     string
	ZoomInfoPassword string
	// TokenLifetime is how long a ZoomInfo JWT lives (DefaultTokenLifetime when 0).
	TokenLifetime time.Duration
	// Now is the sandbox clock (time.Now when nil).
	Now func() time.Time
	// LushaWebhookSecret signs Lusha's webhook deliveries (DefaultLushaWebhookSecret when empty).
	LushaWebhookSecret string
}

func (o Options) withDefaults() Options {
	if o.People <= 0 {
		o.People = DefaultPeople
	}
	if o.APIKey == "" {
		o.APIKey = DefaultAPIKey
	}
	if o.ZoomInfoUser == "" {
		o.ZoomInfoUser = DefaultZoomInfoUser
	}
	if o.ZoomInfoPassword == "" {
		o.ZoomInfoPassword = DefaultZoomInfoPass
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = DefaultTokenLifetime
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LushaWebhookSecret == "" {
		o.LushaWebhookSecret = DefaultLushaWebhookSecret
	}
	return o
}

// Server is the provider sandbox. All methods are safe for concurrent use.
type Server struct {
	opts      Options
	people    []*Person
	companies []*Company
	mux       *http.ServeMux
	routes    []Route

	mu       sync.Mutex
	knobs    map[lead.Source]*knobs
	credits  map[lead.Source]int
	requests map[lead.Source]int
	bought   map[lead.Source]map[string]bool // provider → person or company key already charged
	tokens   map[string]time.Time            // ZoomInfo JWT → expiry
	pending  map[string]int                  // Hunter email → 202 answers still to give
	optOuts  []Subscription                  // Lusha subscriptions
	latency  time.Duration
	tokenSeq int
	// The opt-out side (optout.go): Apollo's saved contacts by id, Hunter's leads, the writes.
	apolloContacts map[string]*ApolloContact
	hunterLeads    []HunterLead
	hunterSeq      int
	writes         []Write
}

// Route is one route the sandbox serves, as the provider's contract names it.
type Route struct {
	Provider lead.Source
	Method   string
	Path     string // relative to the provider's API base, with {name} placeholders
}

// New builds a sandbox from opts.
func New(opts Options) *Server {
	s := &Server{opts: opts.withDefaults(), mux: http.NewServeMux(),
		knobs: map[lead.Source]*knobs{}, credits: map[lead.Source]int{}, requests: map[lead.Source]int{},
		bought: map[lead.Source]map[string]bool{}, tokens: map[string]time.Time{}, pending: map[string]int{},
		apolloContacts: map[string]*ApolloContact{}}
	s.people, s.companies = seed(s.opts.Seed, s.opts.People)
	for _, p := range lead.Providers {
		s.knobs[p] = &knobs{}
		s.bought[p] = map[string]bool{}
	}
	s.apolloRoutes()
	s.zoomInfoRoutes()
	s.hunterRoutes()
	s.lushaRoutes()
	s.upLeadRoutes()
	s.optOutRoutes()
	return s
}

// Handler returns the handler serving every provider under its Prefix.
func (s *Server) Handler() http.Handler { return s.mux }

// Prefix returns the path under which p's API is served; a client's base URL is the server's
// URL plus this prefix.
func Prefix(p lead.Source) string {
	switch p {
	case lead.Apollo:
		return "/apollo/api/v1"
	case lead.ZoomInfo:
		return "/zoominfo"
	case lead.Hunter:
		return "/hunter/v2"
	case lead.Lusha:
		return "/lusha"
	case lead.UpLead:
		return "/uplead/v2"
	}
	return "/" + string(p)
}

// Routes lists the routes served, in registration order.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// People returns the seeded people (shared, read-only).
func (s *Server) People() []*Person { return s.people }

// Companies returns the seeded companies (shared, read-only).
func (s *Server) Companies() []*Company { return s.companies }

// handlerFunc answers one request; it returns the status and the JSON body (a string body is
// sent as text/plain).
type handlerFunc func(r *http.Request) (int, any)

// handle registers h for p at method and path, behind the sandbox's knobs and p's auth check.
func (s *Server) handle(p lead.Source, method, path string, auth func(*http.Request) bool, h handlerFunc) {
	s.routes = append(s.routes, Route{Provider: p, Method: method, Path: path})
	s.mux.HandleFunc(method+" "+Prefix(p)+path, func(w http.ResponseWriter, r *http.Request) {
		if err := s.wait(r.Context()); err != nil {
			return
		}
		s.count(p)
		if auth != nil && !auth(r) {
			writeReply(w, unauthorized(p))
			return
		}
		if rep, ok := s.forced(p); ok {
			writeReply(w, rep)
			return
		}
		status, body := h(r)
		writeReply(w, reply{status: status, body: body})
	})
}

// reply is a response to write.
type reply struct {
	status int
	header http.Header
	body   any
}

// writeReply writes rep: strings as text/plain, anything else as JSON.
func writeReply(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	if text, ok := rep.body.(string); ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(rep.status)
		_, _ = w.Write([]byte(text))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	if rep.body != nil {
		_ = json.NewEncoder(w).Encode(rep.body)
	}
}

// unauthorized is p's answer to a missing or wrong key.
func unauthorized(p lead.Source) reply {
	switch p {
	case lead.Apollo:
		return reply{status: 401, body: "Invalid API key. See https://docs.apollo.io/reference/authentication for how to authenticate."}
	case lead.Hunter:
		return reply{status: 401, body: hunterErrors("authentication_failed", 401, "No user found for the API key supplied")}
	case lead.Lusha:
		return reply{status: 401, body: map[string]any{"statusCode": 401, "message": "Unauthorized"}}
	case lead.UpLead:
		return reply{status: 401, body: map[string]any{"error": "Invalid API key", "status": 401}}
	}
	return reply{status: 401, body: map[string]any{"error": map[string]any{"code": "ZI0001",
		"message": "Invalid or expired token", "status": 401, "retryable": false}}}
}

// wait applies the latency knob.
func (s *Server) wait(ctx context.Context) error {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// count records a request to p.
func (s *Server) count(p lead.Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[p]++
}

// charge records n credits spent at p.
func (s *Server) charge(p lead.Source, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credits[p] += n
}

// chargeOnce charges 1 credit for key at p unless it was charged before (ZoomInfo records under
// management, Lusha re-reveals, UpLead re-downloads are free). It reports whether it charged.
func (s *Server) chargeOnce(p lead.Source, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bought[p][key] {
		return false
	}
	s.bought[p][key] = true
	s.credits[p]++
	return true
}

// now reads the sandbox clock.
func (s *Server) now() time.Time { return s.opts.Now() }
