package cli

import (
	"context"
	"fmt"
	"io"

	"go.uber.org/zap"

	"haloleads/internal/bench"
)

// runBench measures haloleads against the one-record-per-request baseline (see BENCHMARKS.md).
func runBench(ctx context.Context, io IO, args []string) error {
	fs := newFlags("bench", io)
	leads := fs.Int("leads", bench.DefaultLeads, "generate `N` leads (Apollo, ZoomInfo and Hunter exports that overlap)")
	asJSON := fs.Bool("json", false, "print the figures as one JSON object")
	limit := fs.Int("limit", bench.DefaultLimit, "HaloPSA's request budget per window, for the sandbox and the client alike")
	window := fs.Duration("window", bench.DefaultWindow, "the budget's rolling window, time-scaled (HaloPSA's is 5m)")
	seed := fs.Uint64("seed", bench.DefaultSeed, "seed of the generated input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *leads < 1 || *limit < 1 || *window <= 0 {
		return fmt.Errorf("--leads, --limit and --window must be positive")
	}
	rep, err := bench.Run(ctx, bench.Config{Leads: *leads, Limit: *limit, Window: *window, Seed: *seed,
		Logger: newLogger(zap.WarnLevel, io.Stderr)})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(io.Stdout, rep)
	}
	printBench(io.Stdout, rep, *limit, *window)
	return nil
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
}
