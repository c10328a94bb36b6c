package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"haloleads/internal/bench"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
)

// exchange is one request the sandbox answered: when it arrived and with what status.
type exchange struct {
	at     time.Time
	route  string
	status int
}

// traffic sits in front of the sandbox: it logs every exchange and, on the first request that
// trigger matches, makes the sandbox answer 429 to everything for forFor.
type traffic struct {
	sb      *halosandbox.Server
	trigger func(*http.Request) bool
	forFor  time.Duration

	mu          sync.Mutex
	log         []exchange
	forcedUntil time.Time
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (tr *traffic) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	tr.mu.Lock()
	if tr.forcedUntil.IsZero() && tr.trigger(r) {
		tr.sb.Force429(tr.forFor)
		tr.forcedUntil = time.Now().Add(tr.forFor)
	}
	tr.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	tr.sb.ServeHTTP(sw, r)
	tr.mu.Lock()
	tr.log = append(tr.log, exchange{at: at, route: r.Method + " " + r.URL.Path, status: sw.status})
	tr.mu.Unlock()
}

func (tr *traffic) snapshot() ([]exchange, time.Time) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	log := slices.Clone(tr.log)
	slices.SortFunc(log, func(a, b exchange) int { return a.at.Compare(b.at) })
	return log, tr.forcedUntil
}

// newLimitedEnv is newEnv with HaloPSA's rate-limit shape time-scaled: the sandbox and the
// client share a budget of limit requests per window, and the client's pause after a 429 is
// scaled the same way; every request goes through tr.
func newLimitedEnv(t *testing.T, limit int, window time.Duration, tr *traffic) *env {
	t.Helper()
	_, tc := startTemporal(t)
	sb, err := halosandbox.New(halosandbox.Options{RateLimit: limit, RateWindow: window})
	if err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	tr.sb = sb
	hs := httptest.NewServer(tr)
	t.Cleanup(hs.Close)
	// The client keeps the sandbox's window: its limiter counts each request from its start
	// until a window after its answer, so no delay between reserving budget and arriving at
	// the sandbox (four batches sending at once on a loaded machine) needs a margin.
	halo, err := halopsa.New(halopsa.Config{
		BaseURL: hs.URL, ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret,
		RateLimit: limit, RateWindow: window, RateLimitPause: bench.ScaledPause(window),
	})
	if err != nil {
		t.Fatalf("halopsa client: %v", err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "haloleads.db"))
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	w, err := pipeline.StartWorkers(pipeline.Deps{
		Temporal: tc, Halo: halo, Store: st, Spec: tenant.DefaultSpec(), RateLimit: limit, RateWindow: window,
	})
	if err != nil {
		t.Fatalf("workers: %v", err)
	}
	t.Cleanup(w.Stop)
	return &env{temporal: tc, sandbox: sb, halo: halo, store: st, workers: w}
}

// TestImportThroughRateLimit lands an import while HaloPSA answers 429 to everything for a
// (time-scaled) minute, starting at the first user write: every lead lands once and the client
// never goes beyond the budget, whether batches land one after another or four at once. With
// one batch at a time requests are sequential, so the test also checks that the client held
// off for its pause after each 429; with four, a request already on the wire when another was
// answered 429 arrives inside the pause, so that check would judge the network, not the client.
func TestImportThroughRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	for _, window := range []int{1, leadflow.DefaultImportWindow} {
		t.Run(fmt.Sprintf("window=%d", window), func(t *testing.T) {
			const limit, span = 10, time.Second // HaloPSA's 300 per 5 minutes: budget binding, time-scaled
			minute := time.Duration(float64(time.Minute) * float64(span) / float64(halopsa.DefaultRateWindow))
			tr := &traffic{forFor: minute, trigger: func(r *http.Request) bool {
				return r.Method == http.MethodPost && r.URL.Path == "/api/Users"
			}}
			e := newLimitedEnv(t, limit, span, tr)
			in, err := bench.Generate(t.TempDir(), 150, 3)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			sum, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: "limited", Files: in.Files, Window: window}, true)
			if err != nil || len(sum.Errors) > 0 {
				t.Fatalf("import: %v %v", err, sum.Errors)
			}
			t.Logf("import: %d leads, %d created, %d requests", sum.Leads, sum.LeadsCreated, sum.HaloRequests)
			if sum.LeadsCreated != sum.Leads || sum.Leads == 0 {
				t.Errorf("created %d of %d leads", sum.LeadsCreated, sum.Leads)
			}
			checkLandedOnce(t, e.sandbox, sum.LeadsCreated)
			log, forcedUntil := tr.snapshot()
			if forcedUntil.IsZero() {
				t.Fatal("the import wrote no user: the forced 429 never started")
			}
			if window == 1 {
				checkPausedAfter429(t, log, bench.ScaledPause(span))
			} else if !slices.ContainsFunc(log, func(x exchange) bool { return x.status == http.StatusTooManyRequests }) {
				t.Error("no request was answered 429")
			}
			checkWithinBudget(t, log, forcedUntil)
		})
	}
}

// checkLandedOnce checks the sandbox holds one user and one lead ticket per lead.
func checkLandedOnce(t *testing.T, sb *halosandbox.Server, leads int) {
	t.Helper()
	users := sb.Users()
	emails := map[string]bool{}
	for _, u := range users {
		em := u.String("emailaddress")
		if em != "" && emails[em] {
			t.Errorf("duplicate user %d", u.ID())
		}
		emails[em] = true
	}
	if len(users) != leads {
		t.Errorf("sandbox holds %d users, want %d", len(users), leads)
	}
	ticketsOf := map[int]int{}
	for _, tk := range sb.Tickets() {
		if uid := tk.Int("user_id"); uid != 0 {
			ticketsOf[uid]++
		}
	}
	for uid, n := range ticketsOf {
		if n != 1 {
			t.Errorf("user %d has %d lead tickets, want 1", uid, n)
		}
	}
	if len(ticketsOf) != leads {
		t.Errorf("%d users have a lead ticket, want %d", len(ticketsOf), leads)
	}
}

// checkPausedAfter429 checks that after every 429 no request reached HaloPSA before the
// client's pause was over (requests are sequential during an import).
func checkPausedAfter429(t *testing.T, log []exchange, pause time.Duration) {
	t.Helper()
	seen := 0
	for i, x := range log {
		if x.status != http.StatusTooManyRequests {
			continue
		}
		seen++
		if i+1 < len(log) && log[i+1].at.Sub(x.at) < pause {
			t.Errorf("request %d (%s) came %s after a 429, before the %s pause was over",
				i+1, log[i+1].route, log[i+1].at.Sub(x.at), pause)
		}
	}
	if seen == 0 {
		t.Error("no request was answered 429")
	}
}

// checkWithinBudget checks every 429 was one of the forced ones: the sandbox enforces the same
// budget as the client, so a request beyond it would have been answered 429 afterwards.
func checkWithinBudget(t *testing.T, log []exchange, forcedUntil time.Time) {
	t.Helper()
	for i, x := range log {
		if x.status == http.StatusTooManyRequests && x.at.After(forcedUntil) {
			t.Errorf("request %d (%s) went beyond the budget: answered 429 after the forced period", i, x.route)
		}
	}
}
