package dedupe

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"haloleads/internal/dedupe/gen"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestAccuracy checks pairwise F1 on a fixed labelled dataset (see package gen).
func TestAccuracy(t *testing.T) {
	t.Parallel()
	ds := gen.Generate(gen.Config{Seed: 20261127, People: 5000})
	res, err := Resolve(ds.Records, nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := gen.Evaluate(res.Members, ds.Truth)
	t.Logf("%s: %d leads, %d review pairs; %s", ds, len(res.Leads), len(res.Review), m)
	t.Logf("stats: %+v", res.Stats)
	if m.F1 < 0.98 {
		t.Errorf("pairwise F1 %.4f < 0.98", m.F1)
	}
	if m.Precision < 0.99 {
		t.Errorf("pairwise precision %.4f < 0.99: wrong merges are worse than missed ones", m.Precision)
	}
}

// TestResolveGolden pins the complete output (leads, provenance, keys, review pairs) for a
// small generated dataset.
func TestResolveGolden(t *testing.T) {
	t.Parallel()
	ds := gen.Generate(gen.Config{Seed: 7, People: 25})
	res, err := Resolve(ds.Records, nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(struct {
		Leads  any
		Review any
	}{res.Leads, res.Review}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "resolve.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Resolve output differs from %s; run go test -update and review the diff", path)
	}
}

// BenchmarkResolve1M normalises and de-duplicates one million generated records. It is slow
// (one to two minutes, plus generating the data): run it with -bench Resolve1M -benchtime 1x;
// -short skips it. Peak heap and RSS include the generated input (about 1.5 GB of records).
func BenchmarkResolve1M(b *testing.B) { benchResolve(b, 455_000) }

// BenchmarkResolve50k is the same on about 50,000 records.
func BenchmarkResolve50k(b *testing.B) { benchResolve(b, 22_750) }

func benchResolve(b *testing.B, people int) {
	if testing.Short() {
		b.Skip("large benchmark skipped in -short mode")
	}
	ds := gen.Generate(gen.Config{Seed: 42, People: people})
	runtime.GC()
	var res Result
	var cpu time.Duration
	var peak uint64
	for b.Loop() {
		stop := watchHeap()
		before := cpuTime()
		var err error
		if res, err = Resolve(ds.Records, nil, Config{}); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - before
		peak = max(peak, stop())
	}
	m := gen.Evaluate(res.Members, ds.Truth)
	n := float64(len(ds.Records))
	b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(n*float64(b.N)/cpu.Seconds(), "records/cpu-s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(maxRSS())/(1<<20), "max-RSS-MB")
	b.ReportMetric(float64(res.Stats.Comparisons)/n, "comparisons/record")
	b.ReportMetric(m.Precision, "precision")
	b.ReportMetric(m.Recall, "recall")
	b.ReportMetric(m.F1, "F1")
}

// watchHeap samples the live heap (including the input) until the returned function is called,
// which returns the peak seen.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	var mu sync.Mutex
	peak := read()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				v := read()
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return max(peak, read())
	}
}
