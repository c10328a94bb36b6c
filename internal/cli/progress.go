package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"haloleads/internal/leadflow"
)

// progressEvery is how often `import --wait` asks the import for its progress.
const progressEvery = time.Second

// awaitImport waits for an import's summary and shows its progress on w meanwhile: a bar
// redrawn in place on a terminal, otherwise a line each time the progress changes.
func awaitImport(ctx context.Context, tc client.Client, runID string, w io.Writer) (leadflow.Summary, error) {
	id := leadflow.ImportWorkflowID(runID)
	type result struct {
		sum leadflow.Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		var sum leadflow.Summary
		err := tc.GetWorkflow(ctx, id, "").Get(ctx, &sum)
		done <- result{sum, err}
	}()
	show := newProgressView(w)
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	for {
		select {
		case r := <-done:
			show.finish()
			if r.err != nil {
				return r.sum, fmt.Errorf("import %s: %w", runID, r.err)
			}
			return r.sum, nil
		case <-tick.C:
			if p, err := queryProgress(ctx, tc, id); err == nil {
				show.update(p)
			}
		}
	}
}

// queryProgress asks an import for its progress (imports started before the query existed do
// not answer it).
func queryProgress(ctx context.Context, tc client.Client, workflowID string) (leadflow.ImportProgress, error) {
	var p leadflow.ImportProgress
	v, err := tc.QueryWorkflow(ctx, workflowID, "", leadflow.QueryProgress)
	if err != nil {
		return p, err
	}
	return p, v.Get(&p)
}

// progressView draws progress on a terminal (in place) or as plain lines.
type progressView struct {
	w        io.Writer
	terminal bool
	last     string
	drawn    bool
}

func newProgressView(w io.Writer) *progressView {
	return &progressView{w: w, terminal: isTerminal(w)}
}

func (v *progressView) update(p leadflow.ImportProgress) {
	line := progressLine(p, v.terminal)
	if line == v.last {
		return
	}
	v.last = line
	if v.terminal {
		fmt.Fprintf(v.w, "\r\033[K%s", line)
		v.drawn = true
		return
	}
	fmt.Fprintln(v.w, line)
}

func (v *progressView) finish() {
	if v.drawn {
		fmt.Fprint(v.w, "\r\033[K")
	}
}

// progressLine describes p in one line, with a bar when bar is set.
func progressLine(p leadflow.ImportProgress, bar bool) string {
	if p.Phase == "reading" {
		return "import: reading, de-duplicating and staging the files…"
	}
	var b strings.Builder
	b.WriteString("import: ")
	if bar {
		const width = 30
		filled := 0
		if p.Batches > 0 {
			filled = width * p.BatchesDone / p.Batches
		}
		b.WriteString("[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "] ")
	}
	fmt.Fprintf(&b, "%d/%d batches, %d/%d leads", p.BatchesDone, p.Batches, p.LeadsDone, p.Leads)
	if p.Rate > 0 {
		fmt.Fprintf(&b, ", %.1f leads/s", p.Rate)
	}
	if p.Remaining > 0 {
		fmt.Fprintf(&b, ", about %s left", p.Remaining.Round(time.Second))
	}
	return b.String()
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
