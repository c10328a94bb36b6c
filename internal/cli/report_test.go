package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/leadflow"
)

// TestReportAfterImport imports the samples into an in-process world, then runs `report --json`
// against its Temporal and store until visibility has caught up, and checks the report against
// the import's summary.
func TestReportAfterImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	emb, dir := startWorld(ctx, t, zap.NewNop())
	_, sum := importSamples(ctx, t, emb)
	env := worldEnv(emb, dir)
	rep := awaitReport(ctx, t, env, func(r report) bool {
		return r.Leads == int64(sum.Leads) && r.DoNotContact == int64(sum.Suppressed) &&
			total(r.ByStatus) == r.Leads && total(r.ByFit) == r.Leads && len(r.Imports) == 1
	})
	checkReport(t, rep, sum)
}

// checkReport compares a settled report with the summary of the one import it follows.
func checkReport(t *testing.T, rep report, sum leadflow.Summary) {
	t.Helper()
	if sum.Suppressed == 0 {
		t.Fatalf("the samples should hold Do-Not-Contact people: %+v", sum)
	}
	for name, ts := range map[string][]tally{"stage": rep.ByStage, "source": rep.BySource} {
		if total(ts) != rep.Leads {
			t.Errorf("leads by %s add up to %d, want %d: %+v", name, total(ts), rep.Leads, ts)
		}
	}
	if rep.PendingReview != sum.Review {
		t.Errorf("pending review = %d, want %d", rep.PendingReview, sum.Review)
	}
	if rep.SuppressionLen < sum.Suppressed {
		t.Errorf("suppression list holds %d entries for %d Do-Not-Contact leads", rep.SuppressionLen, sum.Suppressed)
	}
	imp := rep.Imports[0]
	if imp.Status != "Completed" || imp.Summary == nil || !reflect.DeepEqual(*imp.Summary, sum) {
		t.Errorf("import run = %+v, want the completed run with summary %+v", imp, sum)
	}
}

// awaitReport runs `report --json` until settled accepts its report, failing at ctx's deadline
// with the last report: Temporal's visibility is eventually consistent.
func awaitReport(ctx context.Context, t *testing.T, env map[string]string, settled func(report) bool) report {
	t.Helper()
	var last report
	for {
		var out, errs bytes.Buffer
		if code := Run([]string{"report", "--json"}, IO{Stdout: &out, Stderr: &errs, Getenv: func(k string) string { return env[k] }}); code != 0 {
			t.Fatalf("report exited %d: %s", code, errs.String())
		}
		last = report{}
		if err := json.Unmarshal(out.Bytes(), &last); err != nil {
			t.Fatalf("report output is not JSON: %v\n%s", err, out.String())
		}
		if settled(last) {
			return last
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the report did not settle: %+v", last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func total(ts []tally) int64 {
	var n int64
	for _, t := range ts {
		n += t.Count
	}
	return n
}

func TestWithOther(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    []tally
		total int64
		want  []tally
	}{
		{"all counted", []tally{{"a", 2}, {"b", 3}}, 5, []tally{{"a", 2}, {"b", 3}}},
		{"rest is other", []tally{{"a", 2}, {"b", 0}}, 5, []tally{{"a", 2}, {"b", 0}, {otherBucket, 3}}},
		{"no leads", nil, 0, nil},
		{"counts ahead of total", []tally{{"a", 4}}, 3, []tally{{"a", 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := withOther(tt.in, tt.total); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("withOther = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPrintReport(t *testing.T) {
	t.Parallel()
	rep := report{
		Leads:    3,
		ByStage:  []tally{{"lead", 3}, {"prospect", 0}},
		ByStatus: []tally{{"new_lead", 2}, {"do_not_contact", 1}},
		BySource: []tally{{"apollo", 2}, {otherBucket, 1}},
		ByFit:    []tally{{"hot", 1}, {"cold", 2}}, DoNotContact: 1, SuppressionLen: 4, PendingReview: 2,
		Imports: []importRun{{WorkflowID: "import-x", Status: "Completed", Summary: &leadflow.Summary{Rows: 5, Leads: 3}}},
	}
	var out bytes.Buffer
	printReport(&out, rep)
	for _, want := range []string{
		"Leads: 3 running", "by stage:   Lead 3\n", "New Lead 2, Do Not Contact 1", "Apollo.io 2, other 1",
		"hot 1, cold 2", "Do Not Contact: 1", "Suppression list: 4", "Pending review: 2", "import-x  Completed", "5 rows into 3 leads",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// samplesDir is the repository's testdata/samples, wherever the tests run from.
func samplesDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "samples")
}
