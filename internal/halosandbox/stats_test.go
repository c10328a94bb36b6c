package halosandbox

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatsReportsRoutesStatusesAndTheBusiestWindow(t *testing.T) {
	t.Parallel()
	h := start(t, Options{RateLimit: 3, RateWindow: 10 * time.Second}) // the token request is the first
	h.clock.Advance(time.Second)
	h.do(http.MethodGet, "/api/Users", nil)
	h.do(http.MethodGet, "/api/Users", nil) // third request inside the window
	h.clock.Advance(time.Second)
	if resp, _ := h.do(http.MethodGet, "/api/Client", nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth request in the window: %d, want 429", resp.StatusCode)
	}
	h.clock.Advance(20 * time.Second)
	h.do(http.MethodGet, "/api/Client", nil)

	rep := h.stats("")
	want := Report{Requests: 5, Responses429: 1, Window: "10s", Limit: 3, MaxInWindow: 4}
	if rep.Requests != want.Requests || rep.Responses429 != 1 || rep.Window != want.Window || rep.Limit != 3 ||
		rep.MaxInWindow != want.MaxInWindow {
		t.Fatalf("report %+v, want %+v", rep, want)
	}
	if rep.ByStatus["429"] != 1 || rep.ByStatus["200"] != 4 || rep.ByMethod["GET"] != 4 || rep.ByMethod["POST"] != 1 ||
		rep.ByRoute["GET /api/Users"] != 2 || rep.ByRoute["POST /auth/token"] != 1 {
		t.Fatalf("counts: status %v, method %v, route %v", rep.ByStatus, rep.ByMethod, rep.ByRoute)
	}
	// Another window, asked for by the caller: the 4 s ones hold 4 requests too, 1 s ones 2.
	if got := h.stats("?window=1s").MaxInWindow; got != 2 {
		t.Fatalf("busiest 1 s window holds %d, want 2", got)
	}
	h.sb.ResetStats()
	if rep := h.stats(""); rep.Requests != 0 || rep.MaxInWindow != 0 {
		t.Fatalf("after reset: %+v", rep)
	}
}

// TestStatsKeepNonAPIRequestsOutOfTheWindow: requests to neither /api nor /auth (a health
// probe, an HTTP/2 preface from a gRPC client on a reused port) never use the rate window and
// are reported apart; a request the limiter turns away keeps the name of its route.
func TestStatsKeepNonAPIRequestsOutOfTheWindow(t *testing.T) {
	t.Parallel()
	h := start(t, Options{RateLimit: 2, RateWindow: 10 * time.Second}) // the token request is the first
	h.do(http.MethodGet, "/healthz", nil)
	h.do(http.MethodPost, "/", nil)
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	status, _ := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if !strings.Contains(status, "404") {
		t.Fatalf("HTTP/2 preface answered %q, want a 404", status)
	}
	if resp, _ := h.do(http.MethodGet, "/api/Tickets/7", nil); resp.StatusCode == http.StatusTooManyRequests {
		t.Fatal("the second API request in the window was refused: the other requests used the window")
	}
	if resp, _ := h.do(http.MethodGet, "/api/Tickets/8", nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the third API request in the window: %d, want 429", resp.StatusCode)
	}
	rep := h.stats("")
	if rep.Requests != 3 || rep.MaxInWindow != 3 || rep.NotAPI != 3 {
		t.Fatalf("report: %d requests, busiest window %d, %d not API; want 3, 3, 3", rep.Requests, rep.MaxInWindow, rep.NotAPI)
	}
	want := map[string]int{"GET HTTP/1.1 /healthz": 1, "POST HTTP/1.1 /": 1, "PRI HTTP/2.0 *": 1}
	for k, n := range want {
		if rep.NotAPIByRequest[k] != n {
			t.Fatalf("not API by request %v, want %v", rep.NotAPIByRequest, want)
		}
	}
	if rep.ByRoute["GET /api/Tickets/{id}"] != 2 {
		t.Fatalf("by route %v: the refused request is not named by its route", rep.ByRoute)
	}
	log := h.sb.RequestLog()
	if last := log[len(log)-1]; last.Status != http.StatusTooManyRequests || last.Route != "GET /api/Tickets/{id}" {
		t.Fatalf("the refused request is logged as %+v", last)
	}
}

func TestStatsRefusesBadQueries(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	for _, q := range []string{"?window=soon", "?window=-5s", "?window=0s"} {
		resp, err := http.Get(h.srv.URL + StatsPath + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, resp.StatusCode)
		}
	}
	resp, err := http.Post(h.srv.URL+StatsPath, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

func TestMaxInWindow(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(secs ...float64) []time.Time {
		var out []time.Time
		for _, s := range secs {
			out = append(out, t0.Add(time.Duration(s*float64(time.Second))))
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		ts    []time.Time
		want  int
		start float64
	}{
		{"none", nil, 0, -1},
		{"one", at(3), 1, 3},
		{"edge excluded", at(0, 10), 1, 0},
		{"edge included", at(0, 9.999), 2, 0},
		{"later burst", at(0, 11, 12, 13, 20.9), 4, 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, start := maxInWindow(tc.ts, 10*time.Second)
			if n != tc.want || (tc.start >= 0 && !start.Equal(at(tc.start)[0])) {
				t.Fatalf("max %d from %v, want %d from %v", n, start, tc.want, tc.start)
			}
		})
	}
}

func (h *harness) stats(query string) Report {
	h.t.Helper()
	resp, err := http.Get(h.srv.URL + StatsPath + query)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var rep Report
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &rep) != nil {
		h.t.Fatalf("stats: %d %s", resp.StatusCode, body)
	}
	return rep
}
