package lifecycle

import (
	"fmt"
	"slices"
	"strings"
)

// A tenant's own statuses.
//
// HaloPSA tenants have statuses of their own beside the lifecycle's (every tenant has "Closed",
// many add more). A StatusMap says what each means to haloleads: a lifecycle status, or "closed",
// which reads as the closing status of the stage the lead is in (No Interest for a lead,
// Disqualified for a prospect, Lost for an opportunity). A status the map does not name is
// unknown: the lead workflow reports it (a violation and a note on the ticket) and keeps its
// status.

// Closed is the StatusMap target meaning "the closing status of the lead's stage".
const Closed Status = "closed"

// DefaultStatusMap maps HaloPSA's conventional "Closed" status (id 9 in default tenants) to the
// closing status of the lead's stage.
const DefaultStatusMap = "Closed=closed"

// StatusMap maps tenant status names (folded: case and spacing do not matter) to lifecycle
// statuses or Closed.
type StatusMap map[string]Status

// ParseStatusMap reads "Name=status,Name=status" (the LEAD_STATUS_MAP form): a tenant status
// name, "=", then a lifecycle status (id or display name) or "closed". Entries are separated by
// commas or semicolons; an empty string is an empty map.
func ParseStatusMap(s string) (StatusMap, error) {
	m := StatusMap{}
	for _, entry := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		name, target, ok := strings.Cut(entry, "=")
		name = foldName(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("status map entry %q is not Name=status", strings.TrimSpace(entry))
		}
		to, err := parseTarget(target)
		if err != nil {
			return nil, fmt.Errorf("status map entry %q: %w", strings.TrimSpace(entry), err)
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("status map names %q twice", strings.TrimSpace(name))
		}
		m[name] = to
	}
	return m, nil
}

func parseTarget(s string) (Status, error) {
	if statusKey(s) == string(Closed) {
		return Closed, nil
	}
	return ParseStatus(s)
}

// foldName folds a status name for lookup: lower case, single spaces.
func foldName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// Resolve maps a tenant status name to a lifecycle status for a lead at stage. It reports false
// when the map does not name it.
func (m StatusMap) Resolve(name string, stage Stage) (Status, bool) {
	to, ok := m[foldName(name)]
	if !ok {
		return "", false
	}
	if to == Closed {
		return ClosingStatus(stage), true
	}
	return to, true
}

// ClosingStatus is the status a lead closed at stage ends in: No Interest, Disqualified or Lost.
func ClosingStatus(stage Stage) Status {
	switch stage {
	case Prospect:
		return Disqualified
	case Opportunity:
		return Lost
	}
	return NoInterest
}

// String writes the map back in the LEAD_STATUS_MAP form, names sorted.
func (m StatusMap) String() string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + string(m[n])
	}
	return strings.Join(parts, ",")
}
