package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/leadflow"
	"haloleads/internal/metrics"
	"haloleads/internal/pipeline"
)

// TestMetricsCountHaloRequests serves the worker's metrics beside an embedded world, imports the
// samples, and checks that the HaloPSA request counter grew by exactly the import summary's
// halo_requests (and that the import's progress query ends at its summary's counts), that the SDK's metrics are exported too, and that the health endpoints answer.
func TestMetricsCountHaloRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	m, err := metrics.New()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	emb, err := startEmbedded(ctx, embeddedOptions{Dir: t.TempDir(), Logger: zap.NewNop(), Metrics: m})
	if err != nil {
		t.Fatalf("starting the embedded world: %v", err)
	}
	defer emb.Close()
	srv := httptest.NewServer(m.Handler(zap.NewNop(), readiness(emb.Temporal, emb.Halo)...))
	defer srv.Close()

	for _, path := range []string{"/healthz", "/readyz"} {
		code, body := get(t, srv.URL+path)
		if code != http.StatusOK {
			t.Errorf("%s answered %d: %s", path, code, body)
		}
		if path == "/readyz" && (!strings.Contains(body, "temporal: ok") || !strings.Contains(body, "halopsa: ok")) {
			t.Errorf("/readyz does not list both checks: %q", body)
		}
	}
	files, err := sampleFiles(samplesDir())
	if err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		before := scrape(t, srv.URL)
		runID := newRunID(time.Now())
		if _, err := pipeline.RunImport(ctx, emb.Temporal, leadflow.ImportInput{RunID: runID, Files: files}, false); err != nil {
			t.Fatalf("import %d: %v", run, err)
		}
		var progress strings.Builder
		sum, err := awaitImport(ctx, emb.Temporal, runID, &progress)
		if err != nil {
			t.Fatalf("import %d: %v", run, err)
		}
		t.Logf("import %d progress lines:\n%s", run, progress.String())
		// A closed import still answers the progress query, from its history.
		p, err := queryProgress(ctx, emb.Temporal, leadflow.ImportWorkflowID(runID))
		if err != nil {
			t.Fatalf("progress of import %d: %v", run, err)
		}
		if p.Phase != "done" || p.BatchesDone != sum.Batches || p.LeadsDone != sum.LeadsCreated+sum.LeadsUpdated+sum.Unchanged || p.Leads != sum.Leads {
			t.Errorf("import %d: final progress %+v does not match its summary %+v", run, p, sum)
		}
		after := scrape(t, srv.URL)
		got := after.total(metrics.HaloRequests) - before.total(metrics.HaloRequests)
		t.Logf("import %d: summary halo_requests %d, %s grew by %.0f", run, sum.HaloRequests, metrics.HaloRequests, got)
		if sum.HaloRequests == 0 || got != float64(sum.HaloRequests) {
			t.Errorf("import %d: %s grew by %.0f, the summary says %d requests", run, metrics.HaloRequests, got, sum.HaloRequests)
		}
		created := after.totalWith("haloleads_import_leads_total", `outcome="created"`) -
			before.totalWith("haloleads_import_leads_total", `outcome="created"`)
		if created != float64(sum.LeadsCreated) {
			t.Errorf("import %d: haloleads_import_leads_total{outcome=\"created\"} grew by %.0f, the summary created %d",
				run, created, sum.LeadsCreated)
		}
		if run == 2 {
			if after.total("temporal_workflow_completed_total") == 0 {
				t.Errorf("no SDK metric temporal_workflow_completed_total among %d series", len(after))
			}
			if after.series(metrics.HaloRequests, `route="/Tickets"`) == 0 {
				t.Errorf("no HaloPSA request series for route /Tickets")
			}
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// exposition is a scrape: one value per series line ("name{labels}").
type exposition map[string]float64

func scrape(t *testing.T, base string) exposition {
	t.Helper()
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics answered %d", code)
	}
	out := exposition{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// total sums every series of metric name.
func (e exposition) total(name string) float64 {
	var n float64
	for k, v := range e {
		if k == name || strings.HasPrefix(k, name+"{") {
			n += v
		}
	}
	return n
}

// series counts the series of metric name whose labels contain label.
func (e exposition) series(name, label string) int {
	n := 0
	for k := range e {
		if strings.HasPrefix(k, name+"{") && strings.Contains(k, label) {
			n++
		}
	}
	return n
}

// totalWith sums the series of metric name whose labels contain label.
func (e exposition) totalWith(name, label string) float64 {
	var n float64
	for k, v := range e {
		if strings.HasPrefix(k, name+"{") && strings.Contains(k, label) {
			n += v
		}
	}
	return n
}
