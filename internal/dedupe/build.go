package dedupe

import (
	"fmt"
	"slices"
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
	"haloleads/internal/score"
)

// group is one cluster on its way to becoming a lead.
type group struct {
	members []int32  // ascending input indexes
	keys    []string // identity keys of the members, sorted, unique
	known   string
	minFP   uint64
}

// build turns clusters into leads with stable IDs, and collects review pairs.
func (p *prepared) build(cl clustering, cands []candidate, cfg Config) Result {
	groups, rootGroup := p.groups(cl)
	claims := claimsOf(groups)
	leads := make([]lead.Lead, len(groups))
	parallel(len(groups), cfg.Workers, func(gi int) {
		g := &groups[gi]
		recs := make([]lead.Record, len(g.members))
		for x, m := range g.members {
			recs[x] = p.recs[m]
			p.recs[m] = lead.Record{} // each record is in one group: free it once merged
		}
		leads[gi] = p.makeLead(g, recs, claims, cfg)
	})
	res := Result{Members: make(map[string][]int, len(groups))}
	leadOf := make([]string, len(groups))
	for gi, g := range groups {
		leadOf[gi] = leads[gi].ID
		res.Members[leads[gi].ID] = toInts(g.members)
	}
	slices.SortFunc(leads, func(a, b lead.Lead) int { return strings.Compare(a.ID, b.ID) })
	res.Leads = leads
	res.Review = p.review(cl, cands, cfg, func(i int32) string { return leadOf[rootGroup[cl.find(i)]] })
	return res
}

// claimsOf counts, for each identity key, the groups that hold it.
func claimsOf(groups []group) map[string]int {
	claims := map[string]int{}
	for _, g := range groups {
		for _, k := range g.keys {
			claims[k]++
		}
	}
	return claims
}

// makeLead merges a group's records into its lead, with its quality, ID and keys.
func (p *prepared) makeLead(g *group, recs []lead.Record, claims map[string]int, cfg Config) lead.Lead {
	l := merge("", recs, cfg.Precedence)
	l.Quality = score.QualityBy(cfg.Quality, l.Values, p.norm.ParsePhone)
	l.ID = p.leadID(g, l.Values, claims, cfg.IDKey)
	l.Keys = p.leadKeys(g, l.ID, claims)
	return l
}

// groups lists the clusters with their members and identity keys; rootGroup maps a root
// record to its group's index.
func (p *prepared) groups(cl clustering) ([]group, map[int32]int) {
	rootGroup := map[int32]int{}
	var groups []group
	for i := range p.keys {
		r := cl.find(int32(i))
		gi, ok := rootGroup[r]
		if !ok {
			gi = len(groups)
			rootGroup[r] = gi
			groups = append(groups, group{known: cl.known[r], minFP: p.fps[i]})
		}
		g := &groups[gi]
		g.members = append(g.members, int32(i))
		g.keys = append(g.keys, identityKeys(p.keys[i])...)
		g.minFP = min(g.minFP, p.fps[i])
	}
	for gi := range groups {
		slices.Sort(groups[gi].keys)
		groups[gi].keys = slices.Compact(groups[gi].keys)
	}
	return groups, rootGroup
}

// leadID is the known ID, else lead.KeyedIDFor (idKey) of the best key that no other cluster holds: the
// merged e-mail's key, the merged name's key, then the others (e-mail keys sort first).
func (p *prepared) leadID(g *group, merged lead.Values, claims map[string]int, idKey []byte) string {
	if g.known != "" {
		return g.known
	}
	prefs := append(identityKeys(p.norm.Keys(merged)), g.keys...)
	for _, k := range prefs {
		if claims[k] == 1 && slices.Contains(g.keys, k) {
			return lead.KeyedIDFor(idKey, k)
		}
	}
	return lead.KeyedIDFor(idKey, fmt.Sprintf("record:%016x", g.minFP))
}

// leadKeys are the group's keys that no other cluster holds, plus those the index already
// gives to this lead.
func (p *prepared) leadKeys(g *group, id string, claims map[string]int) []string {
	var out []string
	for _, k := range g.keys {
		if claims[k] == 1 {
			out = append(out, k)
		} else if p.index != nil {
			if owner, ok := p.index.Lookup(k); ok && owner == id {
				out = append(out, k)
			}
		}
	}
	return out
}

func toInts(s []int32) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[i] = int(v)
	}
	return out
}

// review returns, for each pair of different leads, the strongest unmerged pair between them:
// blocked strong pairs and pairs between the review and the automatic threshold.
func (p *prepared) review(cl clustering, cands []candidate, cfg Config, leadOf func(int32) string) []ReviewPair {
	best := map[[2]string]ReviewPair{}
	consider := func(c candidate, reason string) {
		a, b := leadOf(c.i), leadOf(c.j)
		if a == b {
			return
		}
		ra, rb := int(c.i), int(c.j)
		if a > b {
			a, b, ra, rb = b, a, rb, ra
		}
		k := [2]string{a, b}
		if old, ok := best[k]; ok && !p.strongerPair(c, old) {
			return
		}
		best[k] = ReviewPair{LeadA: a, LeadB: b, RecordA: ra, RecordB: rb, Weight: float64(c.weight), Reason: reason}
	}
	for _, b := range cl.blocked {
		consider(b.cand, b.reason)
	}
	for _, c := range cands {
		if float64(c.weight) < cfg.AutoThreshold {
			consider(c, "below the automatic threshold")
		}
	}
	out := make([]ReviewPair, 0, len(best))
	for _, r := range best {
		notes := compare(p.keyOf(int32(r.RecordA)), p.keyOf(int32(r.RecordB)), p.phoneFreq, true).notes
		r.Reason += "; evidence: " + strings.Join(notes, ", ")
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b ReviewPair) int {
		if c := strings.Compare(a.LeadA, b.LeadA); c != 0 {
			return c
		}
		return strings.Compare(a.LeadB, b.LeadB)
	})
	return out
}

// keepReviewKeys copies the keys of the records that review may compare: the pairs it
// considers between two groups (groupOf gives a record's group).
func (p *prepared) keepReviewKeys(cl clustering, cands []candidate, cfg Config, groupOf func(int32) int) map[int32]normalize.Keys {
	kept := map[int32]normalize.Keys{}
	keep := func(c candidate) {
		if groupOf(c.i) != groupOf(c.j) {
			kept[c.i], kept[c.j] = p.keys[c.i], p.keys[c.j]
		}
	}
	for _, b := range cl.blocked {
		keep(b.cand)
	}
	for _, c := range cands {
		if float64(c.weight) < cfg.AutoThreshold {
			keep(c)
		}
	}
	return kept
}

// keyOf returns record i's keys, from reviewKeys once the others are freed.
func (p *prepared) keyOf(i int32) *normalize.Keys {
	if p.keys != nil {
		return &p.keys[i]
	}
	k := p.reviewKeys[i]
	return &k
}

// strongerPair reports whether candidate c beats the review pair r (by weight, then content).
func (p *prepared) strongerPair(c candidate, r ReviewPair) bool {
	if float64(c.weight) != r.Weight {
		return float64(c.weight) > r.Weight
	}
	old := candidate{i: int32(r.RecordA), j: int32(r.RecordB), weight: c.weight}
	return p.strongerFirst(c, old) < 0
}
