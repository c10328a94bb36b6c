package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

const (
	testUser     = "halo"
	testPassword = "correct-horse-battery-staple-0123456789"
)

// recorder is a Dispatcher that keeps the events it is given and fails as told.
type recorder struct {
	mu     sync.Mutex
	events []Event
	// fail returns the error for the n-th call (counting from 0); nil means success.
	fail func(n int) error
}

func (rc *recorder) Dispatch(_ context.Context, e Event) error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := len(rc.events)
	rc.events = append(rc.events, e)
	if rc.fail != nil {
		return rc.fail(n)
	}
	return nil
}

// objects returns the object ids of the dispatched events, in call order.
func (rc *recorder) objects() []int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := []int{}
	for _, e := range rc.events {
		out = append(out, e.ObjectID)
	}
	return out
}

// failOnce fails the first call with err.
func failOnce(err error) func(int) error {
	return func(n int) error {
		if n == 0 {
			return err
		}
		return nil
	}
}

// body returns a delivery for object id with delivery id "d<id>".
func body(id int) string {
	return fmt.Sprintf(`{"id":"d%d","webhook_id":"w","event":"ticket status changed","object_id":%d,`+
		`"timestamp":"2026-10-01T10:00:00Z","ticket":{"id":%d,"status_id":2,"summary":"Jane Doe"}}`, id, id, id)
}

// request is one delivery to send in a test.
type request struct {
	method, contentType, body string
	auth                      string // Authorization header; "" sends the right Basic credentials, "-" none
}

// send serves req through h and returns the response.
func send(h http.Handler, req request) *http.Response {
	method := req.method
	if method == "" {
		method = http.MethodPost
	}
	r := httptest.NewRequest(method, "/halo", strings.NewReader(req.body))
	if req.contentType != "" {
		r.Header.Set("Content-Type", req.contentType)
	}
	switch req.auth {
	case "":
		r.SetBasicAuth(testUser, testPassword)
	case "-":
	default:
		r.Header.Set("Authorization", req.auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

// basic builds a Basic Authorization header.
func basic(user, pass string) string {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

func TestHandler(t *testing.T) {
	t.Parallel()
	big := `{"event":"x","pad":"` + strings.Repeat("a", DefaultMaxBodyBytes) + `"}`
	tests := []struct {
		name       string
		cfg        Config
		fail       func(int) error
		reqs       []request
		wantStatus []int
		wantSent   []int  // object ids dispatched, in order (failed attempts included)
		wantBody   string // substring of the last answer
		wantHeader [2]string
	}{
		{name: "valid delivery", reqs: []request{{contentType: "application/json", body: body(1)}},
			wantStatus: []int{200}, wantSent: []int{1}, wantBody: `{"dispatched":1,"duplicates":0,"failed":0}`},
		{name: "content type with charset", reqs: []request{{contentType: "application/json; charset=utf-8", body: body(1)}},
			wantStatus: []int{200}, wantSent: []int{1}},
		{name: "text/plain content type", reqs: []request{{contentType: "text/plain", body: body(1)}},
			wantStatus: []int{200}, wantSent: []int{1}},
		{name: "no content type, BOM", reqs: []request{{body: "\xef\xbb\xbf" + body(1)}},
			wantStatus: []int{200}, wantSent: []int{1}},
		{name: "batch", reqs: []request{{body: "[" + body(1) + "," + body(2) + "]"}},
			wantStatus: []int{200}, wantSent: []int{1, 2}, wantBody: `"dispatched":2`},
		{name: "batch repeating an event", reqs: []request{{body: "[" + body(1) + "," + body(1) + "]"}},
			wantStatus: []int{200}, wantSent: []int{1}, wantBody: `"duplicates":1`},
		{name: "duplicate", reqs: []request{{body: body(1)}, {body: body(1)}},
			wantStatus: []int{200, 200}, wantSent: []int{1}, wantBody: `{"dispatched":0,"duplicates":1,"failed":0}`},
		{name: "GET", reqs: []request{{method: http.MethodGet}},
			wantStatus: []int{405}, wantSent: []int{}, wantHeader: [2]string{"Allow", "POST"}},
		{name: "PUT", reqs: []request{{method: http.MethodPut, body: body(1)}},
			wantStatus: []int{405}, wantSent: []int{}},
		{name: "no credentials", reqs: []request{{auth: "-", body: body(1)}},
			wantStatus: []int{401}, wantSent: []int{}, wantHeader: [2]string{"WWW-Authenticate", `Basic realm="haloleads", charset="UTF-8"`}},
		{name: "bearer scheme", reqs: []request{{auth: "Bearer " + testPassword, body: body(1)}},
			wantStatus: []int{401}, wantSent: []int{}},
		{name: "wrong user", reqs: []request{{auth: basic("admin", testPassword), body: body(1)}},
			wantStatus: []int{401}, wantSent: []int{}},
		{name: "wrong password", reqs: []request{{auth: basic(testUser, "wrong"), body: body(1)}},
			wantStatus: []int{401}, wantSent: []int{}},
		{name: "password prefix", reqs: []request{{auth: basic(testUser, testPassword[:10]), body: body(1)}},
			wantStatus: []int{401}, wantSent: []int{}},
		{name: "over-long password", reqs: []request{{auth: basic(testUser, testPassword+strings.Repeat("x", 4096)), body: body(1)}},
			wantStatus: []int{401}, wantSent: []int{}},
		{name: "non-UTF-8 credentials", reqs: []request{{auth: basic("\xff\xfe", "\xc3\x28"), body: body(1)}},
			wantStatus: []int{401}, wantSent: []int{}},
		{name: "malformed base64", reqs: []request{{auth: "Basic %%%", body: body(1)}},
			wantStatus: []int{401}, wantSent: []int{}},
		{name: "unset password fails closed", cfg: Config{User: "", Password: ""},
			reqs: []request{{auth: basic("", ""), body: body(1)}}, wantStatus: []int{401}, wantSent: []int{}},
		{name: "body too large", reqs: []request{{body: big}},
			wantStatus: []int{413}, wantSent: []int{}, wantBody: "exceeds 1048576 bytes"},
		{name: "small limit", cfg: Config{User: testUser, Password: testPassword, MaxBodyBytes: 64},
			reqs: []request{{body: body(1)}}, wantStatus: []int{413}, wantSent: []int{}},
		{name: "malformed JSON", reqs: []request{{body: `{"event":`}},
			wantStatus: []int{400}, wantSent: []int{}, wantBody: "malformed webhook payload: invalid JSON at byte"},
		{name: "wrong shape", reqs: []request{{body: `{"ticket":"Jane Doe"}`}},
			wantStatus: []int{400}, wantSent: []int{}, wantBody: "field ticket is a JSON string, want an object"},
		{name: "empty body", reqs: []request{{body: ""}},
			wantStatus: []int{400}, wantSent: []int{}, wantBody: "the body is empty"},
		{name: "retryable failure then re-send", fail: failOnce(Retryable(errors.New("temporal unavailable"))),
			reqs: []request{{body: body(1)}, {body: body(1)}}, wantStatus: []int{503, 200}, wantSent: []int{1, 1}},
		{name: "deadline exceeded is retryable", fail: failOnce(fmt.Errorf("signalling: %w", context.DeadlineExceeded)),
			reqs: []request{{body: body(1)}, {body: body(1)}}, wantStatus: []int{503, 200}, wantSent: []int{1, 1}},
		{name: "cancelled is retryable", fail: failOnce(context.Canceled),
			reqs: []request{{body: body(1)}, {body: body(1)}}, wantStatus: []int{503, 200}, wantSent: []int{1, 1}},
		{name: "permanent failure is acknowledged once", fail: failOnce(errors.New("no such lead")),
			reqs: []request{{body: body(1)}, {body: body(1)}}, wantStatus: []int{200, 200}, wantSent: []int{1}, wantBody: `"duplicates":1`},
		{name: "batch re-sent after a retryable failure", fail: func(n int) error {
			if n == 1 {
				return Retryable(errors.New("unavailable"))
			}
			return nil
		}, reqs: []request{{body: "[" + body(1) + "," + body(2) + "," + body(3) + "]"}, {body: "[" + body(1) + "," + body(2) + "," + body(3) + "]"}},
			wantStatus: []int{503, 200}, wantSent: []int{1, 2, 2, 3}, wantBody: `{"dispatched":2,"duplicates":1,"failed":0}`},
		{name: "eviction forgets the oldest id", cfg: Config{User: testUser, Password: testPassword, RecentEvents: 2},
			reqs:       []request{{body: body(1)}, {body: body(2)}, {body: body(3)}, {body: body(3)}, {body: body(1)}},
			wantStatus: []int{200, 200, 200, 200, 200}, wantSent: []int{1, 2, 3, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			if cfg == (Config{}) && !strings.Contains(tc.name, "unset") {
				cfg = Config{User: testUser, Password: testPassword}
			}
			rc := &recorder{fail: tc.fail}
			h := NewHandler(cfg, rc, zap.NewNop())
			var resp *http.Response
			for i, req := range tc.reqs {
				resp = send(h, req)
				if resp.StatusCode != tc.wantStatus[i] {
					b, _ := io.ReadAll(resp.Body)
					t.Fatalf("request %d: status %d (%s), want %d", i, resp.StatusCode, b, tc.wantStatus[i])
				}
			}
			b, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(b), tc.wantBody) {
				t.Errorf("answer %q, want it to contain %q", b, tc.wantBody)
			}
			if k, v := tc.wantHeader[0], tc.wantHeader[1]; k != "" && resp.Header.Get(k) != v {
				t.Errorf("header %s = %q, want %q", k, resp.Header.Get(k), v)
			}
			if got := rc.objects(); fmt.Sprint(got) != fmt.Sprint(tc.wantSent) {
				t.Errorf("dispatched objects %v, want %v", got, tc.wantSent)
			}
		})
	}
}

// TestReplayStorm sends one event 100 times, half in sequence and half at once, and expects
// exactly one dispatch (reliability T1.2).
func TestReplayStorm(t *testing.T) {
	t.Parallel()
	rc := &recorder{}
	srv := httptest.NewServer(NewHandler(Config{User: testUser, Password: testPassword}, rc, nil))
	t.Cleanup(srv.Close)
	post := func() (int, error) {
		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body(42)))
		if err != nil {
			return 0, err
		}
		req.SetBasicAuth(testUser, testPassword)
		resp, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}
	for range 50 {
		if code, err := post(); err != nil || code != http.StatusOK {
			t.Fatalf("sequential post: %d, %v", code, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			if code, err := post(); err != nil || code != http.StatusOK {
				errs <- fmt.Errorf("concurrent post: %d, %v", code, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := rc.objects(); len(got) != 1 {
		t.Errorf("dispatched %d times, want 1", len(got))
	}
}

// TestLogsHoldNoSecrets drives every log path at debug level and checks that no credential,
// summary or custom-field value reaches the logs (reliability T6.1).
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zapcore.DebugLevel)
	fails := []error{errors.New("lead not found"), Retryable(errors.New("unavailable"))}
	rc := &recorder{fail: func(n int) error {
		if n < len(fails) {
			return fails[n]
		}
		return nil
	}}
	h := NewHandler(Config{User: testUser, Password: testPassword}, rc, zap.New(core))
	canary := `{"id":"d%d","event":"ticket updated","object_id":%d,"ticket":{"summary":"Jane Canary <jane.canary@example.com>",` +
		`"customfields":[{"id":1,"value":"+44 20 7946 0000"}]}}`
	reqs := []request{
		{body: fmt.Sprintf(canary, 1, 1)}, // permanent failure
		{body: fmt.Sprintf(canary, 2, 2)}, // retryable failure
		{body: fmt.Sprintf(canary, 2, 2)}, // dispatched
		{body: fmt.Sprintf(canary, 2, 2)}, // duplicate
		{auth: basic(testUser, "guess-"+testPassword), body: fmt.Sprintf(canary, 3, 3)},
		{body: `{"ticket":"Jane Canary"}`},
		{body: `{"x":"` + strings.Repeat("Jane Canary ", 1<<17) + `"}`},
	}
	for _, req := range reqs {
		send(h, req)
	}
	if logs.Len() < len(reqs) {
		t.Fatalf("%d log lines, want at least %d", logs.Len(), len(reqs))
	}
	for _, entry := range logs.All() {
		line, err := json.Marshal(map[string]any{"msg": entry.Message, "fields": entry.ContextMap()})
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{testPassword, "Canary", "canary", "7946", basic(testUser, testPassword)} {
			if strings.Contains(string(line), secret) {
				t.Errorf("log line %s holds %q", line, secret)
			}
		}
	}
}

// TestDispatchContext checks that the dispatcher gets the request's context.
func TestDispatchContext(t *testing.T) {
	t.Parallel()
	type key struct{}
	var got any
	d := DispatcherFunc(func(ctx context.Context, _ Event) error {
		got = ctx.Value(key{})
		return nil
	})
	h := NewHandler(Config{User: testUser, Password: testPassword}, d, nil)
	r := httptest.NewRequestWithContext(context.WithValue(context.Background(), key{}, "v"), http.MethodPost, "/", strings.NewReader(body(1)))
	r.SetBasicAuth(testUser, testPassword)
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != "v" {
		t.Errorf("dispatcher context value %v, want the request's", got)
	}
}

func TestRecentIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		max  int
		ops  string // a<id>: add, r<id>: remove
		want string // result of each add: n new, d duplicate
		size int
	}{
		{"new then duplicate", 3, "a1 a1", "nd", 1},
		{"evicts the least recently seen", 2, "a1 a2 a3 a1", "nnnn", 2},
		{"a repeat refreshes", 2, "a1 a2 a1 a3 a1", "nndnd", 2},
		{"removed id is new again", 2, "a1 r1 a1", "nn", 1},
		{"remove unknown", 2, "r9 a1", "n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRecentIDs(tc.max)
			var got strings.Builder
			for op := range strings.FieldsSeq(tc.ops) {
				switch op[0] {
				case 'a':
					if r.add(op[1:]) {
						got.WriteByte('n')
					} else {
						got.WriteByte('d')
					}
				case 'r':
					r.remove(op[1:])
				}
			}
			if got.String() != tc.want || r.len() != tc.size {
				t.Errorf("results %q, size %d; want %q, %d", got.String(), r.len(), tc.want, tc.size)
			}
		})
	}
}

func BenchmarkHandler(b *testing.B) {
	payload, err := os.ReadFile(filepath.Join("testdata", "payloads", "new_ticket_full.json"))
	if err != nil {
		b.Fatal(err)
	}
	h := NewHandler(Config{User: testUser, Password: testPassword}, DispatcherFunc(func(context.Context, Event) error { return nil }), nil)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		// A fresh delivery id each time, so that every request is dispatched.
		unique := strings.Replace(string(payload), "7d1e2f3a", fmt.Sprintf("%08x", i), 1)
		if resp := send(h, request{body: unique}); resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
