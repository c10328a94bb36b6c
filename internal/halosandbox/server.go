// Package halosandbox is a stateful, in-process HaloPSA emulator. Users try haloleads against it
// before connecting their real tenant (`starter sandbox` serves it standalone), and tests run it
// under httptest as a realistic HaloPSA with fault knobs: latency, 5xx answers, dropped
// connections after an applied write, expired tokens, rate limiting and forced 429s.
//
// It follows the behaviour reference (shared/reference/halopsa-api.md) and serves only routes
// and verbs present in Halo's swagger:
//
//   - POST /auth/token (client_credentials) and GET /api/authinfo (anonymous);
//   - GET and POST on /api/{Resource}, GET and DELETE on /api/{Resource}/{id} for Tickets,
//     Opportunities (the same store as tickets), Users, Client, Site, Actions, TicketType,
//     Status, FieldInfo, Lookup, Tags, DistributionLists, Webhook (GUID ids) and Agent.
//
// Routes are case-insensitive; PUT and PATCH on a served route answer 405 and unknown routes
// 404. POST takes a JSON array: items without an id are created, items with an id are partial
// updates of the fields present. Where Halo's behaviour is unconfirmed the sandbox picks one and
// documents it:
//
//   - an update of an unknown id fails the whole POST with 404 and nothing is applied;
//   - GET or DELETE of an unknown id answers 404;
//   - a multi-item POST answers with the whole array (Options.FirstObjectOnly: the first object);
//   - validation failures answer 400 with a plain-text Halo-like message, malformed bodies 400
//     with an ASP.NET-style problem document;
//   - GET /Actions without ticket_id answers 500, as a live tenant did;
//   - a token request naming another tenant answers 500, as Halo does.
//
// Outbound webhooks fire when tickets are created or updated and when users are updated, through
// the API (unless the item carries "_dont_fire_automations": true) or through the AgentEdit
// helpers that play an agent editing in the Halo UI. Every active Webhook record gets one
// delivery per event, with Basic auth when it has a basic_username.
package halosandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Server is the HaloPSA emulator, an http.Handler. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	log  *zap.Logger

	res []*resource // the served resources, built once

	mu     sync.Mutex
	st     *state
	gen    uint64    // bumped by every change of st, to tell whether lastList still holds
	last   listCache // the rows of the last list request (api.go)
	knobs  knobs
	limit  rateWindow
	stats  Stats
	reqlog []LoggedRequest

	seen       seen // stats.go
	flight     flight
	deliveryMu sync.Mutex
	deliveries []Delivery
}

// New returns a sandbox configured by opts. With a DataDir holding a state file it continues
// from that state; otherwise it starts as a fresh tenant.
func New(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	st := newState(opts.Tenant)
	if opts.DataDir != "" {
		loaded, err := loadState(opts.DataDir)
		if err != nil {
			return nil, fmt.Errorf("starting sandbox: %w", err)
		}
		if loaded != nil {
			st = loaded
		}
	}
	s := &Server{opts: opts, log: opts.Logger, st: st, res: buildResources()}
	s.knobs = knobs{firstObjectOnly: opts.FirstObjectOnly, retryAfter: opts.RetryAfter, recordCount: -1}
	s.limit = rateWindow{limit: opts.RateLimit, window: opts.RateWindow}
	s.stats.ByRoute = map[string]int{}
	return s, nil
}

// Save writes the state to DataDir atomically. Without a DataDir it does nothing.
func (s *Server) Save() error {
	if s.opts.DataDir == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := writeState(s.opts.DataDir, s.st); err != nil {
		return fmt.Errorf("saving sandbox: %w", err)
	}
	return nil
}

// Close waits for webhook deliveries in flight and saves the state (with a DataDir, every write
// was saved already when it was answered).
func (s *Server) Close() error {
	if err := s.flight.wait(context.Background()); err != nil {
		return fmt.Errorf("closing sandbox: %w", err)
	}
	return s.Save()
}

// Error is a failure the sandbox answers with: the HTTP status and the message Halo would give.
// The AgentEdit helpers return it too; match it with errors.As.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("halo sandbox: %d %s", e.Status, e.Message) }

// errorf returns an *Error with a formatted message.
func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// reply is a buffered response, so the sandbox can decide to drop it after a write.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// jsonReply encodes v as the body of a reply.
func jsonReply(status int, v any) *reply {
	body, err := json.Marshal(v)
	if err != nil {
		return textReply(http.StatusInternalServerError, "encoding response: "+err.Error())
	}
	return &reply{status: status, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: body}
}

// textReply is a plain-text reply, the shape of Halo's validation messages.
func textReply(status int, msg string) *reply {
	return &reply{status: status, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: []byte(msg)}
}

// errorReply turns err into a reply: *Error keeps its status, anything else is a 500.
func errorReply(err error) *reply {
	var e *Error
	if errors.As(err, &e) {
		return textReply(e.Status, e.Message)
	}
	return textReply(http.StatusInternalServerError, err.Error())
}

// write sends the reply.
func (rp *reply) write(w http.ResponseWriter) {
	for k, v := range rp.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rp.status)
	w.Write(rp.body)
}

// outcome is what handling one request did, for the log, the stats and the drop knob.
type outcome struct {
	route   string    // "GET /api/Tickets/{id}"; "" for unknown routes
	counted bool      // an /api or /auth request, subject to rate limiting
	applied bool      // a write that changed state
	arrived time.Time // when a counted request reached the rate limiter
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == StatsPath {
		s.serveStats(w, r)
		return
	}
	if err := s.delay(r.Context()); err != nil {
		return // the client went away while we were slow on purpose
	}
	rp, out, deliveries := s.handle(r)
	if out.applied {
		// Durable per write: a change is on disk before it is acknowledged, so a kill -9 of
		// the sandbox loses nothing a client was told had been saved.
		if err := s.Save(); err != nil {
			s.log.Error("storing a change", zap.Error(err))
			rp, deliveries = textReply(http.StatusInternalServerError, "the change could not be stored"), nil
		}
	}
	dropped := out.applied && s.takeDrop()
	s.record(r, out, rp.status, dropped)
	s.deliver(deliveries)
	if dropped {
		abort(w)
		return
	}
	rp.write(w)
}

// handle routes the request after the rate limiter and fault knobs had their say. Only /api
// and /auth requests count against the rate limit, as HaloPSA's limit concerns its API; a
// request the limiter turns away keeps the name of the route it asked for.
func (s *Server) handle(r *http.Request) (*reply, outcome, []delivery) {
	lower := strings.ToLower(r.URL.Path)
	token := lower == "/auth/token"
	var out outcome
	switch {
	case token:
		out = outcome{route: r.Method + " /auth/token", counted: true}
	case lower == "/api" || strings.HasPrefix(lower, "/api/"):
		out = outcome{counted: true}
		out.route, _ = s.route(r.Method, apiSegments(r))
	default:
		return textReply(http.StatusNotFound, "Not Found"), out, nil
	}
	var rp *reply
	if out.arrived, rp = s.admit(); rp != nil {
		return rp, out, nil
	}
	if token {
		return s.token(r), out, nil
	}
	rp, api, deliveries := s.api(r)
	api.arrived = out.arrived
	return rp, api, deliveries
}

// abort closes the connection without answering: hijacked when the writer allows it, otherwise
// by aborting the handler, which net/http turns into a closed connection.
func abort(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// now reads the configured clock.
func (s *Server) now() time.Time { return s.opts.Now() }
