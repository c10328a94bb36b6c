package halosandbox

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRateLimitRollingWindow(t *testing.T) {
	t.Parallel()
	h := start(t, Options{RateLimit: 3, RateWindow: time.Minute, RetryAfter: true}) // the token call is request 1
	h.clock.Advance(10 * time.Second)
	h.must(200, "GET", "/api/Tickets", nil) // t=10s
	h.clock.Advance(10 * time.Second)
	h.must(200, "GET", "/api/Tickets", nil) // t=20s
	h.clock.Advance(10 * time.Second)
	resp, body := h.do("GET", "/api/Tickets", nil) // t=30s: 3 in the window
	if resp.StatusCode != 429 || !strings.Contains(string(body), `"error":"Rate Limit Reached - 3 Requests per rolling 1 minute window"`) {
		t.Fatalf("over the limit: %d %s", resp.StatusCode, body)
	}
	if ra := resp.Header.Get("Retry-After"); ra != "30" {
		t.Errorf("Retry-After %q, want 30 (the token call at t=0 leaves at t=60s)", ra)
	}
	h.clock.Advance(30 * time.Second) // t=60s: the t=0 request has left the window
	h.must(200, "GET", "/api/Tickets", nil)
	if resp, _ := h.do("GET", "/api/Tickets", nil); resp.StatusCode != 429 {
		t.Errorf("rejected requests must not free slots: %d", resp.StatusCode)
	}
	if st := h.sb.Stats(); st.Responses429 != 2 {
		t.Errorf("Responses429 %d, want 2", st.Responses429)
	}
	// The token endpoint is limited too.
	resp, _ = h.form("/auth/token", nil)
	if resp.StatusCode != 429 {
		t.Errorf("token call over the limit: %d", resp.StatusCode)
	}
	h.sb.SetRateLimit(-1, time.Minute)
	h.must(200, "GET", "/api/Tickets", nil)
}

func TestRateLimitDefaultsAndRetryAfterOff(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.sb.SetRateLimit(1, 5*time.Minute)
	resp, body := h.do("GET", "/api/Tickets", nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, body)
	}
	h.sb.SetRateLimit(300, 5*time.Minute)
	h.sb.Force429(time.Second)
	_, body = h.do("GET", "/api/Tickets", nil)
	if !strings.Contains(string(body), "300 Requests per rolling 5 minute window") {
		t.Errorf("default message %s", body)
	}
}

func TestWindowText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{{5 * time.Minute, "5 minute"}, {time.Minute, "1 minute"}, {90 * time.Second, "90 second"}, {1500 * time.Millisecond, "2 second"}}
	for _, tc := range tests {
		if got := windowText(tc.d); got != tc.want {
			t.Errorf("windowText(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestForce429(t *testing.T) {
	t.Parallel()
	h := start(t, Options{RetryAfter: true})
	h.sb.Force429(90 * time.Second)
	resp, _ := h.do("GET", "/api/Users", nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "90" {
		t.Fatalf("forced: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	h.clock.Advance(90 * time.Second)
	h.must(200, "GET", "/api/Users", nil)
}

func TestFailNth(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.sb.FailNth(2, http.StatusServiceUnavailable)
	want := []int{200, 503, 200, 200}
	for i, w := range want {
		if resp, _ := h.do("GET", "/api/Client", nil); resp.StatusCode != w {
			t.Errorf("request %d: %d, want %d", i+1, resp.StatusCode, w)
		}
	}
	h.sb.FailEveryNth(2, http.StatusBadGateway)
	want = []int{200, 502, 200, 502}
	for i, w := range want {
		if resp, _ := h.do("GET", "/api/Client", nil); resp.StatusCode != w {
			t.Errorf("every 2nd, request %d: %d, want %d", i+1, resp.StatusCode, w)
		}
	}
	h.sb.ClearFaults()
	h.must(200, "GET", "/api/Client", nil)
	h.must(200, "GET", "/api/Client", nil)
}

func TestDropAfterWrite(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.sb.DropAfterWrite(1)
	h.must(200, "GET", "/api/Client", nil) // reads are not dropped
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/Client", strings.NewReader(`[{"name":"Acme"}]`))
	req.Header.Set("Authorization", "Bearer "+h.tok)
	if resp, err := h.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped write answered %d", resp.StatusCode)
	}
	if c := h.sb.Customers(); len(c) != 1 || c[0].String("name") != "Acme" {
		t.Fatalf("the dropped write must still be applied: %v", c)
	}
	h.create("/api/Client", map[string]any{"name": "Next"}) // only one write was armed
	log := h.sb.RequestLog()
	var dropped int
	for _, e := range log {
		if e.Status == 0 && e.Method == "POST" {
			dropped++
		}
	}
	if dropped != 1 {
		t.Errorf("request log %+v: %d dropped entries, want 1", log, dropped)
	}
}

func TestLatencyHonoursClientCancel(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.sb.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", h.srv.URL+"/api/Client", nil)
	req.Header.Set("Authorization", "Bearer "+h.tok)
	_, err := h.srv.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the client's deadline while the sandbox is slow", err)
	}
	h.sb.SetLatency(0)
	h.must(200, "GET", "/api/Client", nil)
}

func TestStatsAndRequestLog(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.sb.ResetStats()
	h.create("/api/Client", map[string]any{"name": "A"})
	h.must(200, "GET", "/api/client/1", nil)
	h.must(200, "GET", "/api/Client?search=a", nil)
	h.do("PUT", "/api/Client/1", nil)
	h.do("GET", "/api/Nope", nil)
	st := h.sb.Stats()
	if st.Requests != 5 || st.Writes != 1 || st.ByRoute["GET /api/Client/{id}"] != 1 ||
		st.ByRoute["POST /api/Client"] != 1 || st.ByRoute["PUT /api/Client/{id}"] != 1 {
		t.Errorf("stats %+v", st)
	}
	log := h.sb.RequestLog()
	want := LoggedRequest{Method: "GET", Path: "/api/Client", Query: "search=a", Route: "GET /api/Client", Status: 200}
	if len(log) != 5 || log[2].At.IsZero() || log[2].At.Before(log[1].At) {
		t.Fatalf("log %+v: want five requests with their arrival times in order", log)
	}
	got := log[2]
	got.At = time.Time{}
	if got != want || log[4].Status != 404 || log[4].Route != "" {
		t.Errorf("log %+v", log)
	}
}
