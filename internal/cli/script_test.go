package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/zap"

	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
	"haloleads/internal/providersandbox"
)

// TestMain lets the test binary run as `starter` and `worker` inside the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"starter": func() { os.Exit(Run(os.Args[1:], IO{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})) },
		"worker":  func() { os.Exit(RunWorker(os.Args[1:], IO{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})) },
	})
}

// TestScripts runs the command-line scripts in testdata/script: help, exit codes, errors, and
// (in the scripts that start one with `world`) commands against an embedded Temporal, workers
// and HaloPSA sandbox.
func TestScripts(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	samples := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "samples")
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("SAMPLES", samples)
			// Nothing listens on port 1: a command that dials Temporal without a world fails fast.
			env.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
			env.Setenv("HALOLEADS_DATA", filepath.Join(env.WorkDir, "data"))
			env.Values[worldKey{}] = &scriptWorld{}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "short" {
				return testing.Short(), nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"world":       cmdWorld,
			"status":      cmdStatus,
			"halo-writes": cmdHaloWrites,
			"halo-reset":  cmdHaloReset,
			"await-leads": cmdAwaitLeads,
			"lusha":       cmdLusha,
			"halo-edit":   cmdHaloEdit,
		},
	})
}

type worldKey struct{}

// scriptWorld is the embedded world a script started, if any.
type scriptWorld struct{ emb *embedded }

func worldOf(ts *testscript.TestScript) *embedded {
	w := ts.Value(worldKey{}).(*scriptWorld)
	if w.emb == nil {
		ts.Fatalf("start the world first (`world`)")
	}
	return w.emb
}

// cmdWorld starts Temporal, the workers and the HaloPSA sandbox in the test process and points
// the script's environment at them: `world`.
func cmdWorld(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: world")
	}
	dir := ts.Getenv("HALOLEADS_DATA")
	ts.Check(os.MkdirAll(dir, 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	emb, err := startEmbedded(ctx, embeddedOptions{Dir: dir, Logger: zap.NewNop()})
	ts.Check(err)
	ts.Defer(emb.Close)
	ts.Value(worldKey{}).(*scriptWorld).emb = emb
	emb.Sandbox.ResetStats()
	ts.Setenv("TEMPORAL_ADDRESS", emb.Server.HostPort())
	ts.Setenv("TEMPORAL_NAMESPACE", emb.Server.Namespace())
	ts.Setenv("HALO_URL", emb.SandboxURL+"/api")
	ts.Setenv("HALO_CLIENT_ID", halosandbox.DefaultClientID)
	ts.Setenv("HALO_CLIENT_SECRET", halosandbox.DefaultClientSecret)
	ts.Setenv("TEMPORAL_UI_URL", "http://ui.example")
}

// cmdStatus runs a program and checks its exit code: `status CODE PROGRAM ARGS...`.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("running %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s %s exited %d, want %d", args[1], strings.Join(args[2:], " "), got, want)
	}
}

// cmdHaloWrites checks how many write requests (not GET, not the token) the world's HaloPSA
// sandbox has answered since the world started or `halo-reset`: `halo-writes N`.
func cmdHaloWrites(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: halo-writes N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	var writes []string
	for _, r := range worldOf(ts).Sandbox.RequestLog() {
		// Only API writes count: a stray HTTP/2 preface ("PRI *") from a gRPC client still
		// dialling a port the sandbox now holds is not a request to HaloPSA.
		if r.Method != "GET" && r.Method != "PRI" && strings.HasPrefix(r.Path, "/api/") {
			writes = append(writes, r.Method+" "+r.Path)
		}
	}
	if (len(writes) == want) == neg {
		ts.Fatalf("the sandbox answered %d write requests, want %s%d: %v", len(writes), map[bool]string{true: "not "}[neg], want, writes)
	}
	ts.Logf("%d write requests", len(writes))
}

// cmdHaloReset forgets the sandbox's request log: `halo-reset`.
func cmdHaloReset(ts *testscript.TestScript, _ bool, _ []string) { worldOf(ts).Sandbox.ResetStats() }

// cmdLusha serves the provider sandbox and points the Lusha settings at it (API key, base URL,
// webhook secret): `lusha`.
func cmdLusha(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: lusha")
	}
	srv := httptest.NewServer(providersandbox.New(providersandbox.Options{People: 5}).Handler())
	ts.Defer(srv.Close)
	ts.Setenv("LUSHA_API_KEY", providersandbox.DefaultAPIKey)
	ts.Setenv("LUSHA_BASE_URL", srv.URL+providersandbox.Prefix(lead.Lusha))
	ts.Setenv("LUSHA_WEBHOOK_SECRET", providersandbox.DefaultLushaWebhookSecret)
}

// cmdAwaitLeads waits until Temporal's visibility counts N running leads: `await-leads N`.
func cmdAwaitLeads(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: await-leads N")
	}
	want, err := strconv.ParseInt(args[0], 10, 64)
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		n, err := countLeads(ctx, worldOf(ts).Temporal, "")
		if err == nil && n == want {
			return
		}
		select {
		case <-ctx.Done():
			ts.Fatalf("visibility counts %d leads (%v), want %d", n, err, want)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// cmdHaloEdit changes a user's field in the world's HaloPSA as an agent would in the Halo UI:
// `halo-edit EMAIL FIELD VALUE` (FIELD as HaloPSA names it, e.g. title).
func cmdHaloEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: halo-edit EMAIL FIELD VALUE")
	}
	sb := worldOf(ts).Sandbox
	for _, u := range sb.Users() {
		if strings.EqualFold(fmt.Sprint(u["emailaddress"]), args[0]) {
			id, err := strconv.Atoi(fmt.Sprint(u["id"]))
			ts.Check(err)
			ts.Check(sb.AgentEditUser(id, map[string]any{args[1]: args[2]}))
			return
		}
	}
	ts.Fatalf("no HaloPSA user has the e-mail %s", args[0])
}
