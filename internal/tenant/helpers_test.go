package tenant

import (
	"slices"
	"strconv"

	"haloleads/internal/halopsa"
)

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func itoa(id halopsa.ID) string { return strconv.Itoa(int(id)) }
