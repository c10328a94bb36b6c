package halopsa

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeHalo is a small in-memory HaloPSA for this package's tests: OAuth2 client credentials,
// one generic store per route, paged lists with the real envelopes, POST-array upserts and
// DELETE. Fault knobs are plain fields set before use (or under mu).
type fakeHalo struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	nextID    int
	store     map[string][]map[string]any // lower-case route → records
	tokens    map[string]bool
	issued    int
	expiresIn int
	// firstOnly answers a multi-item POST with the first object only.
	firstOnly bool
	// countDelta is added to every record_count.
	countDelta int
	// intercept, when set and returning true, has answered the request itself.
	intercept func(w http.ResponseWriter, r *http.Request) bool
	posts     int
	// ignoreOrder answers lists in id order whatever order they ask for.
	ignoreOrder bool
}

// envelopes gives the list key of enveloped routes; other routes answer bare arrays.
var envelopes = map[string]string{
	"tickets": "tickets", "users": "users", "client": "clients", "site": "sites", "actions": "actions",
}

// filters maps query parameters to the record fields they filter on.
var filters = map[string]string{
	"client_id": "client_id", "user_id": "user_id", "site_id": "site_id",
	"requesttype_id": "tickettype_id", "lookupid": "lookupid", "ticket_id": "ticket_id",
}

func newFakeHalo(t *testing.T) *fakeHalo {
	f := &fakeHalo{t: t, store: map[string][]map[string]any{}, tokens: map[string]bool{}, expiresIn: 3600}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a Client for f with a fake clock and test-friendly defaults, after edit.
func (f *fakeHalo) client(t *testing.T, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: f.srv.URL, ClientID: "id", ClientSecret: "secret", Clock: newFakeClock()}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func (f *fakeHalo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.intercept != nil && f.intercept(w, r) {
		return
	}
	if r.URL.Path == "/auth/token" {
		f.token(w, r)
		return
	}
	if strings.EqualFold(r.URL.Path, "/api/authinfo") {
		writeJSON(w, 200, map[string]any{"auth_url": f.srv.URL + "/auth", "tenant_id": "acme"})
		return
	}
	if !f.authorized(r) {
		writeJSON(w, 401, map[string]any{"Message": "Authorization has been denied for this request."})
		return
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/"), "/"), "/")
	route := strings.ToLower(segs[0])
	switch {
	case r.Method == http.MethodGet && len(segs) == 1:
		f.list(w, r, route)
	case r.Method == http.MethodGet:
		f.one(w, route, segs[1])
	case r.Method == http.MethodPost:
		f.post(w, r, route)
	case r.Method == http.MethodDelete:
		f.remove(w, route, segs[1])
	default:
		http.Error(w, "no such route", http.StatusNotFound)
	}
}

func (f *fakeHalo) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, 400, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	if r.PostForm.Get("client_id") != "id" || r.PostForm.Get("client_secret") != "secret" {
		writeJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": "bad secret"})
		return
	}
	f.mu.Lock()
	f.issued++
	tok := "tok-" + strconv.Itoa(f.issued)
	f.tokens[tok] = true
	exp := f.expiresIn
	f.mu.Unlock()
	writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": exp})
}

func (f *fakeHalo) authorized(r *http.Request) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
}

// revokeTokens makes every issued token fail with 401.
func (f *fakeHalo) revokeTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]bool{}
}

func (f *fakeHalo) list(w http.ResponseWriter, r *http.Request, route string) {
	q := r.URL.Query()
	f.mu.Lock()
	var rows []map[string]any
	for _, rec := range f.store[route] {
		if matches(rec, q) {
			rows = append(rows, rec)
		}
	}
	ignoreOrder := f.ignoreOrder
	f.mu.Unlock()
	total := len(rows)
	if q.Get("order") == "id" && q.Get("orderdesc") == "true" && !ignoreOrder {
		slices.Reverse(rows)
	}
	if q.Get("pageinate") == "true" {
		size, _ := strconv.Atoi(q.Get("page_size"))
		n, _ := strconv.Atoi(q.Get("page_no"))
		lo := min((n-1)*size, total)
		rows = rows[lo:min(lo+size, total)]
	}
	if rows == nil {
		rows = []map[string]any{}
	}
	key, ok := envelopes[route]
	if !ok {
		writeJSON(w, 200, rows)
		return
	}
	writeJSON(w, 200, map[string]any{"record_count": total + f.countDelta, key: rows})
}

func matches(rec map[string]any, q map[string][]string) bool {
	for param, field := range filters {
		if v := q[param]; len(v) > 0 && fmt.Sprint(rec[field]) != v[0] {
			return false
		}
	}
	return true
}

func (f *fakeHalo) one(w http.ResponseWriter, route, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if route == "agent" && id == "me" {
		writeJSON(w, 200, map[string]any{"id": 1, "name": "API"})
		return
	}
	for _, rec := range f.store[route] {
		if fmt.Sprint(rec["id"]) == id {
			writeJSON(w, 200, rec)
			return
		}
	}
	writeJSON(w, 404, map[string]any{"Message": "not found"})
}

func (f *fakeHalo) post(w http.ResponseWriter, r *http.Request, route string) {
	var items []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&items); err != nil {
		http.Error(w, "body must be a JSON array", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.posts++
	saved := make([]map[string]any, 0, len(items))
	for _, it := range items {
		saved = append(saved, f.upsert(route, it))
	}
	firstOnly := f.firstOnly
	f.mu.Unlock()
	if len(saved) == 1 || firstOnly {
		writeJSON(w, 201, saved[0])
		return
	}
	writeJSON(w, 201, saved)
}

// upsert creates or merges one record; f.mu is held.
func (f *fakeHalo) upsert(route string, it map[string]any) map[string]any {
	if id, ok := it["id"]; ok && id != nil && fmt.Sprint(id) != "0" && fmt.Sprint(id) != "" {
		for _, rec := range f.store[route] {
			if fmt.Sprint(rec["id"]) == fmt.Sprint(id) {
				for k, v := range it {
					rec[k] = v
				}
				return clone(rec)
			}
		}
	}
	f.nextID++
	rec := clone(it)
	rec["id"] = f.nextID
	if route == "webhook" {
		rec["id"] = fmt.Sprintf("00000000-0000-0000-0000-%012d", f.nextID)
	}
	f.store[route] = append(f.store[route], rec)
	return clone(rec)
}

func (f *fakeHalo) remove(w http.ResponseWriter, route, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, rec := range f.store[route] {
		if fmt.Sprint(rec["id"]) == id {
			f.store[route] = append(f.store[route][:i], f.store[route][i+1:]...)
			writeJSON(w, 200, rec)
			return
		}
	}
	writeJSON(w, 404, map[string]any{"Message": "not found"})
}

// count returns how many records route holds.
func (f *fakeHalo) count(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.store[route])
}

// seed adds n records built by mk to route, bypassing the API.
func (f *fakeHalo) seed(route string, n int, mk func(i int) map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range n {
		f.nextID++
		rec := mk(i)
		rec["id"] = f.nextID
		f.store[route] = append(f.store[route], rec)
	}
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fakeClock is a Clock whose After advances time at once: nothing ever really waits, and the
// time a caller "waited" is visible as the clock's advance.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// advance moves the clock forward by d.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// set moves the clock to t.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
