package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
// TestSeededCrashes (crash_test.go) kills the same world at seeded points of the HaloPSA traffic.
func TestWorkerDevSurvivesKills(t *testing.T) {
	if testing.Short() {
		t.Skip("runs `worker --dev` in child processes")
	}
	w := newDevWorld(t, t.TempDir())
	w.sandbox.SetLatency(10 * time.Millisecond) // the import is still landing when the kills come
	const people = 600
	file := w.peopleFile("people.csv", 0, people, false)
	w.start()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	in := leadflow.ImportInput{RunID: "killed", Files: []string{file}}
	if _, err := pipeline.RunImport(ctx, w.temporal, in, false); err != nil {
		t.Fatal(err)
	}
	for len(w.sandbox.Users()) == 0 { // landing has begun
		if ctx.Err() != nil {
			t.Fatal("the import never began landing")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range 5 {
		time.Sleep(time.Second)
		users := len(w.sandbox.Users())
		w.worker.kill()
		time.Sleep(2 * time.Second) // the scenario: an operator restarts the process 2 s later
		began := time.Now()
		w.start()
		t.Logf("kill %d at %d users: up again after %v", i+1, users, time.Since(began).Round(time.Millisecond))
	}
	var sum leadflow.Summary
	if err := w.temporal.GetWorkflow(ctx, leadflow.ImportWorkflowID(in.RunID), "").Get(ctx, &sum); err != nil {
		t.Fatalf("import: %v", err)
	}
	w.worker.kill()
	t.Logf("import: %d leads, %d created, %d unchanged, %d HaloPSA writes, errors %v", sum.Leads, sum.LeadsCreated, sum.Unchanged, sum.HaloWrites, sum.Errors)
	if sum.Leads != people || sum.LeadsCreated != people || len(sum.Errors) != 0 {
		t.Errorf("import: %d leads, %d created, errors %v; want %d, %d, none", sum.Leads, sum.LeadsCreated, sum.Errors, people, people)
	}
	if c := w.census(t, people); c.duplicates() > 0 || c.missing > 0 {
		t.Errorf("HaloPSA after the kills: %s", c)
	}
}

// devWorld is a `worker --dev` child process on a data directory, with the HaloPSA sandbox it
// writes to (behind a killTrap) and a Temporal client of the test's own.
type devWorld struct {
	t        *testing.T
	sandbox  *halosandbox.Server
	trap     *killTrap
	dir      string // the worker's data directory (HALOLEADS_DATA)
	bin      string
	addr     string // the embedded Temporal's frontend
	vars     map[string]string
	worker   devWorker
	cpu      time.Duration // CPU time of the world's workers that have exited
	temporal client.Client
	io       IO
}

// newDevWorld makes the world's sandbox, environment and worker binary; start runs the worker.
func newDevWorld(t *testing.T, dir string) *devWorld {
	t.Helper()
	sb, err := halosandbox.New(halosandbox.Options{RateLimit: -1, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	trap := &killTrap{next: sb, hit: make(chan killHit, 1), release: make(chan struct{})}
	hs := httptest.NewServer(trap)
	t.Cleanup(hs.Close)
	t.Cleanup(func() { close(trap.release) }) // before hs.Close, which waits for held requests
	w := &devWorld{t: t, sandbox: sb, trap: trap, dir: dir, addr: freeTCPAddr(t)}
	w.vars = map[string]string{"TEMPORAL_ADDRESS": w.addr, "HALOLEADS_DATA": dir, "HALO_URL": hs.URL,
		"HALO_CLIENT_ID": halosandbox.DefaultClientID, "HALO_CLIENT_SECRET": halosandbox.DefaultClientSecret,
		// The sandbox has no rate limit: the worker's budget must not pace the test either.
		"HALO_RATE_LIMIT": "1000000",
		"METRICS_LISTEN":  freeTCPAddr(t), // worlds run side by side
		"WEBHOOK_USER":    "", "WEBHOOK_PASSWORD": "", "LOG_LEVEL": "warn",
		// One payload key for the workers and the test's clients.
		"HALOLEADS_CODEC_KEY": base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))}
	w.io = IO{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return w.vars[k] }}
	w.bin = filepath.Join(t.TempDir(), "worker") // testscript.Main runs the test binary as `worker` by its name
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, w.bin); err != nil {
		t.Fatal(err)
	}
	return w
}

// start runs the worker on the world's data directory and (the first time) connects the
// test's Temporal client through the CLI's configuration.
func (w *devWorld) start() {
	w.t.Helper()
	env := os.Environ()
	for k, v := range w.vars {
		env = append(env, k+"="+v)
	}
	if w.worker.cmd != nil && w.worker.done() {
		w.cpu += w.worker.cpu()
	}
	w.worker = startDevWorker(w.t, w.bin, env, w.addr)
	if w.temporal != nil {
		return
	}
	_, tc, err := connect(context.Background(), w.io)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(tc.Close)
	w.temporal = tc
}

// stop kills the worker and returns the CPU time every worker of the world used.
func (w *devWorld) stop() time.Duration {
	w.worker.kill()
	cpu := w.cpu + w.worker.cpu()
	w.cpu, w.worker.cmd = cpu, nil
	return cpu
}

// peopleFile writes a contact list of people from, from+1, ... to-1 (person i works at
// company i%companies), with phone numbers or without, and returns its path.
func (w *devWorld) peopleFile(name string, from, to int, phones bool) string {
	w.t.Helper()
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,Company,Website,Title,Phone\n")
	for i := from; i < to; i++ {
		c := i % companies
		phone := ""
		if phones {
			phone = fmt.Sprintf("+1 212 %03d %04d", 200+i/10000, i%10000)
		}
		fmt.Fprintf(&b, "Person%d,Tester%d,%s,Company %d Ltd,https://company%d.example.com,IT Manager,%s\n", i, i, personEmail(i), c, c, phone)
	}
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// companies is how many companies the generated people work at.
const companies = 40

func personEmail(i int) string {
	return fmt.Sprintf("person%d@company%d.example.com", i, i%companies)
}

// census is what HaloPSA holds for the generated people.
type census struct {
	users, tickets, clients, sites, notes int
	// Duplicates: a person with more than one user, a user with more than one lead ticket,
	// a company with more than one client, a client with more than one site, a ticket with
	// the same note twice.
	dupUsers, dupTickets, dupClients, dupSites, dupNotes int
	missing                                              int // people with no user or no lead ticket
	userOf                                               map[string]halosandbox.Record
	ticketOf                                             map[int]halosandbox.Record // by user id
	notesOf                                              map[int][]string           // by ticket id
}

func (c census) duplicates() int {
	return c.dupUsers + c.dupTickets + c.dupClients + c.dupSites + c.dupNotes
}

func (c census) String() string {
	return fmt.Sprintf("%d users, %d lead tickets, %d clients, %d sites, %d notes; duplicated: %d users, %d tickets, %d clients, %d sites, %d notes; %d people missing",
		c.users, c.tickets, c.clients, c.sites, c.notes, c.dupUsers, c.dupTickets, c.dupClients, c.dupSites, c.dupNotes, c.missing)
}

// census counts HaloPSA's records for people 0..people-1, reporting each duplicate and each
// missing person as a test error.
func (w *devWorld) census(t *testing.T, people int) census {
	t.Helper()
	c := census{userOf: map[string]halosandbox.Record{}, ticketOf: map[int]halosandbox.Record{}, notesOf: map[int][]string{}}
	for _, u := range w.sandbox.Users() {
		em := strings.ToLower(u.String("emailaddress"))
		if em == "" {
			continue
		}
		c.users++
		if _, ok := c.userOf[em]; ok {
			c.dupUsers++
			t.Errorf("the user %s is in HaloPSA twice", em)
		}
		c.userOf[em] = u
	}
	for _, tk := range w.sandbox.Tickets() {
		uid := tk.Int("user_id")
		if uid == 0 {
			continue
		}
		c.tickets++
		if _, ok := c.ticketOf[uid]; ok {
			c.dupTickets++
			t.Errorf("user %d has two lead tickets", uid)
		}
		c.ticketOf[uid] = tk
	}
	for i := range people {
		u, ok := c.userOf[personEmail(i)]
		if !ok || c.ticketOf[u.ID()] == nil {
			c.missing++
			t.Errorf("person %d has no user or no lead ticket in HaloPSA", i)
		}
	}
	clientNames := map[string]bool{}
	for _, cl := range w.sandbox.Customers() {
		c.clients++
		name := strings.ToLower(cl.String("name"))
		if clientNames[name] {
			c.dupClients++
			t.Errorf("the client %q is in HaloPSA twice", name)
		}
		clientNames[name] = true
	}
	siteOf := map[int]bool{}
	for _, s := range w.sandbox.Sites() {
		c.sites++
		if siteOf[s.Int("client_id")] {
			c.dupSites++
			t.Errorf("client %d has two sites", s.Int("client_id"))
		}
		siteOf[s.Int("client_id")] = true
	}
	seen := map[string]bool{}
	for _, a := range w.sandbox.Actions() {
		c.notes++
		tid, note := a.Int("ticket_id"), a.String("note")
		k := strconv.Itoa(tid) + "\x00" + note
		if seen[k] {
			c.dupNotes++
			t.Errorf("ticket %d has the same note twice: %q", tid, firstLine(note))
		}
		seen[k] = true
		c.notesOf[tid] = append(c.notesOf[tid], note)
	}
	return c
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// devWorker is a `worker --dev` child process.
type devWorker struct {
	cmd    *exec.Cmd
	log    string        // its stdout and stderr
	exited chan struct{} // closed once it has exited
}

func (w devWorker) kill() {
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	<-w.exited
}

// done reports whether the worker has exited.
func (w devWorker) done() bool {
	select {
	case <-w.exited:
		return true
	default:
		return false
	}
}

// cpu is the CPU time (user and system) the worker used, once it has exited.
func (w devWorker) cpu() time.Duration {
	<-w.exited
	if ps := w.cmd.ProcessState; ps != nil {
		return ps.UserTime() + ps.SystemTime()
	}
	return 0
}

// logTail is the end of the worker's log.
func (w devWorker) logTail() string {
	b, _ := os.ReadFile(w.log)
	return string(b[max(0, len(b)-4000):])
}

// startDevWorker starts `worker --dev` and returns once its Temporal server answers. Worlds
// side by side start workers at the same instant, and the Web UI's port is taken when free
// (8233 or the next free one): a worker that lost that race is started again.
func startDevWorker(t *testing.T, bin string, env []string, addr string) devWorker {
	t.Helper()
	for range 4 {
		if w, ok := tryDevWorker(t, bin, env, addr); ok {
			return w
		}
	}
	t.Fatal("worker --dev lost the race for a port four times")
	return devWorker{}
}

// tryDevWorker starts `worker --dev`; false when it exited because a port it picked was taken.
func tryDevWorker(t *testing.T, bin string, env []string, addr string) (devWorker, bool) {
	t.Helper()
	cmd := exec.Command(bin, "--dev")
	cmd.Env = env
	w := devWorker{cmd: cmd, log: filepath.Join(t.TempDir(), "worker.log"), exited: make(chan struct{})}
	logf, err := os.Create(w.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		close(w.exited)
	}()
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
			return w, true
		}
		select {
		case <-w.exited:
			if strings.Contains(w.logTail(), "address already in use") {
				return w, false
			}
			t.Fatalf("worker --dev exited:\n%s", w.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("worker --dev did not come up within a minute:\n%s", w.logTail())
	return w, false
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

// killHit is a kill point reached, with the request it held ("POST /api/Users").
type killHit struct {
	killPoint
	Held string
}

// killPoint is where a worker is killed: at the Request-th HaloPSA API request (the trap counts
// from the start of the world; the crash test draws points from the start of an import), before HaloPSA handles it or, when Applied, after HaloPSA applied it
// and before the answer leaves (the answer is lost with the worker). Pause is how long the
// worker stays down.
type killPoint struct {
	Request int
	Applied bool
	Pause   time.Duration
}

func (k killPoint) String() string {
	when := "before"
	if k.Applied {
		when = "after"
	}
	return fmt.Sprintf("request %d (%s HaloPSA applies it), down %v", k.Request, when, k.Pause)
}

// killTrap stands in front of the sandbox, counts its API requests and holds the one an armed
// killPoint names: it reports it on hit and keeps the request open until its client is gone.
type killTrap struct {
	next    http.Handler
	hit     chan killHit
	release chan struct{} // closed when the world ends: a held request returns

	mu       sync.Mutex
	requests int
	armed    *killPoint
	quietAt  time.Time // set by quiet: the first API request after it sets resumed
	resumed  time.Time
}

// arm sets the next kill point (nil: none).
func (k *killTrap) arm(p *killPoint) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.armed = p
}

// quiet notes that the worker died now; resumedAfter says how long after the first API
// request came.
func (k *killTrap) quiet() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.quietAt, k.resumed = time.Now(), time.Time{}
}

// resumedAfter is how long after the last quiet the first API request came (false: none yet).
func (k *killTrap) resumedAfter() (time.Duration, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.quietAt.IsZero() || k.resumed.IsZero() {
		return 0, false
	}
	return k.resumed.Sub(k.quietAt), true
}

// count is how many API requests the sandbox has been sent.
func (k *killTrap) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.requests
}

func (k *killTrap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		k.next.ServeHTTP(w, r)
		return
	}
	k.mu.Lock()
	k.requests++
	if !k.quietAt.IsZero() && k.resumed.IsZero() {
		k.resumed = time.Now()
	}
	p := k.armed
	if p != nil && k.requests >= p.Request {
		k.armed = nil
	} else {
		p = nil
	}
	k.mu.Unlock()
	if p == nil {
		k.next.ServeHTTP(w, r)
		return
	}
	if p.Applied {
		k.next.ServeHTTP(httptest.NewRecorder(), r)
	} else {
		_, _ = io.Copy(io.Discard, r.Body) // the server notices a closed connection once the body is read
	}
	k.hit <- killHit{killPoint: *p, Held: r.Method + " " + r.URL.Path}
	select { // the worker dies with the request open
	case <-r.Context().Done():
	case <-k.release:
	}
}
