package dedupe

import "unicode/utf8"

// JaroWinkler returns the Jaro-Winkler similarity of a and b (0 to 1, 1 when equal), with the
// usual prefix scale 0.1 over at most four characters. It compares runes, case-sensitively;
// callers compare folded strings.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := toRunes(a), toRunes(b)
	j := jaro(ra, rb)
	prefix := 0
	for prefix < 4 && prefix < len(ra) && prefix < len(rb) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

func toRunes(s string) []rune {
	if len(s) == utf8.RuneCountInString(s) {
		r := make([]rune, len(s))
		for i := 0; i < len(s); i++ {
			r[i] = rune(s[i])
		}
		return r
	}
	return []rune(s)
}

// jaro is the Jaro similarity: matches within half the longer length, minus transpositions.
func jaro(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	window := max(max(len(a), len(b))/2-1, 0)
	var bufA, bufB [64]bool
	matchedA, matchedB := bufA[:0], bufB[:0]
	if len(a) <= 64 && len(b) <= 64 {
		matchedA, matchedB = bufA[:len(a)], bufB[:len(b)]
	} else {
		matchedA, matchedB = make([]bool, len(a)), make([]bool, len(b))
	}
	m := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for k := lo; k < hi; k++ {
			if !matchedB[k] && b[k] == r {
				matchedA[i], matchedB[k] = true, true
				m++
				break
			}
		}
	}
	return jaroScore(a, b, matchedA, matchedB, m)
}

func jaroScore(a, b []rune, matchedA, matchedB []bool, m int) float64 {
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := range a {
		if !matchedA[i] {
			continue
		}
		for !matchedB[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	fm := float64(m)
	return (fm/float64(len(a)) + fm/float64(len(b)) + (fm-float64(t)/2)/fm) / 3
}
