package devserver

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

// TestFileBackedServerKeepsState starts a server on a SQLite file with a search attribute and the
// Web UI, starts a workflow, restarts the server on the same file and finds the workflow again.
func TestFileBackedServerKeepsState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "temporal.db")
	opts := Options{DatabaseFile: db, UIPort: -1,
		SearchAttributes: map[string]enumspb.IndexedValueType{"LeadStage": enumspb.INDEXED_VALUE_TYPE_KEYWORD}}
	srv, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	if sa.CustomAttributes["LeadStage"] != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
		t.Fatalf("search attribute LeadStage not registered: %v", sa.CustomAttributes)
	}
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "kept", TaskQueue: "none"}, "Nobody"); err != nil {
		t.Fatal(err)
	}
	assertUI(t, srv.UIURL())
	c.Close()
	srv.Stop()

	opts.UIPort = 0
	srv, err = Start(ctx, opts)
	if err != nil {
		t.Fatalf("restarting on the same file: %v", err)
	}
	defer srv.Stop()
	c, err = client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.DescribeWorkflowExecution(ctx, "kept", ""); err != nil {
		t.Fatalf("workflow lost across restart: %v", err)
	}
}

func assertUI(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("web UI at %s did not answer: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
