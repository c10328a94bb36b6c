package halosandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 9, 25, 6, 41, 8, 789591500, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a sandbox under httptest with a raw-HTTP client holding a token.
type harness struct {
	t     testing.TB
	sb    *Server
	srv   *httptest.Server
	clock *fakeClock
	tok   string
}

// start runs a sandbox with opts (a fake clock unless opts.Now is set) and fetches a token.
func start(t testing.TB, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, clock: newClock()}
	if opts.Now == nil {
		opts.Now = h.clock.Now
	}
	sb, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.sb = sb
	h.srv = httptest.NewServer(sb)
	t.Cleanup(h.srv.Close)
	h.tok = h.token()
	return h
}

// token gets a fresh access token with the default credentials.
func (h *harness) token() string {
	h.t.Helper()
	resp, body := h.form("/auth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {h.sb.opts.ClientID}, "client_secret": {h.sb.opts.ClientSecret}, "scope": {"all"}})
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tr); err != nil {
		h.t.Fatalf("token body %s: %v", body, err)
	}
	return tr.AccessToken
}

// form posts a form to path.
func (h *harness) form(path string, v url.Values) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(v.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.send(req)
}

// do sends a request with the harness token; body is JSON-encoded unless it is a string.
func (h *harness) do(method, path string, body any) (*http.Response, []byte) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.tok)
	req.Header.Set("Content-Type", "application/json")
	return h.send(req)
}

// send performs req and reads the whole body.
func (h *harness) send(req *http.Request) (*http.Response, []byte) {
	h.t.Helper()
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("reading %s %s: %v", req.Method, req.URL.Path, err)
	}
	return resp, body
}

// must sends a request and fails the test unless the status is want; it decodes the body into
// a generic value.
func (h *harness) must(want int, method, path string, body any) any {
	h.t.Helper()
	resp, data := h.do(method, path, body)
	if resp.StatusCode != want {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if len(data) == 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return string(data)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		h.t.Fatalf("%s %s: decoding %s: %v", method, path, data, err)
	}
	return v
}

// create posts one object and returns the created record.
func (h *harness) create(path string, obj map[string]any) Record {
	h.t.Helper()
	v := h.must(http.StatusCreated, http.MethodPost, path, []any{obj})
	return Record(v.(map[string]any))
}

// seedLead creates a client, a site and a user, and returns their ids.
func (h *harness) seedLead() (client, site, user int) {
	h.t.Helper()
	client = h.create("/api/Client", map[string]any{"name": "Acme Ltd"}).ID()
	site = h.create("/api/Site", map[string]any{"name": "Main", "client_id": client}).ID()
	user = h.create("/api/Users", map[string]any{"firstname": "Jane", "surname": "Doe",
		"emailaddress": "jane@acme.example", "site_id": site}).ID()
	return client, site, user
}
