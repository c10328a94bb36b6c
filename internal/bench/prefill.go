package bench

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"haloleads/internal/halosandbox"
	"haloleads/internal/halostate"
	"haloleads/internal/tenant"
)

// prefillSpan is the time the prefilled people's last updates spread over: a tenant used for
// three years.
const prefillSpan = 3 * 365 * 24 * time.Hour

// TenantFigures are what a pre-filled tenant cost: filling it, and the re-imports after some
// of its people were changed, reading what changed and (for comparison) the whole tenant.
type TenantFigures struct {
	People int `json:"people"`
	// Records are the users, tickets, clients and sites the sandbox held before the import.
	Records        int     `json:"records"`
	PrefillS       float64 `json:"prefill_s"`
	PrefillHeapMiB float64 `json:"prefill_heap_mib"` // the process's heap once filled (the sandbox alone then)
	// ChangedPeople were edited by an agent before each measured re-import: each one's user
	// and ticket, ChangedRecords in all.
	ChangedPeople  int `json:"changed_people"`
	ChangedRecords int `json:"changed_records"`
	// Incremental is the re-import after the changes (reading what changed since the last
	// read); FullRead the same after as many other changes with the watermarks forgotten, so
	// it reads the whole tenant as every import did before the incremental read.
	Incremental *Reimport `json:"incremental,omitempty"`
	FullRead    *Reimport `json:"full_read,omitempty"`
}

// Reimport are one re-import's figures.
type Reimport struct {
	HaloRequests  int64          `json:"halo_requests"`
	TenantReads   int            `json:"tenant_reads"` // GET /api/Users, /api/Client and /api/Tickets
	Responses429  int            `json:"responses_429"`
	WriteRequests int64          `json:"write_requests"`
	WallS         float64        `json:"wall_s"`
	CPUS          float64        `json:"cpu_s"`
	ByRoute       map[string]int `json:"by_route,omitempty"`
	Heap          Heap           `json:"heap"`
}

// tenantReadRoutes are the routes of the tenant read.
var tenantReadRoutes = []string{"GET /api/Users", "GET /api/Client", "GET /api/Tickets"}

// prefill gives the sandbox tenant n existing people who are not in the benchmark's input
// (halosandbox.Prefill: users at 100 clients, each with a ticket of the Lead type, their last
// updates spread over three years), inserted without HTTP; it is not measured as requests.
func (w *tenantWorld) prefill(n int) error {
	if n <= 0 {
		return nil
	}
	heap0, start := heapInUse(), time.Now()
	ids, err := w.sandbox.Prefill(halosandbox.Prefill{People: n, TicketTypeID: int(w.result.TicketTypes[tenant.Lead]), Span: prefillSpan})
	if err != nil {
		return fmt.Errorf("prefilling the sandbox: %w", err)
	}
	took, heap := time.Since(start), heapInUse()
	w.prefilled = ids
	w.figures = &TenantFigures{People: n, Records: ids.Users.Count + ids.Tickets.Count + ids.Clients.Count + ids.Sites.Count,
		PrefillS: took.Seconds(), PrefillHeapMiB: float64(heap-min(heap0, heap)) / (1 << 20)}
	return nil
}

// change edits k prefilled people as an agent would in the Halo UI (their user's phone and
// their ticket's details; each edit moves the record's last update to now). Round r picks
// other people than the rounds before it, spread over the tenant.
func (w *tenantWorld) change(k, round int) error {
	n := w.prefilled.Users.Count
	if k <= 0 || n == 0 {
		return nil
	}
	step := max(n/k, 1)
	for j := range min(k, n) {
		i := (j*step + round) % n
		if err := w.sandbox.AgentEditUser(w.prefilled.Users.ID(i), map[string]any{"phonenumber": fmt.Sprintf("+44 20 7946 %04d", j%10000)}); err != nil {
			return fmt.Errorf("changing prefilled person %d: %w", i, err)
		}
		if err := w.sandbox.AgentEditTicket(w.prefilled.Tickets.ID(i), map[string]any{"details": fmt.Sprintf("Called back (round %d)", round+1)}); err != nil {
			return fmt.Errorf("changing prefilled person %d: %w", i, err)
		}
	}
	return nil
}

// measureTenant changes cfg.TenantChanged people and re-imports (the incremental read), then,
// with cfg.CompareFullRead, changes as many others and re-imports with the watermarks
// forgotten (the whole tenant read).
func measureTenant(ctx context.Context, w *world, cfg Config, files []string) error {
	f := w.figures
	if f == nil {
		f = &TenantFigures{}
		w.figures = f
	}
	f.ChangedPeople = min(cfg.TenantChanged, w.prefilled.Users.Count)
	f.ChangedRecords = 2 * f.ChangedPeople
	if err := w.change(cfg.TenantChanged, 0); err != nil {
		return err
	}
	var err error
	if f.Incremental, err = measureReimport(ctx, w, cfg, "bench-changed", files); err != nil || !cfg.CompareFullRead {
		return err
	}
	if err := w.change(cfg.TenantChanged, 1); err != nil {
		return err
	}
	rd := &halostate.Reader{Store: w.store}
	if err := rd.Forget(ctx, halostate.Mirror); err != nil {
		return err
	}
	f.FullRead, err = measureReimport(ctx, w, cfg, "bench-fullread", files)
	return err
}

// measureReimport imports the files again and counts what that cost.
func measureReimport(ctx context.Context, w *world, cfg Config, runID string, files []string) (*Reimport, error) {
	w.sandbox.ResetStats()
	writes := w.halo.WriteRequests()
	heap := watchHeap()
	cpu0, start := cpuTime(), time.Now()
	_, err := importOnce(ctx, w, cfg, runID, files)
	wall, cpu, held := time.Since(start), cpuTime()-cpu0, heap.end()
	if err != nil {
		return nil, err
	}
	r := &Reimport{WallS: wall.Seconds(), CPUS: cpu.Seconds(), WriteRequests: w.halo.WriteRequests() - writes, Heap: held}
	st := w.sandbox.Stats()
	r.HaloRequests, r.Responses429, r.ByRoute = int64(st.Requests), st.Responses429, st.ByRoute
	for _, route := range tenantReadRoutes {
		r.TenantReads += st.ByRoute[route]
	}
	return r, nil
}

// heapInUse is the process's live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
