package cli

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"haloleads/internal/dedupe"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/pipeline"
	"haloleads/internal/store"
)

// crashConfig is the size of TestSeededCrashes, from the environment: the CI form by default,
// the long form with e.g. HALOLEADS_CRASH_RUNS=20 HALOLEADS_CRASH_LEADS=5000.
type crashConfig struct {
	Runs     int   // HALOLEADS_CRASH_RUNS: seeded runs, each on its own data directory
	Leads    int   // HALOLEADS_CRASH_LEADS: people of the first import (the second brings a quarter more)
	Kills    int   // HALOLEADS_CRASH_KILLS: kill points drawn per run
	Parallel int   // HALOLEADS_CRASH_PARALLEL: runs at once (a killed run mostly waits for Temporal's timeouts)
	Seed     int64 // HALOLEADS_CRASH_SEED: run i uses Seed+i; unset, the clock picks it
}

func crashConfigFromEnv(t *testing.T) crashConfig {
	t.Helper()
	c := crashConfig{Runs: 3, Leads: 200, Kills: 2, Parallel: 3, Seed: time.Now().UnixNano() % 1_000_000}
	for _, v := range []struct {
		name string
		to   any
	}{
		{"HALOLEADS_CRASH_RUNS", &c.Runs}, {"HALOLEADS_CRASH_LEADS", &c.Leads}, {"HALOLEADS_CRASH_KILLS", &c.Kills},
		{"HALOLEADS_CRASH_PARALLEL", &c.Parallel}, {"HALOLEADS_CRASH_SEED", &c.Seed},
	} {
		s := os.Getenv(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q: want a number, 0 or more", v.name, s)
		}
		switch to := v.to.(type) {
		case *int:
			*to = int(n)
		case *int64:
			*to = n
		}
	}
	if c.Leads < 8 || c.Runs < 1 || c.Parallel < 1 {
		t.Fatalf("crash test: %d runs of %d leads, %d at once: want at least 1 run of 8 leads", c.Runs, c.Leads, c.Parallel)
	}
	return c
}

// crashOutcome is what one seeded run did and found.
type crashOutcome struct {
	Seed                int64
	Kills, Drawn        int // kills done, kill points drawn (a point past the run's last request is never reached)
	People              int
	Duplicates, Missing int
	Passed              bool
	// Where the run's time went: its imports (kills and restarts included), the time from
	// each kill to the next HaloPSA request (restart and Temporal's timeouts), the checks, and
	// the CPU time of its workers.
	Imports, Dead, Checks, WorkerCPU time.Duration
}

// TestSeededCrashes is issue #12's crash test. Each run starts `worker --dev` on a fresh data
// directory, imports Leads people (a contact list), then a second list that adds phone numbers
// to half of them (updates with audit notes) and brings a quarter more, and SIGKILLs the worker
// at kill points drawn by a seeded PRNG over the HaloPSA requests of each import (before or
// after HaloPSA applies the request), restarting it on the same data directory after a seeded
// pause. Then: no user, lead ticket, client, site or note twice in HaloPSA; every person
// landed once; every lead workflow's HaloPSA ids and status equal HaloPSA's and the store's,
// with no offer left waiting; staged data dropped; both summaries exact; and a re-import of
// both files writes nothing to HaloPSA.
//
// The seed is printed; HALOLEADS_CRASH_SEED=<seed> HALOLEADS_CRASH_RUNS=1 (with the same
// HALOLEADS_CRASH_LEADS and HALOLEADS_CRASH_KILLS) draws the same kill points again.
func TestSeededCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs `worker --dev` in child processes")
	}
	cfg := crashConfigFromEnv(t)
	t.Logf("crash test: seed %d, %d runs of %d leads, %d kill points each, %d at once (HALOLEADS_CRASH_SEED=%d reproduces)",
		cfg.Seed, cfg.Runs, cfg.Leads, cfg.Kills, cfg.Parallel, cfg.Seed)
	outcomes := make([]crashOutcome, cfg.Runs)
	slots := make(chan struct{}, cfg.Parallel)
	var wg sync.WaitGroup
	for i := range cfg.Runs {
		seed := cfg.Seed + int64(i)
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			outcomes[i].Seed = seed
			t.Run("seed="+strconv.FormatInt(seed, 10), func(t *testing.T) {
				defer func() { outcomes[i].Passed = !t.Failed() }() // a run that stops early counts what it did
				crashRun(t, seed, cfg, &outcomes[i])
			})
		})
	}
	wg.Wait()
	var sum crashOutcome
	passed := 0
	for _, o := range outcomes {
		if o.Passed {
			passed++
		}
		sum.Kills += o.Kills
		sum.Drawn += o.Drawn
		sum.People += o.People
		sum.Duplicates += o.Duplicates
		sum.Missing += o.Missing
		sum.Imports += o.Imports
		sum.Dead += o.Dead
		sum.Checks += o.Checks
		sum.WorkerCPU += o.WorkerCPU
	}
	t.Logf("crash test: %d of %d runs passed; %d people, %d kills (of %d points drawn), %d duplicates, %d missing",
		passed, cfg.Runs, sum.People, sum.Kills, sum.Drawn, sum.Duplicates, sum.Missing)
	t.Logf("crash test: summed over the runs, %v importing (%v of it from a kill to the next HaloPSA request), %v checking; CPU: workers %v, this test process %v",
		sum.Imports.Round(time.Second), sum.Dead.Round(time.Second), sum.Checks.Round(time.Second), sum.WorkerCPU.Round(time.Second), selfCPU().Round(time.Second))
}

// selfCPU is the CPU time (user and system) this process has used: the sandboxes, the checks
// and the Temporal clients of every run, and whatever else the test binary ran before.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// expectedRequests is about how many HaloPSA API requests an import of n people makes,
// uninterrupted (measured: 63 for the two imports of a 200-person run; a few dozen to read
// and set up the tenant, about five a batch of 100): its kill points are drawn over that many.
func expectedRequests(n int) int {
	return 25 + 5*((n+99)/100)
}

// drawKills draws n kill points over imports of about requests[i] HaloPSA requests each: for
// each import, its points in order, Request counted from the import's start.
func drawKills(rng *rand.Rand, n int, requests []int) [][]killPoint {
	points := make([][]killPoint, len(requests))
	for range n {
		i := rng.IntN(len(requests))
		points[i] = append(points[i], killPoint{Request: 1 + rng.IntN(max(requests[i], 1)), Applied: rng.IntN(2) == 1,
			Pause: time.Duration(rng.IntN(2000)) * time.Millisecond})
	}
	for _, p := range points {
		slices.SortFunc(p, func(a, b killPoint) int { return a.Request - b.Request })
	}
	return points
}

// crashImport is one import of a run and what its summary must say.
type crashImport struct {
	runID                    string
	files                    []string
	leads, created, upserted int
}

func crashRun(t *testing.T, seed int64, cfg crashConfig, out *crashOutcome) {
	began := time.Now()
	defer func() { t.Logf("run took %v", time.Since(began).Round(time.Second)) }()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	n := cfg.Leads
	*out = crashOutcome{Seed: seed, People: n + n/4, Drawn: cfg.Kills}
	w := newDevWorld(t, t.TempDir())
	first := w.peopleFile("people.csv", 0, n, false)
	second := w.peopleFile("phones.csv", n/2, n+n/4, true) // n-n/2 updates, n/4 new people
	kills := drawKills(rng, cfg.Kills, []int{expectedRequests(n), expectedRequests(n + n/4 - n/2)})
	for i, points := range kills {
		for _, k := range points {
			t.Logf("kill point of import %d: %v", i+1, k)
		}
	}
	w.start()
	// Deadlines, not measurements: a loaded machine running several worlds is slow.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute+time.Duration(n)*500*time.Millisecond)
	defer cancel()
	defer func() { out.WorkerCPU = w.stop() }()
	imported := time.Now()
	for i, imp := range []crashImport{
		{runID: "first", files: []string{first}, leads: n, created: n},
		{runID: "second", files: []string{second}, leads: n + n/4 - n/2, created: n / 4, upserted: n - n/2},
	} {
		sum := w.importThroughKills(ctx, imp, kills[i], out)
		if sum.Leads != imp.leads || sum.LeadsCreated != imp.created || sum.LeadsUpdated != imp.upserted || len(sum.Errors) > 0 {
			t.Errorf("import %s: %d leads, %d created, %d updated, errors %v; want %d, %d, %d, none",
				imp.runID, sum.Leads, sum.LeadsCreated, sum.LeadsUpdated, sum.Errors, imp.leads, imp.created, imp.upserted)
		}
	}
	out.Imports = time.Since(imported)
	t.Logf("%d kills, %d HaloPSA requests: %v", out.Kills, w.trap.count(), w.sandbox.Stats().ByRoute)
	checked := time.Now()
	defer func() {
		out.Checks = time.Since(checked)
		t.Logf("imports took %v (%v of it from a kill to the next HaloPSA request), the checks %v",
			out.Imports.Round(time.Second), out.Dead.Round(time.Second), out.Checks.Round(time.Second))
	}()
	c := w.census(t, out.People)
	out.Duplicates, out.Missing = c.duplicates(), c.missing
	t.Logf("HaloPSA: %s", c)
	cctx, ccancel := context.WithTimeout(context.Background(), 15*time.Minute+time.Duration(n)*200*time.Millisecond)
	defer ccancel()
	w.checkLeads(cctx, t, c, n)
	w.checkReimport(cctx, t, []string{first, second}, out.People)
}

// importThroughKills runs an import, killing and restarting the worker at each of its kill
// points it reaches, and returns the import's summary.
func (w *devWorld) importThroughKills(ctx context.Context, imp crashImport, kills []killPoint, out *crashOutcome) leadflow.Summary {
	t := w.t
	t.Helper()
	base := w.trap.count() // kill points count from here
	in := leadflow.ImportInput{RunID: imp.runID, Files: imp.files}
	if _, err := pipeline.RunImport(ctx, w.temporal, in, false); err != nil {
		t.Fatal(err)
	}
	finished := w.awaitImport(ctx, imp.runID)
	killed := false // since the last kill, not yet counted in out.Dead
	dead := func() {
		if d, ok := w.trap.resumedAfter(); killed && ok {
			out.Dead += d
			killed = false
			t.Logf("import %s: the first HaloPSA request after the kill came %v after it", imp.runID, d.Round(time.Millisecond))
		}
	}
	for {
		if len(kills) > 0 {
			next := kills[0]
			next.Request += base
			w.trap.arm(&next)
		}
		select {
		case k := <-w.trap.hit:
			dead()
			kills = kills[1:]
			k.Request -= base
			w.worker.kill()
			w.trap.quiet()
			killed = true
			out.Kills++
			time.Sleep(k.Pause)
			began := time.Now()
			w.start()
			t.Logf("import %s: killed at %v, holding %s; up again after %v", imp.runID, k.killPoint, k.Held, time.Since(began).Round(time.Millisecond))
		case r := <-finished:
			dead()
			w.trap.arm(nil)
			if r.err != nil {
				t.Fatalf("import %s: %v", imp.runID, r.err)
			}
			return r.sum
		case <-w.worker.exited:
			if strings.Contains(w.worker.logTail(), "address already in use") {
				t.Logf("import %s: the worker lost the race for a port with another world's; started again", imp.runID)
				w.start()
				continue
			}
			t.Fatalf("import %s: the worker exited on its own:\n%s", imp.runID, w.worker.logTail())
		case <-ctx.Done():
			t.Fatalf("import %s did not finish in time", imp.runID)
		}
	}
}

type importResult struct {
	sum leadflow.Summary
	err error
}

// awaitImport reports the import's result once it has closed, asking Temporal (which dies and
// comes back with each worker) until it answers.
func (w *devWorld) awaitImport(ctx context.Context, runID string) <-chan importResult {
	out := make(chan importResult, 1)
	id := leadflow.ImportWorkflowID(runID)
	go func() {
		for ctx.Err() == nil {
			time.Sleep(250 * time.Millisecond)
			qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			d, err := w.temporal.DescribeWorkflowExecution(qctx, id, "")
			if err == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				var r importResult
				r.err = w.temporal.GetWorkflow(qctx, id, "").Get(qctx, &r.sum)
				cancel()
				if r.err == nil || ctx.Err() != nil {
					out <- r
					return
				}
				continue
			}
			cancel()
		}
	}()
	return out
}

// checkLeads compares every lead workflow with HaloPSA and the store: its user, lead ticket,
// client and site are the person's records in HaloPSA and the store's, its status is the
// ticket's, no offer waits for its landing, the people of the second list have a phone number
// and those it updated exactly one audit note of it. A workflow answers a query before it has
// handled every signal (and a query to a lead no worker has cached replays its history, which
// can time out on a loaded machine), so the leads that differ are asked again for two minutes.
func (w *devWorld) checkLeads(ctx context.Context, t *testing.T, c census, firstList int) {
	t.Helper()
	statuses := map[int]lifecycle.Status{}
	for _, s := range w.sandbox.Statuses() {
		if st, err := lifecycle.ParseStatus(s.String("name")); err == nil {
			statuses[s.ID()] = st
		}
	}
	err := withStore(w.io, func(st *store.Store) error {
		differ := map[int]error{}
		for i := range firstList + firstList/4 {
			differ[i] = nil
		}
		var deadline time.Time // set after the first pass, which asks every lead
		for pass := 0; len(differ) > 0 && (pass == 0 || time.Now().Before(deadline)) && ctx.Err() == nil; pass++ {
			for i := range differ {
				u := c.userOf[personEmail(i)]
				if u == nil || c.ticketOf[u.ID()] == nil {
					delete(differ, i) // missing: counted by the census
					continue
				}
				tk := c.ticketOf[u.ID()]
				want := leadRecords{user: u, ticket: tk, status: statuses[tk.Int("status_id")],
					phone: i >= firstList/2, updated: i >= firstList/2 && i < firstList, notes: c.notesOf[tk.ID()]}
				if differ[i] = w.checkLead(ctx, st, personEmail(i), want); differ[i] == nil {
					delete(differ, i)
				}
			}
			if pass == 0 {
				deadline = time.Now().Add(2 * time.Minute)
			}
			if len(differ) > 0 {
				time.Sleep(500 * time.Millisecond)
			}
		}
		for i, problem := range differ {
			t.Errorf("person %d: %v", i, problem)
		}
		for _, runID := range []string{"first", "second"} {
			if _, err := st.Batch(ctx, runID, 0); !errors.Is(err, store.ErrBatchMissing) {
				t.Errorf("import %s: its staged data is still in the store (%v)", runID, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// leadRecords is what HaloPSA holds for one person.
type leadRecords struct {
	user, ticket halosandbox.Record
	status       lifecycle.Status
	phone        bool     // the second list gave them a phone number
	updated      bool     // ... and they were in the first list: their ticket has its audit note
	notes        []string // their ticket's notes
}

func (w *devWorld) checkLead(ctx context.Context, st *store.Store, email string, want leadRecords) error {
	id, ok, err := st.LookupIdentity(ctx, emailIdentity(email))
	if err != nil || !ok {
		return fmt.Errorf("the store has no lead for them (%v)", err)
	}
	if byTicket, ok, err := st.LeadOfTicket(ctx, want.ticket.ID()); err != nil || !ok || byTicket != id {
		return fmt.Errorf("the store gives their ticket %d to lead %q, not %s (%v)", want.ticket.ID(), byTicket, id, err)
	}
	ls, err := readLead(ctx, w.temporal, id)
	if err != nil {
		return err
	}
	halo := leadflow.HaloIDs{ClientID: want.user.Int("client_id"), SiteID: want.user.Int("site_id"),
		UserID: want.user.ID(), TicketID: want.ticket.ID()}
	if ls.Halo != halo {
		return fmt.Errorf("lead %s holds HaloPSA ids %+v, HaloPSA %+v", id, ls.Halo, halo)
	}
	cos, err := st.Companies(ctx, []string{dedupe.CompanyKey(ls.Lead.Values)})
	if co := cos[dedupe.CompanyKey(ls.Lead.Values)]; err != nil || co.ClientID != halo.ClientID || co.SiteID != halo.SiteID {
		return fmt.Errorf("the store's company of lead %s is %+v, HaloPSA's client %d site %d (%v)", id, co, halo.ClientID, halo.SiteID, err)
	}
	if ls.Status != want.status || ls.Offered != nil || len(ls.Pending) > 0 {
		return fmt.Errorf("lead %s is %s (offer waiting %v, pending %v), its ticket %s", id, ls.Status, ls.Offered, ls.Pending, want.status)
	}
	phone := want.user.String("phonenumber")+want.user.String("mobilenumber") != ""
	leadPhone := ls.Lead.Values[lead.PhoneDirect] + ls.Lead.Values[lead.PhoneMobile] + ls.Lead.Values[lead.PhoneCompany]
	ours := 0
	for _, note := range want.notes {
		if strings.Contains(note, "Import run: second") {
			ours++
		}
	}
	if wantNotes := map[bool]int{true: 1}[want.updated]; phone != want.phone || (leadPhone != "") != want.phone || ours != wantNotes {
		return fmt.Errorf("lead %s: phone in HaloPSA %v, in the lead %q, %d audit notes of the second import; want phone %v, %d notes",
			id, phone, leadPhone, ours, want.phone, wantNotes)
	}
	return nil
}

// checkReimport imports the files again, uninterrupted: nothing is created or updated, and
// HaloPSA sees no write.
func (w *devWorld) checkReimport(ctx context.Context, t *testing.T, files []string, people int) {
	t.Helper()
	writes := w.sandbox.Stats().Writes
	in := leadflow.ImportInput{RunID: "again", Files: files}
	sum, err := pipeline.RunImport(ctx, w.temporal, in, true)
	if err != nil {
		t.Fatal(err)
	}
	if d := w.sandbox.Stats().Writes - writes; d != 0 || sum.LeadsCreated != 0 || sum.LeadsUpdated != 0 || sum.Unchanged != people {
		t.Errorf("re-import: %d HaloPSA writes, %d created, %d updated, %d unchanged; want 0, 0, 0, %d", d, sum.LeadsCreated, sum.LeadsUpdated, sum.Unchanged, people)
	}
}
