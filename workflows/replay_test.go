package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"haloleads/internal/leadflow"
	"haloleads/workflows"
)

// TestLeadReplay replays recorded lead workflow histories against today's code, so a change that
// breaks determinism fails here rather than on running leads. lead_lifecycle.json is one lead
// taken from import to Won through the CLI, with webhooks echoing every write (re-record it with
// `go test ./internal/pipeline -run TestLeadLifecycleThroughCLI -update`).
func TestLeadReplay(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "lead_*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded lead histories in testdata (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.Lead, workflow.RegisterOptions{Name: leadflow.LeadWorkflow})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replaying %s: %v", f, err)
			}
		})
	}
}
