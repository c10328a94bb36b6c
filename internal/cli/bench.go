package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"haloleads/internal/bench"
)

func newBenchCmd(io IO) *cobra.Command {
	var c bench.Config
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "measure requests, windows and time per lead against the one-request-per-record baseline",
		Long: `Generate overlapping Apollo, ZoomInfo and Hunter exports, import them on the embedded Temporal
server into the HaloPSA sandbox, and compare with one request per record (see BENCHMARKS.md).`,
		Example: "  starter bench\n  starter bench --leads 1000 --json\n  starter bench --leads 100000 --tenant 100000 --no-baseline --json\n  starter bench --leads 10000 --tenant 500000 --tenant-changed 5000 --full-read --no-baseline",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.Leads < 1 || c.Limit < 1 || c.Window <= 0 {
				return usageError("--leads, --limit and --window must be positive")
			}
			if c.Tenant < 0 || c.TenantChanged < 0 || c.ImportWindow < 0 || c.BatchesPerRun < 0 {
				return usageError("--tenant, --tenant-changed, --parallel-batches and --batches-per-run cannot be negative")
			}
			if c.TenantChanged > c.Tenant {
				return usageError("--tenant-changed cannot exceed --tenant: it changes people the tenant holds")
			}
			c.Logger = newLogger(zap.WarnLevel, io.Stderr)
			rep, err := bench.Run(cmd.Context(), c)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(io.Stdout, rep)
			}
			printBench(io.Stdout, rep, c.Limit, c.Window)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&c.Leads, "leads", bench.DefaultLeads, "generate `N` leads (Apollo, ZoomInfo and Hunter exports that overlap)")
	f.BoolVar(&asJSON, "json", false, "print the figures as one JSON object")
	f.IntVar(&c.Limit, "limit", bench.DefaultLimit, "HaloPSA's request budget per window, for the sandbox and the client alike")
	f.DurationVar(&c.Window, "window", bench.DefaultWindow, "the budget's rolling window, time-scaled (HaloPSA's is 5m)")
	f.Uint64Var(&c.Seed, "seed", bench.DefaultSeed, "seed of the generated input")
	f.IntVar(&c.Tenant, "tenant", 0, "pre-fill the sandbox with `N` existing people (users with lead tickets) not in the input, in seconds and without requests")
	f.IntVar(&c.TenantChanged, "tenant-changed", 0, "after the re-import, an agent edits `K` of the tenant's people (user and ticket) and the input is imported again, reading what changed")
	f.BoolVar(&c.CompareFullRead, "full-read", false, "then edit as many others and import again reading the whole tenant (its watermarks forgotten), for comparison")
	f.IntVar(&c.ImportWindow, "parallel-batches", 0, "batches the import lands at once (0: IMPORT_PARALLEL_BATCHES' default, 4; 1: one after another)")
	f.IntVar(&c.BatchesPerRun, "batches-per-run", 0, "batches an import run lands before it continues as new (0: 500)")
	f.BoolVar(&c.OfferNewLeads, "offer-new-leads", false, "offer new leads to their workflows and signal where they landed, as imports did before they started them landed")
	f.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the first import to `FILE` (go tool pprof)")
	f.BoolVar(&c.SkipBaseline, "no-baseline", false, "leave the one-request-per-record baseline out (it takes most of the time)")
	return cmd
}

func printBench(w io.Writer, r bench.Report, limit int, window fmt.Stringer) {
	h, b := r.Haloleads, r.Baseline
	fmt.Fprintf(w, "%d leads, budget %d requests per %s\n\n", r.Leads, limit, window)
	fmt.Fprintf(w, "%-10s %10s %14s %9s\n", "", "requests", "requests/lead", "windows")
	fmt.Fprintf(w, "%-10s %10d %14.3f %9.1f\n", "haloleads", h.HaloRequests, h.RequestsPerLead, h.Windows)
	fmt.Fprintf(w, "%-10s %10d %14.3f %9.1f\n", "baseline", b.HaloRequests, b.RequestsPerLead, b.Windows)
	fmt.Fprintf(w, "\nbaseline makes %.0fx the requests per lead\n", r.Ratio)
	fmt.Fprintf(w, "haloleads: %d answers 429, re-import %d write requests, %.1f history events per lead,\n",
		h.Responses429, h.ReimportWriteRequests, h.HistoryEventsPerLead)
	fmt.Fprintf(w, "           %.2f s wall and %.2f s CPU per 1,000 leads\n", h.WallSPer1000, h.CPUSPer1000)
	fmt.Fprintf(w, "           import ran as %d runs, the longest %d history events; tenant held %d people\n",
		h.ImportRuns, h.LongestRunEvents, h.TenantRecords)
	if t := h.Tenant; t != nil {
		fmt.Fprintf(w, "tenant: %d records, filled in %.1f s (%.0f MiB of heap); %d records changed before each re-import\n",
			t.Records, t.PrefillS, t.PrefillHeapMiB, t.ChangedRecords)
		for _, m := range []struct {
			name string
			r    *bench.Reimport
		}{{"reading what changed", t.Incremental}, {"reading the whole tenant", t.FullRead}} {
			if m.r != nil {
				fmt.Fprintf(w, "  re-import %-25s %6d requests (%d tenant reads), %d answers 429, %.1f s wall, %.1f s CPU\n",
					m.name+":", m.r.HaloRequests, m.r.TenantReads, m.r.Responses429, m.r.WallS, m.r.CPUS)
				fmt.Fprintf(w, "  %-35s %s\n", "", heapLine(m.r.Heap))
			}
		}
	}
	fmt.Fprintf(w, "heap: import %s\n      re-import %s\n", heapLine(h.ImportHeap), heapLine(h.ReimportHeap))
	fmt.Fprintf(w, "peak RSS %.0f MiB (the whole process: sandbox and Temporal server too)\n", h.PeakRSSMiB)
}

// heapLine says what a phase added to the heap over what the process held when it started.
func heapLine(h bench.Heap) string {
	return fmt.Sprintf("+%.0f MiB peak, +%.0f MiB live over the %.0f MiB held before it", h.RiseMiB(), h.LiveRiseMiB(), h.StartMiB)
}
