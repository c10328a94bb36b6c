// Package bench measures haloleads' throughput against HaloPSA's rate limit: it generates an
// overlapping Apollo, ZoomInfo and Hunter input, imports it through the Import workflow on the
// embedded Temporal server into the HaloPSA sandbox (with the real limit shape on a time-scaled
// window), imports it again, and compares the requests made with a baseline that writes one
// record per request the way the original design doc does.
package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"

	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// Defaults of Config.
const (
	DefaultLeads         = 10000
	DefaultLimit         = 300
	DefaultWindow        = 5 * time.Second
	DefaultSeed          = 1
	DefaultHistorySample = 50
)

// Config configures a benchmark run. Zero fields take the defaults above.
type Config struct {
	Leads int
	// Limit requests per Window is the budget of the sandbox and of the client alike: HaloPSA's
	// 300 per 5 minutes, time-scaled to 300 per 5 seconds by default.
	Limit  int
	Window time.Duration
	Seed   uint64
	// HistorySample is how many lead workflows' histories are read to count events.
	HistorySample int
	// SkipBaseline leaves the baseline out (its figures stay zero).
	SkipBaseline bool
	// Tenant is the number of people (users, each with a lead-type ticket, at 100 clients) the
	// sandbox holds before the import, none of them in the input: what reading the tenant costs.
	Tenant int
	// TenantChanged people of the tenant are edited by an agent after the re-import, then the
	// input is imported again (Figures.Tenant.Incremental); with CompareFullRead as many others
	// are edited and it is imported once more reading the whole tenant (Tenant.FullRead).
	TenantChanged   int
	CompareFullRead bool
	// ImportWindow and BatchesPerRun are the import's (leadflow.ImportInput); 0: its defaults.
	// ImportWindow 1 lands one batch after another, as imports did before the sliding window.
	ImportWindow, BatchesPerRun int
	// OfferNewLeads offers new leads to their workflows, as imports did before they started
	// them landed (leadflow.ImportInput.OfferNewLeads).
	OfferNewLeads bool
	// CPUProfile, when set, is the file a CPU profile of the first import is written to.
	CPUProfile string
	// Dir holds the generated input and the store; default a temporary directory, removed after.
	Dir    string
	Logger *zap.Logger
}

func (c Config) withDefaults() Config {
	if c.Leads == 0 {
		c.Leads = DefaultLeads
	}
	if c.Limit == 0 {
		c.Limit = DefaultLimit
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.HistorySample == 0 {
		c.HistorySample = DefaultHistorySample
	}
	c.Logger = nopLogger(c.Logger)
	return c
}

// Report is what a run measured. Requests are counted by the sandbox (every request it saw,
// token requests and 429 answers included); tenant set-up is not counted.
type Report struct {
	Leads     int       `json:"leads"`
	Haloleads Figures   `json:"haloleads"`
	Baseline  Baseline  `json:"baseline"`
	Ratio     float64   `json:"ratio"` // baseline requests per lead / haloleads requests per lead
	Summary   Summaries `json:"-"`
}

// Figures are haloleads' figures: the first import's requests, time and history, and the
// re-import's writes.
type Figures struct {
	HaloRequests    int64   `json:"halo_requests"`
	RequestsPerLead float64 `json:"requests_per_lead"`
	// Windows is HaloRequests / limit: how many rolling windows the import needs at least.
	Windows               float64 `json:"windows"`
	Responses429          int     `json:"responses_429"` // import and re-import
	ReimportWriteRequests int64   `json:"reimport_write_requests"`
	ReimportRequests      int64   `json:"reimport_requests"` // every request of the re-import, reads included
	HistoryEventsPerLead  float64 `json:"history_events_per_lead"`
	WallSPer1000          float64 `json:"wall_s_per_1000"`
	CPUSPer1000           float64 `json:"cpu_s_per_1000"` // the whole process: Temporal and sandbox too
	// ByRoute counts the first import's requests by route ("GET /api/Users"), to see where
	// they go.
	ByRoute map[string]int `json:"by_route,omitempty"`
	// ReimportByRoute counts the re-import's requests by route.
	ReimportByRoute map[string]int `json:"reimport_by_route,omitempty"`
	// ImportRuns is the number of runs of the first import (Continue-As-New), LongestRunEvents
	// the history length of its longest run.
	ImportRuns       int `json:"import_runs"`
	LongestRunEvents int `json:"longest_import_run_events"`
	// TenantRecords is the number of people the sandbox held before the import (Config.Tenant).
	TenantRecords int `json:"tenant_records,omitempty"`
	// Tenant are the prefilled tenant's figures (nil without one and without changes).
	Tenant *TenantFigures `json:"tenant,omitempty"`
	// PeakRSSMiB is the process's peak resident memory over the whole run (0 where not measured).
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// ImportHeap and ReimportHeap are the heap the first import and the re-import held (the
	// tenant's re-imports have theirs in Tenant).
	ImportHeap   Heap `json:"import_heap"`
	ReimportHeap Heap `json:"reimport_heap"`
}

// Baseline are the figures of the one-record-per-request design on the same leads.
type Baseline struct {
	HaloRequests    int64   `json:"halo_requests"`
	RequestsPerLead float64 `json:"requests_per_lead"`
	Windows         float64 `json:"windows"`
}

// Summaries are the two imports' summaries, for callers that check them.
type Summaries struct {
	Import, Reimport leadflow.Summary
	Input            Input
}

// Run generates the input and measures haloleads, then the baseline.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg = cfg.withDefaults()
	dir, cleanup, err := workDir(cfg.Dir)
	if err != nil {
		return Report{}, err
	}
	defer cleanup()
	in, err := Generate(dir, cfg.Leads, cfg.Seed)
	if err != nil {
		return Report{}, err
	}
	rep, err := runHaloleads(ctx, cfg, dir, in)
	if err != nil || cfg.SkipBaseline {
		return rep, err
	}
	if rep.Baseline, err = RunBaseline(ctx, cfg, in.Files); err != nil {
		return rep, err
	}
	if rep.Haloleads.RequestsPerLead > 0 {
		rep.Ratio = rep.Baseline.RequestsPerLead / rep.Haloleads.RequestsPerLead
	}
	return rep, nil
}

func workDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, fmt.Errorf("creating %s: %w", dir, err)
		}
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "haloleads-bench-")
	if err != nil {
		return "", nil, fmt.Errorf("creating a temporary directory: %w", err)
	}
	return tmp, func() { _ = os.RemoveAll(tmp) }, nil
}

// runHaloleads imports the input twice through the Import workflow and measures both runs.
func runHaloleads(ctx context.Context, cfg Config, dir string, in Input) (Report, error) {
	w, err := startWorld(ctx, cfg, dir)
	if err != nil {
		return Report{}, err
	}
	defer w.close()
	rep := Report{Summary: Summaries{Input: in}}
	stopProfile, err := startProfile(cfg.CPUProfile)
	if err != nil {
		return rep, err
	}
	heap := watchHeap()
	cpu0, start := cpuTime(), time.Now()
	first, err := importOnce(ctx, w, cfg, "bench-import", in.Files)
	if err == nil {
		err = drained(ctx, w) // the leads' last workflow tasks are the import's cost too
	}
	wall, cpu := time.Since(start), cpuTime()-cpu0
	rep.Haloleads.ImportHeap = heap.end()
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return rep, err
	}
	rep.Summary.Import, rep.Leads = first, first.Leads
	st := w.sandbox.Stats()
	f := &rep.Haloleads
	f.HaloRequests, f.Responses429, f.ByRoute = int64(st.Requests), st.Responses429, st.ByRoute
	f.RequestsPerLead, f.Windows = perLead(f.HaloRequests, rep.Leads), float64(f.HaloRequests)/float64(cfg.Limit)
	f.WallSPer1000, f.CPUSPer1000 = per1000(wall, rep.Leads), per1000(cpu, rep.Leads)
	if f.HistoryEventsPerLead, err = historyPerLead(ctx, w, first, cfg.HistorySample); err != nil {
		return rep, err
	}
	if f.ImportRuns, f.LongestRunEvents, err = importRuns(ctx, w, first.RunID); err != nil {
		return rep, err
	}
	f.TenantRecords = cfg.Tenant
	w.sandbox.ResetStats()
	writes := w.halo.WriteRequests()
	heap = watchHeap()
	rep.Summary.Reimport, err = importOnce(ctx, w, cfg, "bench-reimport", in.Files)
	if f.ReimportHeap = heap.end(); err != nil {
		return rep, err
	}
	f.ReimportWriteRequests = w.halo.WriteRequests() - writes
	again := w.sandbox.Stats()
	f.Responses429 += again.Responses429
	f.ReimportRequests, f.ReimportByRoute = int64(again.Requests), again.ByRoute
	if cfg.TenantChanged > 0 || cfg.CompareFullRead {
		if err := measureTenant(ctx, w, cfg, in.Files); err != nil {
			return rep, err
		}
	}
	f.Tenant, f.PeakRSSMiB = w.figures, float64(peakRSS())/(1<<20)
	return rep, nil
}

// ErrImport is wrapped by the error of an import whose summary reports errors.
var ErrImport = errors.New("import reported errors")

func importOnce(ctx context.Context, w *world, cfg Config, runID string, files []string) (leadflow.Summary, error) {
	in := leadflow.ImportInput{RunID: runID, Files: files, Window: cfg.ImportWindow, BatchesPerRun: cfg.BatchesPerRun,
		OfferNewLeads: cfg.OfferNewLeads}
	sum, err := pipeline.RunImport(ctx, w.temporal, in, true)
	if err != nil {
		return sum, err
	}
	if len(sum.Errors) > 0 {
		return sum, fmt.Errorf("%w: %s: %v", ErrImport, runID, sum.Errors)
	}
	return sum, nil
}

func perLead(requests int64, leads int) float64 {
	if leads == 0 {
		return 0
	}
	return float64(requests) / float64(leads)
}

func per1000(d time.Duration, leads int) float64 {
	if leads == 0 {
		return 0
	}
	return d.Seconds() * 1000 / float64(leads)
}

// drained waits until the lead workflows' task queue holds no workflow task waiting: an
// import returns before the last workflow tasks of its leads ran (the Landed signals' tasks,
// the first tasks of the workflows it started landed), and their CPU is the import's.
func drained(ctx context.Context, w *world) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req := &workflowservice.DescribeTaskQueueRequest{
		Namespace:     w.namespace,
		TaskQueue:     &taskqueuepb.TaskQueue{Name: leadflow.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW,
		ReportStats:   true,
	}
	for {
		resp, err := w.temporal.WorkflowService().DescribeTaskQueue(ctx, req)
		if err != nil {
			return fmt.Errorf("reading the lead workflows' task queue: %w", err)
		}
		if resp.GetStats().GetApproximateBacklogCount() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the lead workflows' tasks: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// historyPerLead is the mean event count of a sample of lead workflows plus the import
// workflow's events shared out over the leads.
func historyPerLead(ctx context.Context, w *world, sum leadflow.Summary, sample int) (float64, error) {
	ids, err := sampleLeads(ctx, w, sample)
	if err != nil || len(ids) == 0 || sum.Leads == 0 {
		return 0, err
	}
	total := 0
	for _, id := range ids {
		n, err := settledEvents(ctx, w, id)
		if err != nil {
			return 0, err
		}
		total += n
	}
	_, imp, err := importEvents(ctx, w, sum.RunID)
	if err != nil {
		return 0, err
	}
	return float64(total)/float64(len(ids)) + float64(imp)/float64(sum.Leads), nil
}

// importRuns returns the number of runs of an import and the event count of its longest.
func importRuns(ctx context.Context, w *world, runID string) (runs, longest int, err error) {
	counts, _, err := importEvents(ctx, w, runID)
	for _, n := range counts {
		longest = max(longest, n)
	}
	return len(counts), longest, err
}

// importEvents counts the events of each run of an import (following Continue-As-New back
// from the last run) and their total.
func importEvents(ctx context.Context, w *world, runID string) (perRun []int, total int, err error) {
	id, run := leadflow.ImportWorkflowID(runID), ""
	for {
		it := w.temporal.GetWorkflowHistory(ctx, id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		n, prev := 0, ""
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return nil, 0, fmt.Errorf("reading the history of %s: %w", id, err)
			}
			if n == 0 {
				prev = ev.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
			}
			n++
		}
		perRun, total = append(perRun, n), total+n
		if prev == "" {
			return perRun, total, nil
		}
		run = prev
	}
}

// startProfile starts a CPU profile into path ("" for none) and returns the function that
// stops it.
func startProfile(path string) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting the CPU profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// sampleLeads returns up to n lead IDs from the store, in ID order (IDs are content hashes, so
// the first ones are as good as a random sample).
func sampleLeads(ctx context.Context, w *world, n int) ([]string, error) {
	known, err := w.store.Identities(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading lead identities: %w", err)
	}
	var ids []string
	for _, id := range known {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return ids[:min(n, len(ids))], nil
}

// settledEvents counts a workflow's history events once its last workflow task has completed
// (a signal sent at the end of an import is still being handled when the import returns). The
// commands of that task (search attributes, timers, activities) follow its completion event.
func settledEvents(ctx context.Context, w *world, id string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		n, last, err := countEvents(ctx, w, id)
		if err != nil {
			return 0, err
		}
		if last == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || last == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED ||
			last == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("waiting for workflow %s to settle: %w", id, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// countEvents returns the number of events in a workflow's history and the type of its last
// workflow-task or closing event (the events a task's commands add after it are not counted
// as "last").
func countEvents(ctx context.Context, w *world, id string) (int, enumspb.EventType, error) {
	it := w.temporal.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n, last := 0, enumspb.EVENT_TYPE_UNSPECIFIED
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return 0, last, fmt.Errorf("reading the history of %s: %w", id, err)
		}
		n++
		switch t := ev.GetEventType(); t {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
			enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
			enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
			last = t
		}
	}
	return n, last, nil
}
