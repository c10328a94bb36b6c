package devserver

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"

	"haloleads/internal/store/storetest"
)

// TestFileBackedServerKeepsState starts a server on a SQLite file (in WAL mode), and one on
// PostgreSQL, with a search attribute and the Web UI, starts a workflow, restarts the server on
// the same database and finds the workflow again.
func TestFileBackedServerKeepsState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	for _, tc := range []struct {
		name string
		opts func(t *testing.T) Options
	}{
		{"sqlite", func(t *testing.T) Options { return Options{DatabaseFile: filepath.Join(t.TempDir(), "temporal.db")} }},
		{"postgres", func(t *testing.T) Options { return Options{DatabaseURL: storetest.PostgresURL(t)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts(t)
			opts.UIPort = -1
			opts.SearchAttributes = map[string]enumspb.IndexedValueType{"LeadStage": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
			checkKeepsState(t, opts)
		})
	}
}

func checkKeepsState(t *testing.T, opts Options) {
	ctx := context.Background()
	srv, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if opts.DatabaseFile != "" {
		checkJournal(t, opts.DatabaseFile)
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
		t.Fatalf("restarting on the same database: %v", err)
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

// checkJournal checks the SQLite file is in WAL mode, as the server asked.
func checkJournal(t *testing.T, file string) {
	t.Helper()
	db, err := sql.Open(sqliteplugin.PluginName, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("temporal.db journal mode %q, want wal", mode)
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
