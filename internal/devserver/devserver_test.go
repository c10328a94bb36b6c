package devserver

import (
	"context"
	"database/sql"
	"net"
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

// TestUIPortIsHeldOrMoved: the Web UI's port is held from the start (a second server asking
// for it finds it taken); a taken port moves to a free one with UIFallback and fails Start
// without it; -1 is any free port.
func TestUIPortIsHeldOrMoved(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() })
	port := taken.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct {
		name     string
		port     int
		fallback bool
		wantErr  bool
	}{
		{"taken, fallback", port, true, false},
		{"taken, no fallback", port, false, true},
		{"any free port", -1, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := Options{UIPort: tc.port, UIFallback: tc.fallback}.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			l, err := o.holdUI()
			if tc.wantErr {
				if err == nil {
					l.Close()
					t.Fatal("holding a taken port without fallback did not fail")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			got := l.Addr().(*net.TCPAddr).Port
			if got == port || got == 0 {
				t.Fatalf("held port %d, want a free one other than %d", got, port)
			}
			again := Options{UIPort: got, UIIP: "127.0.0.1"}
			if l2, err := again.holdUI(); err == nil {
				l2.Close()
				t.Fatalf("port %d is not held: a second server took it", got)
			}
		})
	}
}
