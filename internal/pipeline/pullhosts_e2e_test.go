package pipeline_test

import (
	"context"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
	"haloleads/internal/store"
	"haloleads/internal/store/storetest"
	"haloleads/internal/tenant"
)

// TestPullAcrossWorkerHosts runs one pull on two workers that share nothing but Temporal and
// the PostgreSQL store, as two hosts do: each has its own store connection, HaloPSA client and
// data directory. Host A buys the first page; the page's enrichment fails there (Hunter refuses
// every request) until host A is stopped and its data directory deleted; host B then enriches
// the page and imports it. Every lead bought lands, and the pull's exports travel as references
// to the store, which the import drops when it finishes.
func TestPullAcrossWorkerHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	pg := storetest.PostgresURL(t)
	ctx := context.Background()
	srv, tc := startTemporal(t)
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	psb, clients := providerSandbox(t)
	psb.RateLimit(lead.Hunter, 1<<20, 0)

	var res tenant.Result
	host := func(name string) (stop func(), dataDir string) {
		hc, err := client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace(), Identity: name})
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.OpenPostgres(pg)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := pipeline.SharedBudget(ctx, st, halopsa.Config{BaseURL: hs.URL, ClientID: halosandbox.DefaultClientID,
			ClientSecret: halosandbox.DefaultClientSecret})
		if err != nil {
			t.Fatal(err)
		}
		halo, err := halopsa.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.TicketTypes == nil {
			if res, err = tenant.Apply(ctx, halo, tenant.DefaultSpec()); err != nil {
				t.Fatal(err)
			}
		}
		dataDir = t.TempDir()
		t.Chdir(dataDir) // anything a worker wrote to a relative path would land here
		w, err := pipeline.StartWorkers(pipeline.Deps{Temporal: hc, Halo: halo, Store: st, Spec: tenant.DefaultSpec(),
			RateLimit: 300, RateWindow: 5 * time.Minute, Providers: clients})
		if err != nil {
			t.Fatal(err)
		}
		w.Tenant.Set(res)
		stopped := false
		stop = func() {
			if !stopped {
				stopped = true
				w.Stop()
				st.Close()
				hc.Close()
			}
		}
		t.Cleanup(stop)
		return stop, dataDir
	}
	stopA, dirA := host("host-a")

	in := leadflow.PullInput{RunID: "two-hosts", Source: lead.Apollo, Query: "title=Manager,page_size=50", Budget: 1000}
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: leadflow.PullWorkflowID("two-hosts"),
		TaskQueue: leadflow.TaskQueue}, leadflow.PullWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	waitRetrying(t, tc, run, "EnrichPage")
	stopA()
	if err := os.RemoveAll(dirA); err != nil {
		t.Fatal(err)
	}
	psb.RateLimit(lead.Hunter, 0, 0)
	host("host-b")

	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var out leadflow.PullResult
	if err := run.Get(wctx, &out); err != nil {
		t.Fatalf("pull: %v", err)
	}
	t.Logf("pull: %d pages, %d bought, files %v, errors %v", out.Pages, out.Bought, out.Files, out.Errors)
	if out.Bought == 0 || len(out.Errors) > 0 || out.Import == nil || len(out.Import.Errors) > 0 {
		t.Fatalf("pull %+v, import %+v", out, out.Import)
	}
	if out.Import.LeadsCreated != out.Bought || len(sb.Users()) != out.Bought {
		t.Errorf("bought %d people; the import created %d leads, HaloPSA holds %d users", out.Bought, out.Import.LeadsCreated, len(sb.Users()))
	}
	for _, f := range out.Files {
		if _, ok := store.UploadID(f); !ok {
			t.Errorf("the pull passed %q between its activities, want a reference to the store", f)
		}
	}
	ran := activityHosts(t, tc, run)
	t.Logf("activities ran on %v", ran)
	if p := ran["PullPage"]; len(p) == 0 || p[0] != "host-a" {
		t.Errorf("the first page was bought on %v, want host-a", p)
	}
	for _, name := range []string{"EnrichPage", "Prepare"} {
		if len(ran[name]) == 0 || slices.ContainsFunc(ran[name], func(h string) bool { return h != "host-b" }) {
			t.Errorf("%s ran on %v, want host-b only", name, ran[name])
		}
	}
	st, err := store.OpenPostgres(pg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, f := range out.Files {
		id, _ := store.UploadID(f)
		if _, _, err := st.OpenUpload(ctx, id); err == nil {
			t.Errorf("export %s is still in the store after its import finished", f)
		}
	}
}

// waitRetrying waits until the workflow's pending activity of type name has failed once and
// waits for its next attempt.
func waitRetrying(t *testing.T, tc client.Client, run client.WorkflowRun, name string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		d, err := tc.DescribeWorkflowExecution(context.Background(), run.GetID(), run.GetRunID())
		if err != nil {
			t.Fatal(err)
		}
		for _, pa := range d.GetPendingActivities() {
			if pa.GetActivityType().GetName() == name && pa.GetAttempt() >= 2 && pa.GetState() == enums.PENDING_ACTIVITY_STATE_SCHEDULED {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never failed and waited for a retry", name)
}

// activityHosts returns, for each activity type of the workflow and of its child workflows,
// the identities of the workers that ran the activities' last attempts, in history order.
func activityHosts(t *testing.T, tc client.Client, run client.WorkflowRun) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	var walk func(id, runID string)
	walk = func(id, runID string) {
		scheduled := map[int64]string{}
		it := tc.GetWorkflowHistory(context.Background(), id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
				scheduled[ev.GetEventId()] = a.GetActivityType().GetName()
			}
			if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
				name := scheduled[a.GetScheduledEventId()]
				out[name] = append(out[name], a.GetIdentity())
			}
			if a := ev.GetChildWorkflowExecutionCompletedEventAttributes(); a != nil {
				walk(a.GetWorkflowExecution().GetWorkflowId(), a.GetWorkflowExecution().GetRunId())
			}
		}
	}
	walk(run.GetID(), run.GetRunID())
	return out
}
