package dedupe

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// Stream de-duplicates records fed one at a time, with memory bounded by their match keys
// rather than by the records: each record is normalised as it arrives (in parallel, a chunk at
// a time) and written to a spill file in dir; only its match keys, content fingerprint and
// known lead ID stay in memory. Resolve then blocks, scores and clusters on the keys alone, as
// Resolve does, and merges each lead from its records read back from the spill, a chunk of
// leads at a time, handing each to the caller instead of returning them all. The leads and
// review pairs are those Resolve finds for the same records.
//
// A Stream is used by one goroutine. Close removes the spill file.
type Stream struct {
	cfg     Config
	index   Index
	norm    *normalize.Normalizer
	spill   *spill
	pending []lead.Record
	added   int
	// flushing is the previous chunk, normalised and spilled in the background while the
	// caller adds the next one; it reports the flush's error.
	flushing chan error
	spare    []lead.Record      // the chunk slice flushing will give back
	keys     [][]normalize.Keys // a slice for each chunk: no copies as they grow
	fps      []uint64
	known    []string
	shared   interner // used by flush
	buf      []byte
	err      error
}

// streamChunk is the number of records normalised together, and of leads merged together.
const streamChunk = 8192

// StreamPhoneCache is the default phone-parse cache of a Stream (entries of about 150 bytes,
// and a validity memo of 8 entries of 16 bytes for each): smaller than Resolve's, which is
// sized for a million records held in memory anyway.
const StreamPhoneCache = 1 << 18

// NewStream starts a Stream whose spill file is created in dir ("" for the system's temporary
// directory). Errors are *ConfigError or the spill file's.
func NewStream(dir string, known Index, cfg Config) (*Stream, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("starting a de-duplication stream: %w", err)
	}
	if cfg.Normalize.PhoneCacheSize == 0 {
		cfg.Normalize.PhoneCacheSize = StreamPhoneCache
	}
	sp, err := newSpill(dir)
	if err != nil {
		return nil, err
	}
	return &Stream{cfg: cfg, index: known, norm: normalize.New(cfg.Normalize), spill: sp}, nil
}

// Add feeds one record; its index in the stream is the number of records added before it.
// Records are normalised and spilled a chunk at a time in the background, so an error writing
// the spill is returned by a later Add or by Resolve.
func (s *Stream) Add(r lead.Record) error {
	if s.err != nil {
		return s.err
	}
	s.pending = append(s.pending, r)
	s.added++
	if len(s.pending) == streamChunk {
		s.err = s.startFlush()
	}
	return s.err
}

// Len is the number of records added.
func (s *Stream) Len() int { return s.added }

// startFlush waits for the previous chunk's flush and starts flushing the pending records in
// the background: chunks are flushed one at a time, in order, so the keys and the spill keep
// the records' order.
func (s *Stream) startFlush() error {
	if err := s.wait(); err != nil {
		return err
	}
	chunk := s.pending
	s.pending = s.spare[:0]
	s.flushing = make(chan error, 1)
	go func() { s.flushing <- s.flush(chunk) }()
	return nil
}

// wait waits for the chunk being flushed, if any, and returns its error.
func (s *Stream) wait() error {
	if s.flushing == nil {
		return nil
	}
	err := <-s.flushing
	s.flushing = nil
	return err
}

// flush normalises a chunk of records, keeps their keys and spills them; it hands the chunk's
// slice back for the next one (as s.spare: the caller waits for flushing before reading it).
func (s *Stream) flush(chunk []lead.Record) error {
	n := len(chunk)
	keys, fps, known := make([]normalize.Keys, n), make([]uint64, n), make([]string, n)
	parallel(n, s.cfg.Workers, func(i int) {
		chunk[i] = s.norm.Record(chunk[i])
		keys[i] = s.norm.Keys(chunk[i].Values)
		fps[i] = fingerprint(chunk[i])
		known[i] = lookupKnown(s.index, keys[i])
	})
	if s.shared == nil {
		s.shared = interner{}
	}
	for i := range chunk {
		var err error
		if s.buf, err = s.spill.add(s.buf, chunk[i]); err != nil {
			return err
		}
		chunk[i] = lead.Record{}
		s.shared.keys(&keys[i])
	}
	s.spare = chunk[:0]
	s.keys, s.fps, s.known = append(s.keys, keys), append(s.fps, fps...), append(s.known, known...)
	return nil
}

// allKeys joins the chunks' keys, freeing each chunk once copied.
func (s *Stream) allKeys() []normalize.Keys {
	n := 0
	for _, c := range s.keys {
		n += len(c)
	}
	all := make([]normalize.Keys, 0, n)
	for i, c := range s.keys {
		all = append(all, c...)
		s.keys[i] = nil
	}
	s.keys = nil
	return all
}

// StreamResult is what Stream.Resolve found besides the leads it handed over.
type StreamResult struct {
	Leads  int
	Review []ReviewPair // sorted by LeadA, LeadB
	Stats  Stats
}

// Resolve de-duplicates every record added and calls emit with each lead and the indexes of
// its records (ascending), in the order of their first record. An error from emit stops it.
// The Stream cannot be added to afterwards.
func (s *Stream) Resolve(emit func(l lead.Lead, members []int) error) (StreamResult, error) {
	if s.err != nil {
		return StreamResult{}, s.err
	}
	if err := s.wait(); err != nil {
		s.err = err
		return StreamResult{}, err
	}
	if len(s.pending) > 0 {
		if err := s.flush(s.pending); err != nil {
			s.err = err
			return StreamResult{}, err
		}
	}
	s.err = fmt.Errorf("de-duplication stream already resolved")
	s.shared = nil
	if err := s.spill.done(); err != nil {
		return StreamResult{}, err
	}
	p := &prepared{keys: s.allKeys(), fps: s.fps, known: s.known, index: s.index, norm: s.norm}
	p.freq = phoneFrequencies(p.keys)
	b := candidatePairs(p.keys, s.cfg.MaxBlock)
	stats := Stats{Records: len(p.keys), Blocks: b.blocks, CappedBlocks: b.capped, Comparisons: len(b.pairs)}
	cands := p.scorePairs(b.pairs, s.cfg)
	b.pairs = nil
	stats.AutoPairs = countAuto(cands, s.cfg.AutoThreshold)
	cl := p.cluster(cands, s.cfg)
	groups, rootGroup := p.groups(cl)
	// From here on only the review pairs' records are compared again: keep their keys and
	// free the rest (most of the memory) before the leads are merged.
	p.reviewKeys = p.keepReviewKeys(cl, cands, s.cfg, func(i int32) int { return rootGroup[cl.find(i)] })
	p.keys, s.keys = nil, nil
	leadOf, err := s.emitLeads(p, groups, emit)
	if err != nil {
		return StreamResult{}, err
	}
	review := p.review(cl, cands, s.cfg, func(i int32) string { return leadOf[rootGroup[cl.find(i)]] })
	return StreamResult{Leads: len(groups), Review: review, Stats: stats}, nil
}

// emitLeads merges the groups a chunk at a time from the spill and hands each lead to emit; it
// returns each group's lead ID.
func (s *Stream) emitLeads(p *prepared, groups []group, emit func(lead.Lead, []int) error) ([]string, error) {
	claims := claimsOf(groups)
	leadOf := make([]string, len(groups))
	var bufs sync.Pool // read buffers, one for each worker at a time
	for start := 0; start < len(groups); start += streamChunk {
		chunk := groups[start:min(start+streamChunk, len(groups))]
		leads := make([]lead.Lead, len(chunk))
		errs := make([]error, len(chunk))
		parallel(len(chunk), s.cfg.Workers, func(x int) {
			g := &chunk[x]
			recs := make([]lead.Record, len(g.members))
			buf, _ := bufs.Get().(*[]byte)
			if buf == nil {
				buf = new([]byte)
			}
			defer bufs.Put(buf)
			for y, m := range g.members {
				if recs[y], *buf, errs[x] = s.spill.readInto(*buf, m); errs[x] != nil {
					return
				}
			}
			leads[x] = p.makeLead(g, recs, claims, s.cfg)
		})
		for x := range chunk {
			if errs[x] != nil {
				return nil, errs[x]
			}
			leadOf[start+x] = leads[x].ID
			if err := emit(leads[x], toInts(chunk[x].members)); err != nil {
				return nil, err
			}
			chunk[x].keys = nil // no longer needed: claims are counted
		}
	}
	return leadOf, nil
}

// Close waits for a chunk being flushed and removes the spill file.
func (s *Stream) Close() error {
	_ = s.wait() // Add or Resolve reported it, or the caller gave up on the stream
	return s.spill.close()
}

// ResolveStream runs records through a Stream and collects a Result like Resolve's.
func ResolveStream(dir string, records []lead.Record, known Index, cfg Config) (Result, error) {
	s, err := NewStream(dir, known, cfg)
	if err != nil {
		return Result{}, err
	}
	defer s.Close()
	for _, r := range records {
		if err := s.Add(r); err != nil {
			return Result{}, err
		}
	}
	return s.Collect()
}

// Collect resolves the stream and collects a Result like Resolve's (leads sorted by ID), for
// callers that hold the leads anyway: memory then grows with the leads, not with the records
// and their normalised copies.
func (s *Stream) Collect() (Result, error) {
	res := Result{Members: map[string][]int{}}
	sr, err := s.Resolve(func(l lead.Lead, members []int) error {
		res.Leads = append(res.Leads, l)
		res.Members[l.ID] = members
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	slices.SortFunc(res.Leads, func(a, b lead.Lead) int { return strings.Compare(a.ID, b.ID) })
	res.Review, res.Stats = sr.Review, sr.Stats
	return res, nil
}

// interner shares one copy of each key value that many records hold (company, domain, names,
// title, switchboard): the keys of a million records are most of a Stream's memory, and most
// of their strings repeat. Values unique to a person (e-mail, LinkedIn, own phones) are left
// alone. A copy also frees the record value a key was cut from.
type interner map[string]string

func (in interner) keys(k *normalize.Keys) {
	for _, s := range []*string{&k.EmailDomain, &k.Domain, &k.Company, &k.First, &k.FirstCanon, &k.Last, &k.Title, &k.CompanyPhone} {
		*s = in.string(*s)
	}
}

func (in interner) string(s string) string {
	if s == "" {
		return ""
	}
	if c, ok := in[s]; ok {
		return c
	}
	c := strings.Clone(s)
	in[c] = c
	return c
}
