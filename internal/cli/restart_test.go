package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// TestWorkerDevSurvivesKills runs `worker --dev` (embedded Temporal on SQLite in its data
// directory) as a real process, starts an import of 600 people, and kills the worker with
// SIGKILL five times during it, restarting it 2 s after each kill: it comes up every time,
// and the import finishes with every person landed once (no user, ticket or client twice).
func TestWorkerDevSurvivesKills(t *testing.T) {
	if testing.Short() {
		t.Skip("runs `worker --dev` in child processes")
	}
	sb, err := halosandbox.New(halosandbox.Options{RateLimit: -1, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sb.SetLatency(10 * time.Millisecond) // the import is still landing when the kills come
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	const people = 600
	file := filepath.Join(dir, "people.csv")
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,Company,Website,Title\n")
	for i := range people {
		fmt.Fprintf(&b, "Person%d,Tester%d,person%d@company%d.example.com,Company %d Ltd,https://company%d.example.com,IT Manager\n", i, i, i, i%40, i%40, i%40)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeTCPAddr(t)
	vars := map[string]string{"TEMPORAL_ADDRESS": addr, "HALOLEADS_DATA": dir, "HALO_URL": hs.URL,
		"HALO_CLIENT_ID": halosandbox.DefaultClientID, "HALO_CLIENT_SECRET": halosandbox.DefaultClientSecret,
		"METRICS_LISTEN": "", "WEBHOOK_USER": "", "WEBHOOK_PASSWORD": "", "LOG_LEVEL": "warn",
		// One payload key for the workers and the test's clients.
		"HALOLEADS_CODEC_KEY": base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))}
	env := os.Environ()
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	bin := filepath.Join(t.TempDir(), "worker") // testscript.Main runs the test binary as `worker` by its name
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}

	worker := startDevWorker(t, bin, env, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	ioOf := IO{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return vars[k] }}
	_, tc, err := connect(ctx, ioOf)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	in := leadflow.ImportInput{RunID: "killed", Files: []string{file}}
	if _, err := pipeline.RunImport(ctx, tc, in, false); err != nil {
		t.Fatal(err)
	}
	for len(sb.Users()) == 0 { // landing has begun
		if ctx.Err() != nil {
			t.Fatal("the import never began landing")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range 5 {
		time.Sleep(time.Second)
		users := len(sb.Users())
		worker.kill()
		time.Sleep(2 * time.Second) // the scenario: an operator restarts the process 2 s later
		began := time.Now()
		worker = startDevWorker(t, bin, env, addr)
		t.Logf("kill %d at %d users: up again after %v", i+1, users, time.Since(began).Round(time.Millisecond))
	}
	var sum leadflow.Summary
	if err := tc.GetWorkflow(ctx, leadflow.ImportWorkflowID(in.RunID), "").Get(ctx, &sum); err != nil {
		t.Fatalf("import: %v", err)
	}
	worker.kill()
	t.Logf("import: %d leads, %d created, %d unchanged, %d HaloPSA writes, errors %v", sum.Leads, sum.LeadsCreated, sum.Unchanged, sum.HaloWrites, sum.Errors)
	if sum.Leads != people || sum.LeadsCreated != people || len(sum.Errors) != 0 {
		t.Errorf("import: %d leads, %d created, errors %v; want %d, %d, none", sum.Leads, sum.LeadsCreated, sum.Errors, people, people)
	}
	emails, tickets, clients := map[string]int{}, map[int]int{}, map[string]int{}
	for _, u := range sb.Users() {
		emails[u.String("emailaddress")]++
	}
	for _, tk := range sb.Tickets() {
		if tk.Int("user_id") != 0 {
			tickets[tk.Int("user_id")]++
		}
	}
	for _, c := range sb.Customers() {
		clients[c.String("name")]++
	}
	if len(emails) != people || len(tickets) != people || len(clients) != 40 {
		t.Errorf("HaloPSA holds %d people, %d users with a lead ticket, %d clients; want %d, %d, 40", len(emails), len(tickets), len(clients), people, people)
	}
	for what, counts := range map[string]map[string]int{"user": emails, "client": clients} {
		for k, n := range counts {
			if n > 1 {
				t.Errorf("%s %s is in HaloPSA %d times", what, k, n)
			}
		}
	}
	for u, n := range tickets {
		if n > 1 {
			t.Errorf("user %d has %d lead tickets", u, n)
		}
	}
}

// devWorker is a `worker --dev` child process.
type devWorker struct{ cmd *exec.Cmd }

func (w devWorker) kill() {
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	_ = w.cmd.Wait()
}

// startDevWorker starts `worker --dev` and returns once its Temporal server answers.
func startDevWorker(t *testing.T, bin string, env []string, addr string) devWorker {
	t.Helper()
	cmd := exec.Command(bin, "--dev")
	cmd.Env = env
	logPath := filepath.Join(t.TempDir(), "worker.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := devWorker{cmd: cmd}
	t.Cleanup(w.kill)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := client.DialContext(ctx, client.Options{HostPort: addr})
		if err == nil {
			_, err = c.CheckHealth(ctx, nil)
			c.Close()
		}
		cancel()
		if err == nil {
			return w
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	logs, _ := os.ReadFile(logPath)
	t.Fatalf("worker --dev did not come up within a minute:\n%s", logs)
	return w
}

func freeTCPAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
