package activities

import (
	"slices"
	"strings"
)

// packing is how the staged leads are cut into batches.
type packing struct {
	batches [][]staged
	// barriers are the batches that continue a company from the batch before them (a company
	// with more leads than a batch holds): they land only after every earlier batch.
	barriers []int
}

// pack cuts the leads into batches of at most size, keeping each company's leads in one batch
// where they fit, so that batches landing at the same time never create the same client.
// Companies of several leads are placed first, in key order, each in the open batch while it
// fits; the gaps they leave are then filled with single-lead companies, so every batch but the
// last is full when there are enough of those. A company larger than a batch fills whole
// batches of its own, each after the first marked as a barrier.
func pack(items []staged, size int) packing {
	slices.SortStableFunc(items, func(x, y staged) int { return strings.Compare(x.CompanyKey, y.CompanyKey) })
	var multi, singles [][]staged
	for start := 0; start < len(items); {
		end := start + 1
		for end < len(items) && items[end].CompanyKey == items[start].CompanyKey {
			end++
		}
		if end-start == 1 {
			singles = append(singles, items[start:end])
		} else {
			multi = append(multi, items[start:end])
		}
		start = end
	}
	var p packing
	var open []staged
	closeOpen := func() {
		if len(open) > 0 {
			p.batches = append(p.batches, open)
			open = nil
		}
	}
	for _, g := range multi {
		if len(g) > size {
			closeOpen()
			for s := 0; s < len(g); s += size {
				if s > 0 {
					p.barriers = append(p.barriers, len(p.batches))
				}
				p.batches = append(p.batches, slices.Clone(g[s:min(s+size, len(g))]))
			}
			continue
		}
		if len(open)+len(g) > size {
			closeOpen()
		}
		open = append(open, g...)
	}
	closeOpen()
	next := 0
	for b := range p.batches {
		for len(p.batches[b]) < size && next < len(singles) {
			p.batches[b] = append(p.batches[b], singles[next]...)
			next++
		}
	}
	for next < len(singles) {
		n := min(size, len(singles)-next)
		batch := make([]staged, 0, n)
		for _, g := range singles[next : next+n] {
			batch = append(batch, g...)
		}
		p.batches = append(p.batches, batch)
		next += n
	}
	return p
}
