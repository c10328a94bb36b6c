package halosandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// StatsPath serves the sandbox's report of what it saw (GET, JSON: see Report), so that anyone
// can check a run stayed inside the budget. ?window=30s computes the rolling-window figure for
// another window than the sandbox's rate window.
const StatsPath = "/sandbox/stats"

// maxArrivals caps the arrival times kept for the rolling-window figure; the older half is
// dropped when it fills.
const maxArrivals = 1 << 20

// Report is what the sandbox saw since it started (or since ResetStats).
type Report struct {
	// Requests counts every request to /api and /auth, whatever its answer.
	Requests int `json:"requests"`
	// ByRoute counts requests per served route ("POST /api/Tickets"); ByMethod per HTTP verb.
	ByRoute  map[string]int `json:"by_route"`
	ByMethod map[string]int `json:"by_method"`
	// ByStatus counts answers per status code ("200", "429"; "0" for a dropped connection).
	ByStatus     map[string]int `json:"by_status"`
	Responses429 int            `json:"responses_429"`
	// Window is the rolling window the next figures use (the sandbox's rate window unless the
	// request asked for another); Limit the sandbox's rate limit (-1: none).
	Window string `json:"window"`
	Limit  int    `json:"limit"`
	// MaxInWindow is the largest number of requests that arrived inside any interval of length
	// Window, and MaxWindowStart where that interval began.
	MaxInWindow    int       `json:"max_in_window"`
	MaxWindowStart time.Time `json:"max_window_start,omitzero"`
	// NotAPI counts the requests to neither /api nor /auth (a probe, a stray client on a
	// reused port), answered 404 and kept out of every figure above; NotAPIByRequest counts
	// them by method, protocol and path ("PRI HTTP/2.0 *"), for the first 100 kinds.
	NotAPI          int            `json:"not_api"`
	NotAPIByRequest map[string]int `json:"not_api_by_request,omitempty"`
}

// seen is what stats.go records about every counted request.
type seen struct {
	mu       sync.Mutex
	byMethod map[string]int
	byStatus map[string]int
	arrivals []time.Time // ascending
	notAPI   int
	byNotAPI map[string]int
}

// maxNotAPIKinds caps the kinds of non-API requests told apart in the report.
const maxNotAPIKinds = 100

// observeNotAPI records a request to neither /api nor /auth (called by record).
func (s *Server) observeNotAPI(r *http.Request) {
	s.seen.mu.Lock()
	defer s.seen.mu.Unlock()
	s.seen.notAPI++
	if s.seen.byNotAPI == nil {
		s.seen.byNotAPI = map[string]int{}
	}
	key := r.Method + " " + r.Proto + " " + r.URL.Path
	if _, ok := s.seen.byNotAPI[key]; ok || len(s.seen.byNotAPI) < maxNotAPIKinds {
		s.seen.byNotAPI[key]++
	}
}

// observe records one counted request (called by record).
func (s *Server) observe(method string, status int, at time.Time) {
	s.seen.mu.Lock()
	defer s.seen.mu.Unlock()
	if s.seen.byMethod == nil {
		s.seen.byMethod, s.seen.byStatus = map[string]int{}, map[string]int{}
	}
	s.seen.byMethod[method]++
	s.seen.byStatus[strconv.Itoa(status)]++
	if len(s.seen.arrivals) >= maxArrivals {
		s.seen.arrivals = append(s.seen.arrivals[:0], s.seen.arrivals[maxArrivals/2:]...)
	}
	// Requests handled at once may be recorded out of their arrival order: insert in order.
	i := len(s.seen.arrivals)
	for i > 0 && s.seen.arrivals[i-1].After(at) {
		i--
	}
	s.seen.arrivals = slices.Insert(s.seen.arrivals, i, at)
}

// Report returns what the sandbox saw, with the rolling-window figure for window (0: the
// sandbox's rate window).
func (s *Server) Report(window time.Duration) Report {
	if window <= 0 {
		window = s.opts.RateWindow
	}
	st := s.Stats()
	s.seen.mu.Lock()
	defer s.seen.mu.Unlock()
	rep := Report{ByRoute: st.ByRoute, ByMethod: cloneCounts(s.seen.byMethod), ByStatus: cloneCounts(s.seen.byStatus),
		Responses429: st.Responses429, Window: window.String(), Limit: s.opts.RateLimit}
	for _, n := range rep.ByMethod {
		rep.Requests += n
	}
	rep.MaxInWindow, rep.MaxWindowStart = maxInWindow(s.seen.arrivals, window)
	rep.NotAPI = s.seen.notAPI
	if len(s.seen.byNotAPI) > 0 {
		rep.NotAPIByRequest = cloneCounts(s.seen.byNotAPI)
	}
	return rep
}

func (s *Server) resetSeen() {
	s.seen.mu.Lock()
	defer s.seen.mu.Unlock()
	s.seen.byMethod, s.seen.byStatus, s.seen.arrivals = nil, nil, nil
	s.seen.notAPI, s.seen.byNotAPI = 0, nil
}

func cloneCounts(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// maxInWindow returns the largest number of times inside any half-open interval [t, t+w) of
// the ascending times ts, and the interval's start.
func maxInWindow(ts []time.Time, w time.Duration) (int, time.Time) {
	best, at, lo := 0, time.Time{}, 0
	for hi := range ts {
		for !ts[hi].Before(ts[lo].Add(w)) {
			lo++
		}
		if n := hi - lo + 1; n > best {
			best, at = n, ts[lo]
		}
	}
	return best, at
}

// serveStats answers GET /sandbox/stats.
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var window time.Duration
	if q := r.URL.Query().Get("window"); q != "" {
		d, err := time.ParseDuration(q)
		if err != nil || d <= 0 {
			http.Error(w, "window must be a positive duration such as 5m", http.StatusBadRequest)
			return
		}
		window = d
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(s.Report(window))
}
