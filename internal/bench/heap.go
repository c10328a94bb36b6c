package bench

import (
	"runtime/metrics"
	"time"
)

// Heap is what one phase of the run (an import) held on the process's heap. The benchmark's
// process also holds the sandbox (its tenant) and the embedded Temporal server, so the figures
// that show haloleads' own memory are the rises over the phase's start: what the phase added.
type Heap struct {
	// StartMiB is the live heap after a collection when the phase started (the sandbox, the
	// Temporal server and what earlier phases kept).
	StartMiB float64 `json:"start_mib"`
	// PeakMiB is the highest heap sampled during the phase (live and not yet collected
	// objects), PeakLiveMiB the highest live heap a collection marked during it.
	PeakMiB     float64 `json:"peak_mib"`
	PeakLiveMiB float64 `json:"peak_live_mib"`
}

// RiseMiB is how far the phase raised the heap over its start.
func (h Heap) RiseMiB() float64 { return max(h.PeakMiB-h.StartMiB, 0) }

// LiveRiseMiB is how far the phase raised the live heap over its start.
func (h Heap) LiveRiseMiB() float64 { return max(h.PeakLiveMiB-h.StartMiB, 0) }

// heapSampleEvery is how often a heapWatch samples: often enough to see a phase's peak, which
// lasts at least one collection cycle.
const heapSampleEvery = 10 * time.Millisecond

// heapWatch samples the heap (runtime/metrics) from its start until end.
type heapWatch struct {
	start      uint64
	stop, done chan struct{}
	peak, live uint64
}

// watchHeap starts sampling the heap.
func watchHeap() *heapWatch {
	w := &heapWatch{start: heapInUse(), stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *heapWatch) run() {
	defer close(w.done)
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(heapSampleEvery)
	defer t.Stop()
	for {
		metrics.Read(s)
		w.peak, w.live = max(w.peak, sampleBytes(s[0])), max(w.live, sampleBytes(s[1]))
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
	}
}

func sampleBytes(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}

// end stops the sampling and returns the phase's figures.
func (w *heapWatch) end() Heap {
	close(w.stop)
	<-w.done
	return Heap{StartMiB: mib(w.start), PeakMiB: mib(w.peak), PeakLiveMiB: mib(w.live)}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
