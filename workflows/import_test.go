package workflows_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"haloleads/activities"
	"haloleads/internal/dedupe"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/score"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/workflows"
)

// importWorld is the real Import activities on a HaloPSA sandbox and an SQLite store, with the
// Apollo sample uploaded into the store as the CLI does.
type importWorld struct {
	env *testsuite.TestWorkflowEnvironment
	st  *store.Store
	in  leadflow.ImportInput
}

func newImportWorld(t *testing.T) *importWorld {
	t.Helper()
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	halo, err := halopsa.New(halopsa.Config{BaseURL: hs.URL, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "haloleads.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f, err := os.Open("../testdata/samples/apollo.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	up, err := st.PutUpload(context.Background(), "run-1", "apollo.csv", time.Now(), f)
	if err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	noDeadlockDetector(env)
	env.SetTestTimeout(time.Minute)
	env.RegisterWorkflowWithOptions(workflows.Import, workflow.RegisterOptions{Name: leadflow.ImportWorkflow})
	env.RegisterActivity(&activities.Importer{Client: halo, Tenant: &activities.Tenant{Client: halo, Spec: tenant.DefaultSpec()},
		Store: st, Logger: zap.NewNop(), Dedupe: dedupe.DefaultConfig(), Fit: score.DefaultFitConfig()})
	return &importWorld{env: env, st: st, in: leadflow.ImportInput{RunID: "run-1", Files: []string{up.Ref()}}}
}

// A batch that Prepare staged but LandBatch cannot find (the store lost it, or a worker reads
// another store than the one Prepare wrote to) fails the import: never "0 leads, no error".
func TestImportFailsWhenAStagedBatchIsMissing(t *testing.T) {
	t.Parallel()
	w := newImportWorld(t)
	var prepared activities.PrepareResult
	w.env.SetOnActivityCompletedListener(func(info *activity.Info, result converter.EncodedValue, err error) {
		if info.ActivityType.Name == "Prepare" && err == nil {
			result.Get(&prepared)
			w.st.DropRun(context.Background(), w.in.RunID) // the staged rows vanish before landing
		}
	})
	w.env.ExecuteWorkflow(leadflow.ImportWorkflow, w.in)
	err := w.env.GetWorkflowError()
	var app *temporal.ApplicationError
	if prepared.Batches == 0 || !errors.As(err, &app) || app.Type() != "MissingBatch" || !app.NonRetryable() {
		t.Fatalf("prepared %d batches; import ended with %v, want a non-retryable MissingBatch failure", prepared.Batches, err)
	}
}

// An upload that is not in the store fails Prepare at once, without retries.
func TestImportFailsWhenAnUploadIsMissing(t *testing.T) {
	t.Parallel()
	w := newImportWorld(t)
	if err := w.st.DropRun(context.Background(), w.in.RunID); err != nil {
		t.Fatal(err)
	}
	attempts := 0
	w.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "Prepare" {
			attempts++
		}
	})
	w.env.ExecuteWorkflow(leadflow.ImportWorkflow, w.in)
	var app *temporal.ApplicationError
	if err := w.env.GetWorkflowError(); !errors.As(err, &app) || app.Type() != "MissingUpload" || attempts != 1 {
		t.Fatalf("import ended with %v after %d attempts, want one MissingUpload failure", err, attempts)
	}
}

// Prepare and LandBatch heartbeat throughout, so both have a 30 s heartbeat timeout: a worker
// killed in either is noticed and the activity retried 30 s later (prepare-heartbeat-30s,
// land-heartbeat-30s). The staged batches are dropped after Prepare, so LandBatch starts and
// fails at once (MissingBatch) without needing lead workflows.
func TestImportActivitiesHeartbeat30s(t *testing.T) {
	t.Parallel()
	w := newImportWorld(t)
	timeouts := map[string]time.Duration{}
	w.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		timeouts[info.ActivityType.Name] = info.HeartbeatTimeout
	})
	w.env.SetOnActivityCompletedListener(func(info *activity.Info, _ converter.EncodedValue, err error) {
		if info.ActivityType.Name == "Prepare" && err == nil {
			w.st.DropRun(context.Background(), w.in.RunID)
		}
	})
	w.env.ExecuteWorkflow(leadflow.ImportWorkflow, w.in)
	for _, name := range []string{"Prepare", "LandBatch"} {
		if timeouts[name] != 30*time.Second {
			t.Errorf("%s ran with a %v heartbeat timeout, want 30s", name, timeouts[name])
		}
	}
}
