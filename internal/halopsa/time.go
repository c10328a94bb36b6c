package halopsa

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Time is a HaloPSA timestamp. HaloPSA writes UTC times with up to 7 fractional digits, with or
// without a zone ("2022-09-30T08:23:56.4214387Z", "2018-04-26T10:23:55.93"); times without a
// zone are read as UTC. The null sentinels 0001-01-01, 1899-12-30 and 1900-01-01 (any time of
// day), JSON null and "" all decode to the zero Time, which encodes as null and is left out of
// request bodies by `omitzero`.
type Time struct{ time.Time }

// layouts are tried in order; Go's ".999999999" accepts 0 to 9 fractional digits.
var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// ParseTime parses s as a HaloPSA timestamp (see Time).
func ParseTime(s string) (Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Time{}, nil
	}
	for _, layout := range layouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if isNullSentinel(t) {
			return Time{}, nil
		}
		return Time{t.UTC()}, nil
	}
	return Time{}, fmt.Errorf("parsing HaloPSA time %q: unknown format", s)
}

// isNullSentinel reports whether t is one of the dates HaloPSA uses for "no value".
func isNullSentinel(t time.Time) bool {
	y, m, d := t.Date()
	switch {
	case y == 1 && m == time.January && d == 1:
		return true
	case y == 1899 && m == time.December && d == 30:
		return true
	case y == 1900 && m == time.January && d == 1:
		return true
	}
	return false
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("parsing HaloPSA time: %w", err)
	}
	parsed, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = parsed
	return nil
}

// MarshalJSON implements json.Marshaler: UTC with 7 fractional digits at most, or null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.String())
}

// String formats t as HaloPSA does (UTC, "Z", at most 7 fractional digits); "" for the zero Time.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(100 * time.Nanosecond).Format("2006-01-02T15:04:05.9999999Z07:00")
}
