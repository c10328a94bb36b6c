package webhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The notification events haloleads subscribes to, as HaloPSA names them in payloads (Event.Name
// is folded to this form: lower case, single spaces).
const (
	EventTicketLogged        = "new ticket logged"
	EventTicketUpdated       = "ticket updated"
	EventTicketStatusChanged = "ticket status changed"
	EventUserUpdated         = "user updated"
)

// Event is one HaloPSA webhook event, reduced to what haloleads acts on. Every payload type
// carries the envelope (delivery id, webhook id, notification id, event name, object id, agent
// and timestamp); "small" and "full" payloads add the ticket or user object. An event is a hint,
// not a fact: dispatchers re-read the object through the authenticated API before acting.
// Summary, CustomFields and Raw can hold personal data and are never logged.
type Event struct {
	// ID is the idempotency key: 32 hex digits of a SHA-256 over the delivery id, webhook id,
	// event name, object id and timestamp (and over the whole object when a custom payload
	// carries neither delivery id nor timestamp). Re-sends of one delivery share it.
	ID string
	// DeliveryID is the payload's "id" (a GUID); empty when a custom payload leaves it out.
	DeliveryID string
	// WebhookID is the GUID of the webhook configuration that sent the event.
	WebhookID string
	// NotificationID is the notification profile ("notification_id") that fired.
	NotificationID int
	// Name is the event name folded to lower case with single spaces, e.g. EventTicketStatusChanged.
	Name string
	// ObjectID is the id of the object the event is about (a ticket id for ticket events).
	ObjectID int
	// AgentID is the agent who made the change (the API agent for API writes).
	AgentID int
	// TicketID is the ticket's id: the ticket object's "id", or ObjectID for a ticket event
	// whose payload carries no ticket object ("event information only").
	TicketID int
	// UserID is the end user (contact): the ticket's "user_id", the user object's "id", or
	// ObjectID for a user event without an object.
	UserID int
	// ClientID is the customer the ticket or user belongs to.
	ClientID int
	// SiteID is the site the ticket or user belongs to.
	SiteID int
	// TicketTypeID is the ticket's type (lead, prospect or opportunity type in haloleads' tenant).
	TicketTypeID int
	// StatusID is the ticket's status after the change.
	StatusID int
	// StatusName is the status's name, when the payload carries display values.
	StatusName string
	// Summary is the ticket's summary (may name a person: never logged).
	Summary string
	// Closed reports the ticket's "hasbeenclosed" flag.
	Closed bool
	// CustomFields maps a custom field id to its value as text: strings as sent, numbers in
	// decimal, booleans "true"/"false", null as "" (a cleared field), lists and objects as compact
	// JSON. Dropdown values are lookup row ids unless the webhook sends display values. Nil when
	// the payload has none.
	CustomFields map[int]string
	// ChangedAt is the payload timestamp (UTC); zero when absent or unreadable.
	ChangedAt time.Time
	// Raw is the event's JSON object exactly as received. It is never logged.
	Raw json.RawMessage
}

// PayloadError reports a webhook body that is not a HaloPSA payload. Its message names the
// offending field or byte offset but never echoes values, which can be personal data.
type PayloadError struct {
	// Index is the position of the bad event in a batched (array) delivery, -1 otherwise.
	Index int
	// Reason says what is wrong, in one sentence fragment.
	Reason string
}

func (e *PayloadError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("malformed webhook payload: event %d: %s", e.Index, e.Reason)
	}
	return "malformed webhook payload: " + e.Reason
}

// payload is the wire form of one event. Numbers and strings are read leniently because
// HaloPSA can send display values instead of ids.
type payload struct {
	ID             flexString `json:"id"`
	WebhookID      flexString `json:"webhook_id"`
	NotificationID flexInt    `json:"notification_id"`
	Event          flexString `json:"event"`
	ObjectID       flexInt    `json:"object_id"`
	AgentID        flexInt    `json:"agent_id"`
	Timestamp      flexString `json:"timestamp"`
	Ticket         *object    `json:"ticket"`
	User           *object    `json:"user"`
}

// object holds the fields read from a payload's ticket or user object.
type object struct {
	ID           flexInt       `json:"id"`
	UserID       flexInt       `json:"user_id"`
	ClientID     flexInt       `json:"client_id"`
	SiteID       flexInt       `json:"site_id"`
	TicketTypeID flexInt       `json:"tickettype_id"`
	StatusID     flexInt       `json:"status_id"`
	StatusName   flexString    `json:"status_name"`
	Summary      flexString    `json:"summary"`
	Closed       flexBool      `json:"hasbeenclosed"`
	CustomFields []customField `json:"customfields"`
}

// customField is one entry of a "customfields" list.
type customField struct {
	ID    flexInt         `json:"id"`
	Value json.RawMessage `json:"value"`
}

// ParsePayload parses a webhook body: one event object, or an array of them (a batched
// delivery). It accepts a UTF-8 byte-order mark and surrounding white space, and returns a
// *PayloadError when the body is not valid JSON of that shape.
func ParsePayload(body []byte) ([]Event, error) {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	switch {
	case len(body) == 0:
		return nil, &PayloadError{Index: -1, Reason: "the body is empty"}
	case body[0] == '[':
		return parseBatch(body)
	case body[0] == '{':
		e, err := parseEvent(body, -1)
		if err != nil {
			return nil, err
		}
		return []Event{e}, nil
	}
	return nil, &PayloadError{Index: -1, Reason: "the body is not a JSON object or array"}
}

// parseBatch parses an array of event objects.
func parseBatch(body []byte) ([]Event, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, payloadError(err, -1)
	}
	if len(items) == 0 {
		return nil, &PayloadError{Index: -1, Reason: "the batch holds no events"}
	}
	out := make([]Event, 0, len(items))
	for i, raw := range items {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			return nil, &PayloadError{Index: i, Reason: "the event is not a JSON object"}
		}
		e, err := parseEvent(raw, i)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// parseEvent parses one event object; index is its position in a batch, or -1.
func parseEvent(raw []byte, index int) (Event, error) {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return Event{}, payloadError(err, index)
	}
	e := Event{
		DeliveryID:     string(p.ID),
		WebhookID:      string(p.WebhookID),
		NotificationID: int(p.NotificationID),
		Name:           foldName(string(p.Event)),
		ObjectID:       int(p.ObjectID),
		AgentID:        int(p.AgentID),
		ChangedAt:      parseTime(string(p.Timestamp)),
		Raw:            append(json.RawMessage(nil), raw...),
	}
	e.applyObjects(p.Ticket, p.User)
	e.ID = eventKey(p, e.Name, raw)
	return e, nil
}

// applyObjects copies the ticket and user objects' fields, falling back to ObjectID for events
// whose payload carries no object.
func (e *Event) applyObjects(ticket, user *object) {
	switch {
	case ticket != nil:
		e.TicketID = or(int(ticket.ID), e.ObjectID)
		e.UserID, e.ClientID, e.SiteID = int(ticket.UserID), int(ticket.ClientID), int(ticket.SiteID)
		e.TicketTypeID, e.StatusID = int(ticket.TicketTypeID), int(ticket.StatusID)
		e.StatusName, e.Summary, e.Closed = string(ticket.StatusName), string(ticket.Summary), bool(ticket.Closed)
		e.CustomFields = customFieldValues(ticket.CustomFields)
	case user != nil:
		e.UserID = or(int(user.ID), e.ObjectID)
		e.ClientID, e.SiteID = int(user.ClientID), int(user.SiteID)
		e.CustomFields = customFieldValues(user.CustomFields)
	case strings.Contains(e.Name, "ticket"):
		e.TicketID = e.ObjectID
	case strings.HasPrefix(e.Name, "user"):
		e.UserID = e.ObjectID
	}
}

// or returns a, or b when a is zero.
func or(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// customFieldValues turns a customfields list into id → text; nil when it is empty.
func customFieldValues(list []customField) map[int]string {
	var out map[int]string
	for _, cf := range list {
		if cf.ID <= 0 {
			continue
		}
		if out == nil {
			out = make(map[int]string, len(list))
		}
		out[int(cf.ID)] = valueText(cf.Value)
	}
	return out
}

// valueText renders a custom-field value as text (see Event.CustomFields).
func valueText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		return ""
	case v[0] == '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	case v[0] == '{' || v[0] == '[':
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			return buf.String()
		}
	}
	return string(v)
}

// foldName lower-cases an event name and collapses white space.
func foldName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// timeLayouts are the timestamp forms accepted, zone-less ones read as UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}

// parseTime reads a payload timestamp; zero when absent or unreadable.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// eventKey derives Event.ID from the envelope; the raw object joins in only when the envelope
// has neither a delivery id nor a timestamp to tell events apart.
func eventKey(p payload, name string, raw []byte) string {
	h := sha256.New()
	for _, part := range []string{string(p.ID), string(p.WebhookID), name, strconv.Itoa(int(p.ObjectID)), string(p.Timestamp)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if p.ID == "" && p.Timestamp == "" {
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			raw = buf.Bytes()
		}
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// payloadError turns a JSON decoding error into a *PayloadError that names the field or byte
// offset, never the value.
func payloadError(err error, index int) *PayloadError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &PayloadError{Index: index, Reason: fmt.Sprintf("invalid JSON at byte %d", syn.Offset)}
	case errors.As(err, &typ) && typ.Field != "":
		return &PayloadError{Index: index, Reason: fmt.Sprintf("field %s is a JSON %s, want %s", typ.Field, kind(typ.Value), describe(typ.Type))}
	case errors.As(err, &typ):
		return &PayloadError{Index: index, Reason: fmt.Sprintf("a JSON %s where %s was expected", kind(typ.Value), describe(typ.Type))}
	}
	return &PayloadError{Index: index, Reason: "invalid JSON"}
}

// kind keeps the JSON kind of an UnmarshalTypeError value ("number 1e999" → "number").
func kind(value string) string {
	k, _, _ := strings.Cut(value, " ")
	return k
}
