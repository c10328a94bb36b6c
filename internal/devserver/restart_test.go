package devserver

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// childEnv names the database file a re-executed test binary serves (see TestRestartAfterKill).
const childEnv = "HALOLEADS_DEVSERVER_CHILD_DB"

// TestMain lets the test binary play the server process that TestRestartAfterKill kills.
func TestMain(m *testing.M) {
	if db := os.Getenv(childEnv); db != "" {
		srv, err := Start(context.Background(), Options{DatabaseFile: db})
		if err != nil {
			fmt.Println("failed:", err)
			os.Exit(1)
		}
		fmt.Println("ready", srv.HostPort())
		select {}
	}
	os.Exit(m.Run())
}

// TestRestartAfterKill kills a server process with SIGKILL and starts a new one on the same
// file at once, several times: each comes up, and a workflow started before the first kill is
// still there. (A killed server leaves its cluster membership rows behind; joining those dead
// members used to take the whole MaxJoinDuration and then fail.)
func TestRestartAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server in child processes")
	}
	db := filepath.Join(t.TempDir(), "temporal.db")
	const cycles = 5
	for i := range cycles {
		began := time.Now()
		cmd, hostPort := startChild(t, db)
		t.Logf("start %d: up after %v", i+1, time.Since(began).Round(time.Millisecond))
		c, err := client.Dial(client.Options{HostPort: hostPort})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if i == 0 {
			_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "kept", TaskQueue: "none"}, "Nobody")
		} else {
			_, err = c.DescribeWorkflowExecution(ctx, "kept", "")
		}
		c.Close()
		if err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if n := members(t, db); n == 0 {
			t.Errorf("after kill %d the file holds no cluster membership: the test no longer checks what it means to", i+1)
		}
		time.Sleep(restartAfter) // the scenario: an operator restarts the process 2 s later
	}
}

// restartAfter is how long after a kill the next process starts.
const restartAfter = 2 * time.Second

// startChild runs the test binary as a server on db and returns once it says it is ready.
func startChild(t *testing.T, db string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+db)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if hp, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
			go func() { // keep draining
				for sc.Scan() {
				}
			}()
			return cmd, hp
		}
		if strings.HasPrefix(sc.Text(), "failed:") {
			t.Fatalf("server did not start: %s", sc.Text())
		}
	}
	t.Fatalf("server exited before it was ready: %v", cmd.Wait())
	return nil, ""
}

// members counts the cluster membership rows in db.
func members(t *testing.T, db string) int {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM cluster_membership").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
