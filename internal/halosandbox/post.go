package halosandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxBody caps a POST body.
const maxBody = 8 << 20

// ParseError is a POST body that cannot be bound to a list of objects. The sandbox answers it
// with 400 and an ASP.NET-style problem document.
type ParseError struct {
	Path    string // JSON path of the problem, "$" for the whole body
	Message string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("parsing POST body at %s: %s", e.Path, e.Message)
}

// ParsePostBody reads a Halo POST body: a JSON array of objects. Top-level keys are lowercased
// (Halo binds property names case-insensitively); numbers stay json.Number.
func ParsePostBody(data []byte) ([]Record, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &ParseError{Path: "$", Message: "the body is not valid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &ParseError{Path: "$", Message: "the body has data after the JSON value"}
	}
	list, ok := v.([]any)
	if !ok {
		return nil, &ParseError{Path: "$", Message: "the JSON value could not be converted to a list: send an array of objects"}
	}
	if len(list) == 0 {
		return nil, &ParseError{Path: "$", Message: "the array is empty"}
	}
	out := make([]Record, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, &ParseError{Path: fmt.Sprintf("$[%d]", i), Message: "each item must be a JSON object"}
		}
		out[i] = lowerKeys(m)
	}
	return out, nil
}

// lowerKeys lowercases an object's keys; of two keys differing only in case the later wins.
func lowerKeys(m map[string]any) Record {
	out := make(Record, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// problem is the ASP.NET validation problem document for a ParseError.
func problem(e *ParseError) *reply {
	return jsonReply(http.StatusBadRequest, map[string]any{
		"type":   "https://tools.ietf.org/html/rfc9110#section-15.5.1",
		"title":  "One or more validation errors occurred.",
		"status": http.StatusBadRequest,
		"errors": map[string][]string{e.Path: {e.Message}},
	})
}

// post answers POST /{Resource}: 201 with the resulting object (one item, or FirstObjectOnly)
// or the array of results.
func (s *Server) post(r *http.Request, res *resource) (*reply, []delivery) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return textReply(http.StatusBadRequest, "reading body: "+err.Error()), nil
	}
	if len(data) > maxBody {
		return textReply(http.StatusRequestEntityTooLarge, "the body is too large"), nil
	}
	items, err := ParsePostBody(data)
	var pe *ParseError
	if errors.As(err, &pe) {
		return problem(pe), nil
	}
	recs, ds, err := s.upsert(res, items, APIAgentID)
	if errors.As(err, &pe) {
		return problem(pe), nil
	}
	if err != nil {
		return errorReply(err), nil
	}
	s.mu.Lock()
	first := s.knobs.firstObjectOnly
	s.mu.Unlock()
	if len(recs) == 1 || first {
		return jsonReply(http.StatusCreated, recs[0]), ds
	}
	return jsonReply(http.StatusCreated, recs), ds
}

// change is one item of a POST, prepared but not yet stored.
type change struct {
	old, rec Record // old is nil for a create
	quiet    bool   // "_dont_fire_automations": no webhooks
}

// upsert applies items to res atomically: every item is validated first, and nothing is stored
// unless all are valid. It returns the detail objects and the webhook deliveries to make.
func (s *Server) upsert(res *resource, items []Record, agentID int) ([]Record, []delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	now := s.now()
	c := s.st.coll(res.store)
	next := c.Next
	changes := make([]change, 0, len(items))
	for i, item := range items {
		ch, err := s.prepareItem(res, c, item, i, now, &next, changes)
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, ch)
	}
	var events []event
	out := make([]Record, 0, len(changes))
	for _, ch := range changes {
		c.put(ch.rec)
		events = append(events, s.commitEvents(res, now, ch)...)
		out = append(out, s.answerClient(res, s.render(res, ch.rec, true)))
	}
	return out, s.payloads(events, agentID), nil
}

// prepareItem merges one item over the stored record it updates (or a new record), then runs
// the resource's rules. Earlier items of the same POST are seen by later ones.
func (s *Server) prepareItem(res *resource, c *collection, item Record, i int, now time.Time, next *int, batch []change) (change, error) {
	id, update, err := itemID(res, item, i)
	if err != nil {
		return change{}, err
	}
	var old Record
	if update {
		old = latest(c, batch, id)
		if old == nil || !res.member(old) {
			return change{}, errorf(http.StatusNotFound, "%s %s not found", res.single, textOf(id))
		}
	}
	rec := old.Clone()
	if rec == nil {
		rec = Record{"id": newID(res, next)}
	}
	if err := s.merge(res, rec, item); err != nil {
		return change{}, err
	}
	if err := res.prepare(s, now, old, rec); err != nil {
		return change{}, err
	}
	if err := checkLengths(res, rec); err != nil {
		return change{}, err
	}
	return change{old: old, rec: rec, quiet: item.Bool("_dont_fire_automations")}, nil
}

// latest returns the record with id as the batch so far left it, or as stored.
func latest(c *collection, batch []change, id any) Record {
	for i := len(batch) - 1; i >= 0; i-- {
		if key(batch[i].rec["id"]) == key(id) {
			return batch[i].rec
		}
	}
	return c.get(id)
}

// merge copies the item's fields into rec: a partial update. Control flags ("_novalidate", ...)
// are not stored; custom fields are merged by id.
func (s *Server) merge(res *resource, rec, item Record) error {
	for k, v := range item {
		switch {
		case k == "id" || strings.HasPrefix(k, "_"):
		case k == "customfields" && res.usage != 0:
			cf, err := s.mergeCustomFields(res.usage, rec["customfields"], v)
			if err != nil {
				return err
			}
			rec[k] = cf
		default:
			rec[k] = v
		}
	}
	return nil
}

// itemID reads an item's id. A missing, null, zero or negative integer id (or an empty or nil
// GUID) means create.
func itemID(res *resource, item Record, i int) (id any, update bool, err error) {
	v, ok := item["id"]
	if !ok || v == nil {
		return nil, false, nil
	}
	if res.guid {
		g := strings.ToLower(textOf(v))
		if g == "" || g == nilGUID {
			return nil, false, nil
		}
		if !isGUID(g) {
			return nil, false, &ParseError{Path: fmt.Sprintf("$[%d].id", i), Message: "the JSON value could not be converted to System.Guid"}
		}
		return g, true, nil
	}
	n, ok := intOf(v)
	if !ok {
		return nil, false, &ParseError{Path: fmt.Sprintf("$[%d].id", i), Message: "the JSON value could not be converted to System.Int32"}
	}
	return n, n > 0, nil
}

// newID hands out the next id: integers in creation order, GUIDs for GUID resources.
func newID(res *resource, next *int) any {
	if res.guid {
		return newGUID()
	}
	id := *next
	*next++
	return num(id)
}

// nilGUID is the all-zero GUID, which means "no id" in a body.
const nilGUID = "00000000-0000-0000-0000-000000000000"

// newGUID returns a random (version 4) GUID in lowercase text form.
func newGUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isGUID reports whether s is a GUID in 8-4-4-4-12 hex form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}
