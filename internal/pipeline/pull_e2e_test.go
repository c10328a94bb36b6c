package pipeline_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
	"haloleads/internal/providers"
	"haloleads/internal/providers/apollo"
	"haloleads/internal/providers/hunter"
	"haloleads/internal/providers/zoominfo"
	"haloleads/internal/providersandbox"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
)

// pullEnv is haloleads in one process with the provider sandbox behind its provider clients.
type pullEnv struct {
	temporal  client.Client
	halo      *halosandbox.Server
	providers *providersandbox.Server
}

func newPullEnv(t *testing.T) *pullEnv {
	t.Helper()
	ctx := context.Background()
	_, tc := startTemporal(t)
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	halo, err := halopsa.New(halopsa.Config{BaseURL: hs.URL, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret})
	if err != nil {
		t.Fatalf("halopsa client: %v", err)
	}
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "haloleads.db"))
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	res, err := tenant.Apply(ctx, halo, tenant.DefaultSpec())
	if err != nil {
		t.Fatalf("tenant setup: %v", err)
	}
	psb, clients := providerSandbox(t)
	w, err := pipeline.StartWorkers(pipeline.Deps{Temporal: tc, Halo: halo, Store: st, Spec: tenant.DefaultSpec(),
		RateLimit: 300, RateWindow: 5 * time.Minute, Providers: clients})
	if err != nil {
		t.Fatalf("workers: %v", err)
	}
	w.Tenant.Set(res)
	t.Cleanup(w.Stop)
	return &pullEnv{temporal: tc, halo: sb, providers: psb}
}

// providerSandbox serves the provider sandbox and returns Apollo, ZoomInfo and Hunter clients
// pointed at it.
func providerSandbox(t *testing.T) (*providersandbox.Server, map[lead.Source]providers.Provider) {
	t.Helper()
	sb := providersandbox.New(providersandbox.Options{Seed: 5, People: 80})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	base := func(p lead.Source) string { return srv.URL + providersandbox.Prefix(p) }
	key := providersandbox.DefaultAPIKey
	ap, err1 := apollo.New(apollo.Config{BaseURL: base(lead.Apollo), APIKey: key})
	zi, err2 := zoominfo.New(zoominfo.Config{BaseURL: base(lead.ZoomInfo), Username: providersandbox.DefaultZoomInfoUser,
		Password: providersandbox.DefaultZoomInfoPass})
	hu, err3 := hunter.New(hunter.Config{BaseURL: base(lead.Hunter), APIKey: key})
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return sb, map[lead.Source]providers.Provider{lead.Apollo: ap, lead.ZoomInfo: zi, lead.Hunter: hu}
}

// trigger runs the schedule now and waits for the run's result.
func (e *pullEnv) trigger(t *testing.T, h client.ScheduleHandle, run int) leadflow.PullResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatalf("triggering the schedule: %v", err)
	}
	var started client.ScheduleActionResult
	for {
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatalf("describing the schedule: %v", err)
		}
		if n := len(d.Info.RecentActions); n >= run {
			started = d.Info.RecentActions[run-1]
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the schedule started no run %d", run)
		case <-time.After(50 * time.Millisecond):
		}
	}
	wf := started.StartWorkflowResult
	var res leadflow.PullResult
	if err := e.temporal.GetWorkflow(ctx, wf.WorkflowID, wf.FirstExecutionRunID).Get(ctx, &res); err != nil {
		t.Fatalf("scheduled pull %d: %v", run, err)
	}
	return res
}

// charged sums what the provider sandbox charged.
func (e *pullEnv) charged() int {
	n := 0
	for _, p := range lead.Providers {
		n += e.providers.Credits(p)
	}
	return n
}

func TestScheduledPullIsIncremental(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newPullEnv(t)
	ctx := context.Background()
	in := leadflow.PullInput{Source: lead.Apollo, Query: "title=Manager,page_size=10", Budget: 500}
	h, err := e.temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   "pull-apollo",
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour}}},
		Action: &client.ScheduleWorkflowAction{ID: leadflow.PullWorkflowID("apollo"), Workflow: leadflow.PullWorkflow,
			Args: []any{in}, TaskQueue: leadflow.TaskQueue},
	})
	if err != nil {
		t.Fatalf("creating the schedule: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background()) })

	first := e.trigger(t, h, 1)
	t.Logf("first pull: %d pages, %d bought, credits %v, supplied %v", first.Pages, first.Bought, first.CreditsBy, first.Supplied)
	if first.Bought == 0 || first.Credits != e.charged() || len(first.Errors) > 0 {
		t.Fatalf("first pull: %+v, sandbox charged %d", first, e.charged())
	}
	if first.Import == nil || first.Import.LeadsCreated == 0 || len(first.Import.Errors) > 0 {
		t.Fatalf("first pull's import: %+v", first.Import)
	}
	users := len(e.halo.Users())

	e.providers.ResetCounters()
	// A schedule names a triggered run after the trigger's second; on a fast machine both
	// triggers can fall in one second, and whether the server then starts a second run of the
	// same workflow id is its business, not ours (the pull's own run id tells runs apart, see
	// pull-unique-run-id). Trigger the second run in the next second.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	second := e.trigger(t, h, 2)
	if second.RunID == first.RunID {
		t.Errorf("both runs are named %s", first.RunID)
	}
	if second.Bought != 0 || second.Credits != 0 || e.charged() != 0 || second.Import != nil {
		t.Errorf("second pull bought %d for %d credits (sandbox %d), import %+v; want nothing new",
			second.Bought, second.Credits, e.charged(), second.Import)
	}
	if got := len(e.halo.Users()); got != users {
		t.Errorf("HaloPSA holds %d users after the second pull, want the %d of the first", got, users)
	}
}
