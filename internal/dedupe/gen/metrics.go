package gen

import "fmt"

// Metrics are pairwise precision, recall and F1: over all pairs of records, a predicted pair
// is two records in one lead, a true pair two records of one identity.
type Metrics struct {
	Precision, Recall, F1                   float64
	TruePairs, PredictedPairs, CorrectPairs int64
}

func (m Metrics) String() string {
	return fmt.Sprintf("precision %.4f recall %.4f F1 %.4f (pairs: %d true, %d predicted, %d correct)",
		m.Precision, m.Recall, m.F1, m.TruePairs, m.PredictedPairs, m.CorrectPairs)
}

// Evaluate scores predicted clusters (lead ID → record indexes, as dedupe.Result.Members)
// against truth (record index → identity).
func Evaluate(members map[string][]int, truth []int) Metrics {
	var m Metrics
	trueSizes := map[int]int64{}
	for _, t := range truth {
		trueSizes[t]++
	}
	for _, n := range trueSizes {
		m.TruePairs += n * (n - 1) / 2
	}
	for _, recs := range members {
		n := int64(len(recs))
		m.PredictedPairs += n * (n - 1) / 2
		cells := map[int]int64{}
		for _, r := range recs {
			cells[truth[r]]++
		}
		for _, c := range cells {
			m.CorrectPairs += c * (c - 1) / 2
		}
	}
	m.Precision = ratio(m.CorrectPairs, m.PredictedPairs)
	m.Recall = ratio(m.CorrectPairs, m.TruePairs)
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

// ratio is a/b, or 1 when b is 0 (nothing to find, nothing missed).
func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
