package activities

import (
	"fmt"
	"slices"
	"testing"
)

// companies builds staged leads: one company per count, named c0, c1, ...; a name "" stands
// for leads without a company.
func companies(names []string, counts []int) []staged {
	var out []staged
	for c, n := range counts {
		for i := range n {
			var s staged
			s.CompanyKey = names[c]
			s.Offer.Lead.ID = fmt.Sprintf("%s-%d", names[c], i)
			out = append(out, s)
		}
	}
	return out
}

func TestPack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		names    []string
		counts   []int
		size     int
		sizes    []int
		barriers []int
	}{
		{"empty", nil, nil, 4, nil, nil},
		{"singles fill batches", []string{"a", "b", "c", "d", "e"}, []int{1, 1, 1, 1, 1}, 2, []int{2, 2, 1}, nil},
		{"a company is not split, singles fill its gap", []string{"a", "b", "c", "d"}, []int{3, 3, 1, 1}, 4, []int{4, 4}, nil},
		{"two companies that fit share a batch", []string{"a", "b"}, []int{2, 2}, 4, []int{4}, nil},
		{"a company larger than a batch fills batches with barriers", []string{"", "x"}, []int{7, 1}, 3, []int{3, 3, 2}, []int{1, 2}},
		{"exactly a batch", []string{"a"}, []int{4}, 4, []int{4}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			items := companies(tc.names, tc.counts)
			p := pack(items, tc.size)
			var sizes []int
			seen := map[string]int{}
			batchOf := map[string]int{}
			for b, batch := range p.batches {
				sizes = append(sizes, len(batch))
				for _, it := range batch {
					seen[it.Offer.Lead.ID]++
					if prev, ok := batchOf[it.CompanyKey]; ok && prev != b && prev != b-1 {
						t.Errorf("company %q in batches %d and %d: not consecutive", it.CompanyKey, prev, b)
					}
					batchOf[it.CompanyKey] = b
				}
			}
			if !slices.Equal(sizes, tc.sizes) || !slices.Equal(p.barriers, tc.barriers) {
				t.Errorf("batch sizes %v barriers %v, want %v and %v", sizes, p.barriers, tc.sizes, tc.barriers)
			}
			for _, it := range items {
				if seen[it.Offer.Lead.ID] != 1 {
					t.Errorf("lead %s staged %d times", it.Offer.Lead.ID, seen[it.Offer.Lead.ID])
				}
			}
			assertCompaniesWhole(t, p, tc.size)
		})
	}
}

// assertCompaniesWhole checks that a company split across batches is always behind a barrier.
func assertCompaniesWhole(t *testing.T, p packing, size int) {
	t.Helper()
	for b := 1; b < len(p.batches); b++ {
		last := p.batches[b-1][len(p.batches[b-1])-1].CompanyKey
		shared := slices.ContainsFunc(p.batches[b], func(s staged) bool { return s.CompanyKey == last })
		if shared && !slices.Contains(p.barriers, b) {
			t.Errorf("batch %d shares company %q with batch %d but is no barrier", b, last, b-1)
		}
		if len(p.batches[b-1]) > size {
			t.Errorf("batch %d holds %d leads, more than %d", b-1, len(p.batches[b-1]), size)
		}
	}
}
