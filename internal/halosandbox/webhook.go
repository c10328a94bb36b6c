package halosandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sync"
	"time"

	"go.uber.org/zap"
)

// The webhook events the sandbox fires (Halo notification events, named as in payloads).
const (
	EventTicketLogged        = "new ticket logged"
	EventTicketUpdated       = "ticket updated"
	EventTicketStatusChanged = "ticket status changed"
	EventUserUpdated         = "user updated"
)

// notificationID gives each event a stable notification_id, as a tenant's profiles would.
func notificationID(name string) int {
	switch name {
	case EventTicketLogged:
		return 1
	case EventTicketUpdated:
		return 2
	case EventTicketStatusChanged:
		return 41
	}
	return 60
}

// event is a change webhooks report.
type event struct {
	name     string
	kind     string // "ticket" or "user": the payload key and the store
	objectID int
}

// ticketEvent is an event about a ticket.
func ticketEvent(name string, id int) event { return event{name: name, kind: "ticket", objectID: id} }

// commitEvents runs the resource's after hook and names the events a stored change fires.
func (s *Server) commitEvents(res *resource, now time.Time, ch change) []event {
	var out []event
	if res.after != nil {
		out = res.after(s, now, ch.rec)
	}
	if ch.quiet || res.event == "" {
		return out
	}
	id := ch.rec.ID()
	switch {
	case ch.old == nil && res.event == "ticket":
		return append(out, ticketEvent(EventTicketLogged, id))
	case ch.old == nil:
		return out
	case res.event == "ticket" && changed(ch.old, ch.rec, "status_id"):
		return append(out, ticketEvent(EventTicketStatusChanged, id))
	case !sameRecord(ch.old, ch.rec) && res.event == "ticket":
		return append(out, ticketEvent(EventTicketUpdated, id))
	case !sameRecord(ch.old, ch.rec):
		return append(out, event{name: EventUserUpdated, kind: "user", objectID: id})
	}
	return out
}

// sameRecord compares two versions of a record, ignoring volatile fields.
func sameRecord(a, b Record) bool {
	a, b = a.Clone(), b.Clone()
	delete(a, "last_update") // changes on every write
	delete(b, "last_update")
	return reflect.DeepEqual(a, b)
}

// message is the human text Halo puts in a payload.
func (e event) message() string {
	switch e.name {
	case EventTicketLogged:
		return fmt.Sprintf("A new Ticket has been logged. Ticket ID: %07d.", e.objectID)
	case EventTicketStatusChanged:
		return fmt.Sprintf("The status has been changed for Ticket ID: %07d.", e.objectID)
	case EventTicketUpdated:
		return fmt.Sprintf("Ticket ID: %07d has been updated.", e.objectID)
	}
	return fmt.Sprintf("User ID: %d has been updated.", e.objectID)
}

// delivery is one webhook call to make.
type delivery struct {
	webhookID, url, user, pass string
	event                      string
	objectID                   int
	body                       []byte
}

// Delivery is one outbound webhook call the sandbox made.
type Delivery struct {
	WebhookID  string
	URL        string
	Event      string
	ObjectID   int
	StatusCode int    // the receiver's status; 0 when the call failed
	Err        string // why the call failed, if it did
	Payload    json.RawMessage
}

// PayloadEventOnly is the webhook payload_type "event information only" (the envelope without
// the object); other types carry the ticket or user object. The code is UNCONFIRMED (see
// halopsa.WebhookPayloadEventOnly).
const PayloadEventOnly = 2

// payloads builds one delivery per event and active webhook. Called with s.mu held.
func (s *Server) payloads(events []event, agentID int) []delivery {
	var out []delivery
	now := s.now()
	var hooks []Record
	for _, wh := range s.st.coll("webhook").Items {
		if v, ok := wh["active"]; !ok || boolOf(v) {
			hooks = append(hooks, wh)
		}
	}
	if len(hooks) == 0 {
		return nil
	}
	for _, e := range events {
		obj := s.eventObject(e)
		if obj == nil {
			continue
		}
		for _, wh := range hooks {
			payload := map[string]any{
				"id": newGUID(), "webhook_id": wh["id"], "notification_id": notificationID(e.name),
				"escmsg_id": newGUID(), "event": e.name, "message": e.message(), "object_id": e.objectID,
				"agent_id": agentID, "timestamp": webhookTime(now), e.kind: obj,
			}
			if wh.Int("payload_type") == PayloadEventOnly {
				delete(payload, e.kind) // "event information only": the envelope, no object
			}
			body, err := json.Marshal(payload)
			if err != nil {
				s.log.Error("encoding webhook payload", zap.Error(err))
				continue
			}
			out = append(out, delivery{webhookID: wh.String("id"), url: wh.String("url"), user: wh.String("basic_username"),
				pass: wh.String("basic_password"), event: e.name, objectID: e.objectID, body: body})
		}
	}
	return out
}

// eventObject is the detail object a payload carries.
func (s *Server) eventObject(e event) Record {
	name, store := "Tickets", "tickets"
	if e.kind == "user" {
		name, store = "Users", "users"
	}
	rec := s.st.coll(store).get(e.objectID)
	if rec == nil {
		return nil
	}
	return s.render(s.resource([]string{name}), rec, true)
}

// deliver sends the deliveries in the background; WaitIdle awaits them.
func (s *Server) deliver(ds []delivery) {
	for _, d := range ds {
		s.flight.add()
		go func() {
			defer s.flight.done()
			s.send(d)
		}()
	}
}

// send makes one webhook call and logs it.
func (s *Server) send(d delivery) {
	rec := Delivery{WebhookID: d.webhookID, URL: d.url, Event: d.event, ObjectID: d.objectID, Payload: d.body}
	req, err := http.NewRequest(http.MethodPost, d.url, bytes.NewReader(d.body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if d.user != "" {
			req.SetBasicAuth(d.user, d.pass)
		}
		var resp *http.Response
		if resp, err = s.opts.WebhookClient.Do(req); err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			rec.StatusCode = resp.StatusCode
		}
	}
	if err != nil {
		rec.Err = err.Error()
		s.log.Warn("webhook delivery failed", zap.String("webhook_id", d.webhookID), zap.String("event", d.event),
			zap.Int("object_id", d.objectID), zap.Error(err))
	}
	s.deliveryMu.Lock()
	s.deliveries = append(s.deliveries, rec)
	s.deliveryMu.Unlock()
}

// WebhookDeliveries returns the webhook calls made so far, in completion order.
func (s *Server) WebhookDeliveries() []Delivery {
	s.deliveryMu.Lock()
	defer s.deliveryMu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// WaitIdle waits until no webhook delivery is in flight, or ctx ends.
func (s *Server) WaitIdle(ctx context.Context) error {
	if err := s.flight.wait(ctx); err != nil {
		return fmt.Errorf("waiting for webhook deliveries: %w", err)
	}
	return nil
}

// flight counts work in flight and lets callers await zero.
type flight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{}
}

func (f *flight) add() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
}

func (f *flight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.idle)
	}
}

func (f *flight) wait(ctx context.Context) error {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return nil
	}
	ch := f.idle
	f.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
