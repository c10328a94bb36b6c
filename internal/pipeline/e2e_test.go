package pipeline_test

import (
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/activities"
	"haloleads/internal/devserver"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/halosync"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
	"haloleads/internal/providers"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/internal/visibility"
	"haloleads/internal/webhook"
)

// env is one in-process haloleads: the embedded Temporal server, the HaloPSA sandbox over HTTP,
// our store, and the workers.
type env struct {
	temporal client.Client
	sandbox  *halosandbox.Server
	halo     *halopsa.Client
	store    *store.Store
	workers  *pipeline.Workers
	tenant   tenant.Result
	// hostPort and namespace locate the embedded Temporal server, for the CLI.
	hostPort, namespace string
	// webhook is the receiver registered in the sandbox (envOptions.Webhook), nil otherwise.
	webhook *tenant.Webhook
}

// envOptions vary the world newEnvWith builds.
type envOptions struct {
	// Webhook runs the webhook receiver with halosync on an httptest server and registers it
	// in the sandbox, so changes made in HaloPSA reach the lead workflows.
	Webhook bool
	// RateLimit is the HaloPSA budget per 5 minutes that paces the HaloPSA queue (default 300,
	// one activity a second); lifecycle tests raise it, as their few writes need no pacing.
	RateLimit int
	// Front, when set, serves the sandbox through the handler it returns, so a test can inject
	// a fault at a chosen request.
	Front func(*halosandbox.Server) http.Handler
	// Providers are the provider clients of the workers (pulls, opt-out actions).
	Providers map[lead.Source]providers.Provider
	// SeparateSites creates new clients' main sites with POSTs of their own
	// (HALO_NEW_CLIENT_SITE=separate).
	SeparateSites bool
}

func samples(t *testing.T, names ...string) []string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "samples")
	var out []string
	for _, n := range names {
		p := filepath.Join(root, n)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("sample %s: %v", n, err)
		}
		out = append(out, p)
	}
	return out
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, envOptions{})
}

func newEnvWith(t *testing.T, opts envOptions) *env {
	t.Helper()
	ctx := context.Background()
	srv, tc := startTemporal(t)
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	var front http.Handler = sb
	if opts.Front != nil {
		front = opts.Front(sb)
	}
	hs := httptest.NewServer(front)
	t.Cleanup(hs.Close)
	halo, err := halopsa.New(halopsa.Config{
		BaseURL: hs.URL, ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret,
	})
	if err != nil {
		t.Fatalf("halopsa client: %v", err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "haloleads.db"))
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	spec := tenant.DefaultSpec()
	if opts.Webhook {
		spec.Webhook = startReceiver(t, tc, st, halo)
	}
	hook := spec.Webhook
	res, err := tenant.Apply(ctx, halo, spec)
	if err != nil {
		t.Fatalf("tenant setup: %v", err)
	}
	w, err := pipeline.StartWorkers(pipeline.Deps{
		Temporal: tc, Halo: halo, Store: st, Spec: spec, RateLimit: cmp.Or(opts.RateLimit, 300), RateWindow: 5 * time.Minute,
		Providers: opts.Providers, SeparateSites: opts.SeparateSites,
	})
	if err != nil {
		t.Fatalf("workers: %v", err)
	}
	t.Cleanup(w.Stop)
	return &env{temporal: tc, sandbox: sb, halo: halo, store: st, workers: w, tenant: res,
		hostPort: srv.HostPort(), namespace: srv.Namespace(), webhook: hook}
}

// startReceiver serves the webhook receiver with the halosync dispatcher, as the worker does,
// and returns the webhook to register in HaloPSA.
func startReceiver(t *testing.T, tc client.Client, st *store.Store, halo *halopsa.Client) *tenant.Webhook {
	t.Helper()
	const user, password = "halo", "receiver-test-password"
	// The dispatcher's own tenant resolver reads the set-up on first use, as in the worker.
	d := &halosync.Dispatcher{Temporal: tc, Store: st, Logger: zap.NewNop(),
		Tenant: &activities.Tenant{Client: halo, Spec: tenant.DefaultSpec()}}
	hs := httptest.NewServer(webhook.NewHandler(webhook.Config{User: user, Password: password}, d, nil))
	t.Cleanup(hs.Close)
	return &tenant.Webhook{Name: "haloleads", URL: hs.URL, Username: user, Password: password,
		Events: tenant.DefaultWebhookEvents}
}

func (e *env) importFiles(t *testing.T, runID string, files ...string) leadflow.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: runID, Files: files}, true)
	if err != nil {
		t.Fatalf("import %s: %v", runID, err)
	}
	if len(sum.Errors) > 0 {
		t.Fatalf("import %s errors: %v", runID, sum.Errors)
	}
	return sum
}

func TestImportEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnv(t)
	files := samples(t, "apollo.csv", "zoominfo.csv")
	first := e.importFiles(t, "first", files...)
	t.Logf("first import: %+v", first)
	if first.LeadsCreated == 0 {
		t.Fatalf("no leads created")
	}
	if first.LeadsCreated >= first.Rows-first.RejectedCount {
		t.Errorf("leads created %d, want fewer than the %d accepted rows (people in both files are one lead)",
			first.LeadsCreated, first.Rows-first.RejectedCount)
	}
	users, tickets := e.sandbox.Users(), e.sandbox.Tickets()
	if len(users) != first.LeadsCreated {
		t.Errorf("sandbox holds %d users, want %d", len(users), first.LeadsCreated)
	}
	leadTickets := 0
	for _, tk := range tickets {
		if tk.String("summary") != "" && tk.Int("user_id") != 0 {
			leadTickets++
		}
	}
	if leadTickets != first.LeadsCreated {
		t.Errorf("sandbox holds %d lead tickets, want %d", leadTickets, first.LeadsCreated)
	}
	emails := map[string]bool{}
	for _, u := range users {
		em := u.String("emailaddress")
		if em != "" && emails[em] {
			t.Errorf("duplicate user %s", em)
		}
		emails[em] = true
	}

	writesBefore := e.halo.WriteRequests()
	second := e.importFiles(t, "second", files...)
	t.Logf("second import: %+v", second)
	if second.LeadsCreated != 0 || second.LeadsUpdated != 0 {
		t.Errorf("re-import created %d and updated %d leads, want 0 and 0", second.LeadsCreated, second.LeadsUpdated)
	}
	if w := e.halo.WriteRequests() - writesBefore; w != 0 {
		t.Errorf("re-import made %d write requests, want 0", w)
	}
	if n := len(e.sandbox.Users()); n != len(users) {
		t.Errorf("re-import changed the user count from %d to %d", len(users), n)
	}
}

// startTemporal starts the embedded Temporal server (in memory, haloleads' search attributes)
// and a client on it, both stopped when the test ends.
func startTemporal(t *testing.T) (*devserver.Server, client.Client) {
	t.Helper()
	srv, err := devserver.Start(context.Background(), devserver.Options{SearchAttributes: visibility.Definitions()})
	if err != nil {
		t.Fatalf("starting temporal: %v", err)
	}
	t.Cleanup(srv.Stop)
	tc, err := client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("dialing temporal: %v", err)
	}
	t.Cleanup(tc.Close)
	return srv, tc
}
