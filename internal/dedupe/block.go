package dedupe

import (
	"slices"

	"haloleads/internal/normalize"
)

// blockEntry places one record in one block.
type blockEntry struct {
	hash  uint64
	rec   int32
	exact bool // the key is an identity (e-mail, LinkedIn profile): oversized blocks are chained
	// loose marks a name-only key ("n", "cl"): it only pairs a record without a company domain
	// with another record, since two records with domains meet on "dl" when the domains agree
	// and are never merged when they differ.
	loose     bool
	hasDomain bool
}

// blockKey is a hashed blocking key and whether it is name-only.
type blockKey struct {
	hash  uint64
	loose bool
}

// exactKeys appends the hashed identity keys of k (e-mail, LinkedIn profile) to dst.
func exactKeys(dst []blockKey, k *normalize.Keys) []blockKey {
	if k.Email != "" && (!k.EmailRole || mailboxOnly(*k)) {
		dst = append(dst, blockKey{hashKey("e", k.Email), false})
	}
	if k.LinkedIn != "" {
		dst = append(dst, blockKey{hashKey("l", k.LinkedIn), false})
	}
	return dst
}

// blockKeys appends the other blocking keys of k (hashed) to dst. With exactKeys they form
// the union of cheap keys that finds candidate pairs: records sharing none are never compared.
func blockKeys(dst []blockKey, k *normalize.Keys) []blockKey {
	if k.Last != "" {
		if k.Domain != "" {
			dst = append(dst, blockKey{hashKey("dl", k.Domain, k.Last), false})
		}
		if k.Company != "" {
			dst = append(dst, blockKey{hashKey("cl", k.Company, k.Last), true})
		}
		if k.FirstCanon != "" {
			dst = append(dst, blockKey{hashKey("n", k.FirstCanon, k.Last), true})
		}
	}
	if k.Domain != "" && k.FirstCanon != "" && k.Last != "" {
		dst = append(dst, blockKey{hashKey("df", k.Domain, k.FirstCanon, k.Last[:1]), false})
	}
	for _, p := range k.Phones {
		dst = append(dst, blockKey{hashKey("p", p), false})
	}
	return dst
}

// hashKey is 64-bit FNV-1a over the parts, each followed by a separator byte. A collision only adds
// comparisons, never a match: pairs are scored on their values.
func hashKey(parts ...string) uint64 {
	h := uint64(14695981039346656037)
	for _, s := range parts {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff // separator: ("ab", "c") and ("a", "bc") differ
		h *= 1099511628211
	}
	return h
}

// blocking is the outcome of candidate generation.
type blocking struct {
	pairs  []uint64 // i<<32 | j with i < j, sorted, unique
	blocks int      // blocks with at least two records
	capped int      // blocks skipped for holding more than the cap
}

// candidatePairs returns every pair of records that share a block of at most maxBlock
// records. Larger blocks (a surname at a big company, a common name) are skipped: their
// members still meet through their other keys. A larger block on an identity key (the same
// address exported a hundred times) is chained instead: each record is compared with the next,
// which is enough to join them and stays linear.
func candidatePairs(keys []normalize.Keys, maxBlock int) blocking {
	var entries []blockEntry
	var buf []blockKey
	for i := range keys {
		buf = exactKeys(buf[:0], &keys[i])
		exact := len(buf)
		buf = blockKeys(buf, &keys[i])
		for x, bk := range buf {
			entries = append(entries, blockEntry{hash: bk.hash, rec: int32(i), exact: x < exact,
				loose: bk.loose, hasDomain: keys[i].Domain != ""})
		}
	}
	slices.SortFunc(entries, func(a, b blockEntry) int {
		if a.hash != b.hash {
			if a.hash < b.hash {
				return -1
			}
			return 1
		}
		return int(a.rec - b.rec)
	})
	var out blocking
	for start := 0; start < len(entries); {
		end := start + 1
		for end < len(entries) && entries[end].hash == entries[start].hash {
			end++
		}
		out.addBlock(entries[start:end], maxBlock)
		start = end
	}
	slices.Sort(out.pairs)
	out.pairs = slices.Compact(out.pairs)
	return out
}

func (b *blocking) addBlock(block []blockEntry, maxBlock int) {
	switch {
	case len(block) < 2:
		return
	case len(block) > maxBlock && block[0].exact:
		b.blocks++
		for x := 1; x < len(block); x++ {
			b.addPair(block[x-1].rec, block[x].rec)
		}
		return
	case len(block) > maxBlock:
		b.capped++
		return
	}
	b.blocks++
	for x := 0; x < len(block); x++ {
		for y := x + 1; y < len(block); y++ {
			if !block[x].loose || !block[x].hasDomain || !block[y].hasDomain {
				b.addPair(block[x].rec, block[y].rec)
			}
		}
	}
}

// addPair records the pair i < j (records appear in a block in ascending order).
func (b *blocking) addPair(i, j int32) {
	if i != j {
		b.pairs = append(b.pairs, uint64(i)<<32|uint64(j))
	}
}
