// Package dedupe finds the records that describe one real person, gives each person a stable
// lead ID and merges their records into one lead.Lead.
//
// Resolve runs the whole pipeline: records are normalised in parallel (package normalize);
// blocking on a union of cheap keys (e-mail, LinkedIn profile, domain and last name, company
// and last name, canonical full name, domain and first name, personal phone) picks the pairs
// worth comparing; each pair gets a Fellegi-Sunter match weight from multi-level comparisons
// (e-mail, names with Jaro-Winkler and nickname levels, company domain or key, phone weighted
// by how many records share it, title); pairs at or above the automatic threshold are joined
// with union-find, strongest first, unless a guard says the two are different people (two work
// addresses at one domain, different names, different company domains, different LinkedIn
// profiles) between any members of the two clusters, or the join would fuse two leads that
// already exist. A guard between the pair itself settles it; pairs between the review and the
// automatic threshold, and strong pairs blocked only through other members or by two existing
// leads, come back for a person to review.
//
// Lead IDs are stable: a cluster holding a key the caller already knows keeps that key's lead
// ID; a new cluster gets lead.IDFor of its best key (its e-mail key, else its name key). The
// caller persists each lead's Keys so that later runs find them.
package dedupe

import (
	"fmt"
	"runtime"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
	"haloleads/internal/score"
)

// Index looks up identity keys ("email:…", "name:…") that already belong to a lead, in our
// store or in HaloPSA.
type Index interface {
	Lookup(key string) (leadID string, ok bool)
}

// MapIndex is an Index held in memory.
type MapIndex map[string]string

// Lookup returns the lead ID of key.
func (m MapIndex) Lookup(key string) (string, bool) {
	id, ok := m[key]
	return id, ok
}

// Config tunes Resolve. The zero value means DefaultConfig.
type Config struct {
	// AutoThreshold is the match weight (bits) at or above which two records are merged.
	// Default 12 (a Bayes factor of about 4,000 to 1).
	AutoThreshold float64
	// ReviewThreshold is the match weight from which unmerged pairs are reported for review.
	// Default 6. It must be below AutoThreshold.
	ReviewThreshold float64
	// Precedence ranks sources per field group when merging. Default DefaultPrecedence().
	Precedence Precedence
	// MaxBlock is the largest blocking group compared pairwise; larger ones are skipped.
	// Default 50.
	MaxBlock int
	// Normalize configures normalisation (default phone region, phone cache).
	Normalize normalize.Options
	// Workers is the number of goroutines for normalising and scoring. Default GOMAXPROCS.
	Workers int
	// Quality is the data-quality formula leads are scored with. Default score.QualityDoc.
	Quality score.QualityModel
	// IDKey keys new lead ids (an HMAC of the identity key, see lead.KeyedIDFor); empty gives
	// the unkeyed ids of lead.IDFor. Existing leads keep their ids whatever the key: they are
	// found through the identity index and HaloPSA.
	IDKey []byte
}

// DefaultConfig returns the defaults described on Config.
func DefaultConfig() Config {
	return Config{
		AutoThreshold:   12,
		ReviewThreshold: 6,
		Precedence:      DefaultPrecedence(),
		MaxBlock:        50,
		Workers:         runtime.GOMAXPROCS(0),
	}
}

// withDefaults fills unset fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.AutoThreshold == 0 && c.ReviewThreshold == 0 {
		c.AutoThreshold, c.ReviewThreshold = d.AutoThreshold, d.ReviewThreshold
	}
	if c.Precedence == nil {
		c.Precedence = d.Precedence
	}
	if c.MaxBlock == 0 {
		c.MaxBlock = d.MaxBlock
	}
	if c.Workers <= 0 {
		c.Workers = d.Workers
	}
	return c
}

// ConfigError says which Config setting is unusable.
type ConfigError struct {
	Field, Reason string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("dedupe config %s: %s", e.Field, e.Reason) }

func (c Config) validate() error {
	switch {
	case c.ReviewThreshold >= c.AutoThreshold:
		return &ConfigError{"ReviewThreshold", "must be below AutoThreshold"}
	case c.MaxBlock < 2:
		return &ConfigError{"MaxBlock", "must be at least 2"}
	}
	return nil
}

// ReviewPair is two leads that may be one person: a person should decide.
type ReviewPair struct {
	LeadA, LeadB     string  // LeadA < LeadB
	RecordA, RecordB int     // input indexes of the strongest pair between them
	Weight           float64 // match weight of that pair, bits
	Reason           string  // why they were not merged, and the evidence
}

// Stats describe a run.
type Stats struct {
	Records      int
	Blocks       int // blocking groups with two or more records
	CappedBlocks int // groups skipped for exceeding MaxBlock
	Comparisons  int // candidate pairs scored
	AutoPairs    int // pairs at or above AutoThreshold
}

// Result is the outcome of Resolve.
type Result struct {
	Leads   []lead.Lead      // sorted by ID
	Review  []ReviewPair     // sorted by LeadA, LeadB
	Members map[string][]int // lead ID → input record indexes, ascending
	Stats   Stats
}

// Resolve de-duplicates records against the identities in known (nil: none) and merges each
// person's records into a lead. Output order depends only on the records' contents, not on
// their order. Errors are *ConfigError.
func Resolve(records []lead.Record, known Index, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Result{}, fmt.Errorf("resolving %d records: %w", len(records), err)
	}
	p := prepare(records, known, cfg)
	b := candidatePairs(p.keys, cfg.MaxBlock)
	cands := p.scorePairs(b.pairs, cfg)
	cl := p.cluster(cands, cfg)
	res := p.build(cl, cands, cfg)
	res.Stats = Stats{Records: len(records), Blocks: b.blocks, CappedBlocks: b.capped,
		Comparisons: len(b.pairs), AutoPairs: countAuto(cands, cfg.AutoThreshold)}
	return res, nil
}

func countAuto(cands []candidate, auto float64) int {
	n := 0
	for _, c := range cands {
		if float64(c.weight) >= auto {
			n++
		}
	}
	return n
}
