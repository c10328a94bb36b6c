package dedupe

import (
	"slices"
)

// candidate is a scored pair worth acting on: no guard holds and the weight is at or above
// the review threshold.
type candidate struct {
	i, j   int32
	weight float32
}

// scorePairs compares every candidate pair in parallel and keeps those at or above the review
// threshold that no guard forbids, strongest first (ties broken by content, not position).
// Guarded pairs are settled: they are neither merged nor reviewed.
func (p *prepared) scorePairs(pairs []uint64, cfg Config) []candidate {
	const chunk = 4096
	parts := make([][]candidate, (len(pairs)+chunk-1)/chunk)
	parallel(len(parts), cfg.Workers, func(c int) {
		var out []candidate
		for _, pr := range pairs[c*chunk : min((c+1)*chunk, len(pairs))] {
			i, j := int32(pr>>32), int32(pr&0xffffffff)
			cmp := compare(&p.keys[i], &p.keys[j], p.phoneFreq, false)
			if cmp.weight >= cfg.ReviewThreshold && cmp.guard == "" {
				out = append(out, candidate{i, j, float32(cmp.weight)})
			}
		}
		parts[c] = out
	})
	cands := slices.Concat(parts...)
	slices.SortFunc(cands, p.strongerFirst)
	return cands
}

func (p *prepared) strongerFirst(a, b candidate) int {
	if a.weight != b.weight {
		if a.weight > b.weight {
			return -1
		}
		return 1
	}
	a1, a2 := minmax(p.fps[a.i], p.fps[a.j])
	b1, b2 := minmax(p.fps[b.i], p.fps[b.j])
	switch {
	case a1 != b1:
		return cmpU64(a1, b1)
	case a2 != b2:
		return cmpU64(a2, b2)
	}
	if a.i != b.i {
		return int(a.i - b.i)
	}
	return int(a.j - b.j)
}

func minmax(a, b uint64) (uint64, uint64) {
	if a < b {
		return a, b
	}
	return b, a
}

func cmpU64(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// clusters is union-find over records; each root's members form a circular list through next.
type clusters struct {
	parent []int32
	next   []int32
	size   []int32
	known  []string // per root: the lead ID the cluster already has, or ""
}

func newClusters(known []string) *clusters {
	n := len(known)
	c := &clusters{parent: make([]int32, n), next: make([]int32, n), size: make([]int32, n),
		known: slices.Clone(known)}
	for i := range n {
		c.parent[i], c.next[i], c.size[i] = int32(i), int32(i), 1
	}
	return c
}

func (c *clusters) find(i int32) int32 {
	for c.parent[i] != i {
		c.parent[i] = c.parent[c.parent[i]]
		i = c.parent[i]
	}
	return i
}

// union joins the clusters of roots a and b and returns the new root.
func (c *clusters) union(a, b int32) int32 {
	if c.size[a] < c.size[b] {
		a, b = b, a
	}
	c.parent[b] = a
	c.size[a] += c.size[b]
	c.next[a], c.next[b] = c.next[b], c.next[a]
	if c.known[a] == "" {
		c.known[a] = c.known[b]
	}
	return a
}

// members returns the records of root r's cluster.
func (c *clusters) members(r int32) []int32 {
	out := []int32{r}
	for x := c.next[r]; x != r; x = c.next[x] {
		out = append(out, x)
	}
	return out
}

// blocked is a strong pair that was not merged, and why.
type blocked struct {
	cand   candidate
	reason string
}

// clustering is the outcome of cluster.
type clustering struct {
	*clusters
	blocked []blocked
}

// cluster joins records: first those whose keys already belong to the same known lead, then
// candidate pairs at or above the automatic threshold, strongest first, unless a guard holds
// between any two members of the two clusters or both clusters already have lead IDs.
func (p *prepared) cluster(cands []candidate, cfg Config) clustering {
	cl := clustering{clusters: newClusters(p.known)}
	first := map[string]int32{}
	for i, id := range p.known {
		if id == "" {
			continue
		}
		if f, ok := first[id]; ok {
			cl.union(cl.find(f), cl.find(int32(i)))
		} else {
			first[id] = int32(i)
		}
	}
	for _, c := range cands {
		if float64(c.weight) < cfg.AutoThreshold {
			break
		}
		if reason := p.tryUnion(cl.clusters, c); reason != "" {
			cl.blocked = append(cl.blocked, blocked{c, reason})
		}
	}
	return cl
}

// tryUnion merges the clusters of c's records and returns "", or why it may not.
func (p *prepared) tryUnion(cl *clusters, c candidate) string {
	ra, rb := cl.find(c.i), cl.find(c.j)
	switch {
	case ra == rb:
		return ""
	case cl.known[ra] != "" && cl.known[rb] != "" && cl.known[ra] != cl.known[rb]:
		return "both are existing leads"
	}
	if reason := p.guardBetween(cl.members(ra), cl.members(rb)); reason != "" {
		return "a member of each: " + reason
	}
	cl.union(ra, rb)
	return ""
}

// guardBetween returns the first guard that holds between a member of a and a member of b.
func (p *prepared) guardBetween(a, b []int32) string {
	for _, x := range a {
		for _, y := range b {
			if g := compare(&p.keys[x], &p.keys[y], p.phoneFreq, false).guard; g != "" {
				return g
			}
		}
	}
	return ""
}
