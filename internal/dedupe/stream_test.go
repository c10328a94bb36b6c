package dedupe

import (
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"haloleads/internal/dedupe/gen"
	"haloleads/internal/lead"
)

// TestStreamMatchesResolve checks that the bounded-memory Stream finds exactly what Resolve
// finds: the same leads (values, provenance, IDs, keys), members and review pairs, on the
// labelled set (so the same F1) and on the golden set.
func TestStreamMatchesResolve(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		cfg    gen.Config
		wantF1 float64
	}{
		{"labelled set", gen.Config{Seed: 20261127, People: 5000}, 0.9947},
		{"golden set", gen.Config{Seed: 7, People: 25}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ds := gen.Generate(tc.cfg)
			want, err := Resolve(ds.Records, nil, Config{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := ResolveStream(t.TempDir(), ds.Records, nil, Config{})
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got.Leads)
			wj, _ := json.Marshal(want.Leads)
			if string(gj) != string(wj) || !reflect.DeepEqual(got.Review, want.Review) || !reflect.DeepEqual(got.Members, want.Members) {
				t.Fatalf("stream differs from Resolve: %d leads, %d review pairs; want %d, %d", len(got.Leads), len(got.Review), len(want.Leads), len(want.Review))
			}
			if got.Stats != want.Stats {
				t.Errorf("stats %+v, want %+v", got.Stats, want.Stats)
			}
			if m := gen.Evaluate(got.Members, ds.Truth); m.F1 < tc.wantF1 {
				t.Errorf("F1 %.4f < %.4f", m.F1, tc.wantF1)
			}
		})
	}
}

// TestStreamEmitError stops Resolve at the caller's error and removes the spill file on Close.
func TestStreamEmitError(t *testing.T) {
	t.Parallel()
	s, err := NewStream(t.TempDir(), nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range gen.Generate(gen.Config{Seed: 3, People: 10}).Records {
		if err := s.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	if _, err := s.Resolve(func(lead.Lead, []int) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Resolve returned %v, want the caller's error", err)
	}
	if err := s.Add(lead.Record{}); err == nil {
		t.Error("Add after Resolve succeeded")
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

// TestStreamFlushError: a chunk is spilled in the background, so a write error surfaces at a
// later Add or at Resolve, never lost, and Close still returns.
func TestStreamFlushError(t *testing.T) {
	t.Parallel()
	s, err := NewStream(t.TempDir(), nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	records := gen.Generate(gen.Config{Seed: 5, People: 50}).Records
	if err := s.spill.f.Close(); err != nil { // every write to the spill file fails from now on
		t.Fatal(err)
	}
	var addErr error
	for i := 0; addErr == nil && i < 8*streamChunk; i++ {
		addErr = s.Add(records[i%len(records)])
	}
	if s.Len() == 0 {
		t.Error("Len is 0 after adding records")
	}
	_, resolveErr := s.Resolve(func(lead.Lead, []int) error { return nil })
	if addErr == nil && resolveErr == nil {
		t.Error("spill write errors were lost: Add and Resolve both succeeded")
	}
	_ = s.Close() // the file is already closed: only its removal matters here
}

// TestStreamLen counts records added, whether still pending, being flushed or flushed.
func TestStreamLen(t *testing.T) {
	t.Parallel()
	s, err := NewStream(t.TempDir(), nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	records := gen.Generate(gen.Config{Seed: 5, People: 50}).Records
	for i := range streamChunk + 3 {
		if err := s.Add(records[i%len(records)]); err != nil {
			t.Fatal(err)
		}
		if s.Len() != i+1 {
			t.Fatalf("Len = %d after %d records", s.Len(), i+1)
		}
	}
	res, err := s.Resolve(func(lead.Lead, []int) error { return nil })
	if err != nil || res.Stats.Records != streamChunk+3 {
		t.Errorf("Resolve = %+v, %v; want %d records", res.Stats, err, streamChunk+3)
	}
}

func TestSpillRoundTrip(t *testing.T) {
	t.Parallel()
	for _, r := range []lead.Record{
		{},
		{Source: lead.Apollo, SourceID: "p-1", File: "a.csv", Line: 7, SeenAt: time.Date(2026, 3, 2, 9, 14, 0, 0, time.UTC),
			Values: lead.Values{lead.Email: "dana@example.com", lead.FirstName: "Dana", lead.JobTitle: ""}},
		{Source: lead.CSV, Line: -1, Values: lead.Values{lead.Company: "Ünïcödé GmbH"}},
	} {
		got, err := decodeRecord(encodeRecord(nil, r))
		if err != nil || !reflect.DeepEqual(got, r) {
			t.Errorf("round trip of %+v gave %+v, %v", r, got, err)
		}
	}
}

// FuzzSpillRecord: decoding any bytes never panics, and what decodes encodes back the same.
func FuzzSpillRecord(f *testing.F) {
	f.Add(encodeRecord(nil, lead.Record{Source: lead.Hunter, Values: lead.Values{lead.Email: "x@y.z"}}))
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b)
		if err != nil {
			return
		}
		again, err := decodeRecord(encodeRecord(nil, r))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("re-encoding %+v gave %+v, %v", r, again, err)
		}
	})
}

// BenchmarkStream1M normalises and de-duplicates one million generated records through a
// Stream, reading them from a file (the generated input is written out and dropped before the
// clock starts, as an import streams its exports), with the runtime's soft memory limit at
// 900 MiB (GOMEMLIMIT for a worker). Peak heap is everything live in the process during the
// run. Run it with -bench Stream1M -benchtime 1x; -short skips it.
func BenchmarkStream1M(b *testing.B) { benchStream(b, 455_000) }

// BenchmarkStream50k is the same on about 50,000 records.
func BenchmarkStream50k(b *testing.B) { benchStream(b, 22_750) }

// BenchmarkStream200k is the same on about 200,000 records: big enough for a profile to show
// what the million spends its time on, small enough to run while iterating.
func BenchmarkStream200k(b *testing.B) { benchStream(b, 91_000) }

func benchStream(b *testing.B, people int) {
	if testing.Short() {
		b.Skip("large benchmark skipped in -short mode")
	}
	input, truth := spillDataset(b, people)
	defer input.close()
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(900 << 20))
	runtime.GC()
	var cpu time.Duration
	var peak uint64
	var members map[string][]int
	var leads int
	for b.Loop() {
		stop := watchHeap()
		before := cpuTime()
		members, leads = streamFrom(b, input)
		cpu += cpuTime() - before
		peak = max(peak, stop())
	}
	m := gen.Evaluate(members, truth)
	n := float64(len(truth))
	b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(n*float64(b.N)/cpu.Seconds(), "records/cpu-s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(leads), "leads")
	b.ReportMetric(m.F1, "F1")
}

// spillDataset generates the dataset, writes its records to a file and keeps only the labels.
func spillDataset(b *testing.B, people int) (*spill, []int) {
	ds := gen.Generate(gen.Config{Seed: 42, People: people})
	in, err := newSpill(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	var buf []byte
	for i := range ds.Records {
		if buf, err = in.add(buf, ds.Records[i]); err != nil {
			b.Fatal(err)
		}
		ds.Records[i] = lead.Record{}
	}
	if err := in.done(); err != nil {
		b.Fatal(err)
	}
	return in, ds.Truth
}

// streamFrom runs every record of input through a Stream; it keeps the members for scoring
// (about 40 bytes a record), not the leads.
func streamFrom(b *testing.B, input *spill) (map[string][]int, int) {
	s, err := NewStream(b.TempDir(), nil, Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range len(input.offs) - 1 {
		r, err := input.read(int32(i))
		if err == nil {
			err = s.Add(r)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	members := map[string][]int{}
	res, err := s.Resolve(func(l lead.Lead, m []int) error {
		members[l.ID] = m
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return members, res.Leads
}
