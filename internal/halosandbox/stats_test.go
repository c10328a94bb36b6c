package halosandbox

import (
	"encoding/json"
	"io"
	"net/http"
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
