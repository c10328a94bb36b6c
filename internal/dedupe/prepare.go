package dedupe

import (
	"strconv"
	"sync"
	"sync/atomic"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// prepared holds the normalised records of one Resolve call and what is derived from them.
type prepared struct {
	recs  []lead.Record    // normalised
	keys  []normalize.Keys // match keys
	fps   []uint64         // content fingerprints: order-independent tie-breaks
	known []string         // lead ID the record's keys already belong to, or ""
	// reviewKeys are the keys of the records review compares, once keys is freed (Stream).
	reviewKeys map[int32]normalize.Keys
	freq       map[string]int32 // records holding each phone number
	index      Index
	norm       *normalize.Normalizer
}

// prepare normalises records in parallel and looks their identity keys up in known.
func prepare(records []lead.Record, known Index, cfg Config) *prepared {
	n := len(records)
	p := &prepared{recs: make([]lead.Record, n), keys: make([]normalize.Keys, n),
		fps: make([]uint64, n), known: make([]string, n), index: known}
	norm := normalize.New(cfg.Normalize)
	p.norm = norm
	parallel(n, cfg.Workers, func(i int) {
		p.recs[i] = norm.Record(records[i])
		p.keys[i] = norm.Keys(p.recs[i].Values)
		p.fps[i] = fingerprint(p.recs[i])
		p.known[i] = lookupKnown(known, p.keys[i])
	})
	p.freq = phoneFrequencies(p.keys)
	return p
}

// parallel calls fn(i) for i in [0, n) on workers goroutines, in batches.
func parallel(n, workers int, fn func(i int)) {
	const batch = 512
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for {
				start := int(next.Add(batch)) - batch
				if start >= n {
					return
				}
				for i := start; i < min(start+batch, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}

// lookupKnown returns the lead ID of the record's e-mail key, else of its name key.
func lookupKnown(known Index, k normalize.Keys) string {
	if known == nil {
		return ""
	}
	for _, key := range identityKeys(k) {
		if id, ok := known.Lookup(key); ok && id != "" {
			return id
		}
	}
	return ""
}

// fingerprint hashes a record's contents so that equal records hash equally whatever their
// position; field order does not matter (the per-field hashes are summed).
func fingerprint(r lead.Record) uint64 {
	h := hashKey(string(r.Source), r.SourceID, r.File, strconv.Itoa(r.Line), r.SeenAt.UTC().String())
	for f, v := range r.Values {
		h += hashKey(string(f), v)
	}
	return h
}

// phoneFrequencies counts, for each phone number, the records that hold it as a personal line
// or as their company's switchboard.
func phoneFrequencies(keys []normalize.Keys) map[string]int32 {
	freq := make(map[string]int32)
	for i := range keys {
		k := &keys[i]
		for _, p := range k.Phones {
			freq[p]++
		}
		if k.CompanyPhone != "" && !contains(k.Phones, k.CompanyPhone) {
			freq[k.CompanyPhone]++
		}
	}
	return freq
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *prepared) phoneFreq(phone string) int { return int(p.freq[phone]) }
