// Package webhook receives HaloPSA's outbound webhooks.
//
// HaloPSA authenticates deliveries with HTTP Basic auth only (no body signature, no signed
// timestamp), so the handler does the rest: it compares both credentials in constant time,
// accepts POST only, caps the body, parses the JSON payload whatever its content type, and
// suppresses replays by remembering the ids of recent events. Each new event goes to a
// Dispatcher, which should record it durably and quickly (signal a Temporal workflow) and leave
// the work for later. A retryable dispatch failure answers 503 so that HaloPSA, or an operator
// re-sending from the delivery log, tries again; every other outcome answers 200.
//
// Credentials, summaries, custom-field values and raw payloads are never logged; log lines carry
// event ids, names and object ids only.
package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// Defaults applied to a zero Config field.
const (
	// DefaultMaxBodyBytes caps a delivery's body; HaloPSA payloads are a few kilobytes.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultRecentEvents is how many event ids are remembered for replay suppression.
	DefaultRecentEvents = 10000
)

// Config configures the webhook handler.
type Config struct {
	// User and Password are the Basic-auth credentials set on the HaloPSA webhook. An empty
	// Password rejects every delivery: the handler fails closed.
	User, Password string
	// MaxBodyBytes caps the request body; larger bodies get 413. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RecentEvents is how many recent event ids are remembered; a delivery whose id is among
	// them answers 200 without being dispatched. Default DefaultRecentEvents.
	RecentEvents int
	// MaxEventsPerRequest caps the events of one delivery; more answers 413 and dispatches
	// none. Default DefaultMaxEventsPerRequest.
	MaxEventsPerRequest int
	// PerObjectPerMinute caps the events dispatched per ticket (or object) in any rolling
	// minute; of the events over it only the latest is kept and dispatched once the budget
	// allows (the dispatcher re-reads the object, so nothing is lost). Default
	// DefaultPerObjectPerMinute.
	PerObjectPerMinute int
	// Clock is the clock of the per-object limit (default the system clock).
	Clock Clock
}

// Clock tells the time and runs deferred dispatches.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func())
}

type systemClock struct{}

func (systemClock) Now() time.Time                      { return time.Now() }
func (systemClock) AfterFunc(d time.Duration, f func()) { time.AfterFunc(d, f) }

// withDefaults returns c with every zero field given its default.
func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.RecentEvents <= 0 {
		c.RecentEvents = DefaultRecentEvents
	}
	if c.MaxEventsPerRequest <= 0 {
		c.MaxEventsPerRequest = DefaultMaxEventsPerRequest
	}
	if c.PerObjectPerMinute <= 0 {
		c.PerObjectPerMinute = DefaultPerObjectPerMinute
	}
	if c.Clock == nil {
		c.Clock = systemClock{}
	}
	return c
}

// Dispatcher takes one new event. It must be safe for concurrent use and should return quickly
// (HaloPSA waits for the answer). Returning a *RetryableError, or an error wrapping
// context.DeadlineExceeded or context.Canceled (the sender hung up), makes the handler answer 503
// and forget the event, so a re-sent delivery is dispatched again; any other error is logged, the
// event stays remembered and the delivery is acknowledged with 200.
type Dispatcher interface {
	Dispatch(ctx context.Context, e Event) error
}

// DispatcherFunc adapts a function to the Dispatcher interface.
type DispatcherFunc func(ctx context.Context, e Event) error

// Dispatch calls f(ctx, e).
func (f DispatcherFunc) Dispatch(ctx context.Context, e Event) error { return f(ctx, e) }

// RetryableError marks a dispatch failure that a later attempt may not meet, such as the
// Temporal frontend being unavailable.
type RetryableError struct {
	Err error
}

func (e *RetryableError) Error() string { return "retryable: " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *RetryableError) Unwrap() error { return e.Err }

// Retryable wraps err in a *RetryableError; nil stays nil.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return &RetryableError{Err: err}
}

// ErrUnchanged is what a Dispatcher returns when the object, read from HaloPSA, shows nothing
// new: the event is acknowledged and does not count against its object's per-minute budget, so
// a flood of forged or replayed events cannot hold back a real change for a minute; the next
// re-read of the object waits a little instead (see guard.go), so such a flood cannot spend
// the tenant's API budget either.
var ErrUnchanged = errors.New("the object shows nothing new")

// isRetryable reports whether a dispatch error should make HaloPSA re-send.
func isRetryable(err error) bool {
	var re *RetryableError
	return errors.As(err, &re) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// handler serves webhook deliveries.
type handler struct {
	cfg      Config
	user     [sha256.Size]byte // SHA-256 of the expected user name
	password [sha256.Size]byte // SHA-256 of the expected password
	d        Dispatcher
	recent   *recentIDs
	guard    *guard
	deferred *deferred
	log      *zap.Logger
}

// NewHandler returns the HTTP handler for HaloPSA webhook deliveries, dispatching each new event
// to d. A nil logger discards log lines.
func NewHandler(cfg Config, d Dispatcher, logger *zap.Logger) http.Handler {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = zap.NewNop()
	}
	h := &handler{
		cfg:      cfg,
		user:     sha256.Sum256([]byte(cfg.User)),
		password: sha256.Sum256([]byte(cfg.Password)),
		d:        d,
		recent:   newRecentIDs(cfg.RecentEvents),
		guard:    newGuard(cfg.PerObjectPerMinute, cfg.Clock.Now),
		log:      logger,
	}
	h.deferred = &deferred{h: h, pending: map[int]Event{}}
	return h
}

// result is what a delivery came to; it is also the JSON body of a 200 answer.
type result struct {
	Dispatched int `json:"dispatched"`
	Duplicates int `json:"duplicates"`
	Failed     int `json:"failed"`
	Stale      int `json:"stale,omitempty"`     // older than an event already dispatched for the object
	Deferred   int `json:"deferred,omitempty"`  // over the object's budget: dispatched later
	Unchanged  int `json:"unchanged,omitempty"` // the object shows nothing new
}

// ServeHTTP checks, parses and dispatches one delivery.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed: HaloPSA webhooks must use POST", http.StatusMethodNotAllowed)
		return
	}
	if !h.authorized(r) {
		h.log.Warn("webhook delivery refused: bad or missing credentials", zap.String("remote", r.RemoteAddr))
		w.Header().Set("WWW-Authenticate", `Basic realm="haloleads", charset="UTF-8"`)
		http.Error(w, "unauthorized: set Basic authentication on the HaloPSA webhook", http.StatusUnauthorized)
		return
	}
	events, status, err := h.read(w, r)
	if err != nil {
		h.log.Warn("webhook delivery rejected", zap.Int("status", status), zap.Error(err))
		http.Error(w, err.Error(), status)
		return
	}
	if len(events) > h.cfg.MaxEventsPerRequest {
		h.log.Warn("webhook delivery refused: too many events", zap.Int("events", len(events)))
		http.Error(w, fmt.Sprintf("a delivery may carry at most %d events", h.cfg.MaxEventsPerRequest),
			http.StatusRequestEntityTooLarge)
		return
	}
	res, err := h.dispatchAll(r.Context(), inTimeOrder(events))
	if err != nil {
		http.Error(w, "dispatch failed, retry later", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, res)
}

// authorized compares both credentials in constant time, over fixed-length hashes so that
// neither length leaks.
func (h *handler) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || h.cfg.Password == "" {
		return false
	}
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(u[:], h.user[:])&subtle.ConstantTimeCompare(p[:], h.password[:]) == 1
}

// read reads and parses the body, returning the HTTP status to answer with when it fails.
func (h *handler) read(w http.ResponseWriter, r *http.Request) ([]Event, int, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("webhook body exceeds %d bytes", tooBig.Limit)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("reading webhook body: %w", err)
	}
	events, err := ParsePayload(body)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	return events, http.StatusOK, nil
}

// dispatchAll dispatches each new event in order. It stops at the first retryable failure and
// returns it, having forgotten that event so a re-sent delivery dispatches it again; events
// dispatched before it stay remembered.
func (h *handler) dispatchAll(ctx context.Context, events []Event) (result, error) {
	var res result
	for _, e := range events {
		log := h.log.With(zap.String("event_id", e.ID), zap.String("event", e.Name), zap.Int("object_id", e.ObjectID))
		if !h.recent.add(e.ID) {
			log.Debug("duplicate webhook event ignored")
			res.Duplicates++
			continue
		}
		switch h.guard.take(e) {
		case stale:
			log.Info("stale webhook event ignored: a newer one was dispatched")
			res.Stale++
			continue
		case limited:
			if h.deferred.add(e) {
				log.Warn("webhook events over their object's per-minute budget: the latest is dispatched when the budget allows")
			}
			res.Deferred++
			continue
		}
		err := h.d.Dispatch(ctx, e)
		switch {
		case err == nil:
			h.guard.finish(e, effect)
			log.Info("webhook event dispatched", zap.Int("ticket_id", e.TicketID), zap.Int("status_id", e.StatusID))
			res.Dispatched++
		case errors.Is(err, ErrUnchanged):
			h.guard.finish(e, unchanged)
			log.Debug("webhook event shows nothing new")
			res.Unchanged++
		case isRetryable(err):
			h.recent.remove(e.ID)
			h.guard.finish(e, retry)
			log.Warn("webhook event dispatch failed; asking HaloPSA to retry", zap.Error(err))
			return res, fmt.Errorf("dispatching event %s: %w", e.ID, err)
		default:
			h.guard.finish(e, dropped)
			log.Error("webhook event dispatch failed; dropped", zap.Error(err))
			res.Failed++
		}
	}
	return res, nil
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	json.NewEncoder(w).Encode(v)
}
