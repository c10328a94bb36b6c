package halosandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Record is one stored HaloPSA object (a ticket, user, client, ...) as its JSON fields. Numbers
// are json.Number, objects map[string]any and arrays []any, exactly as decoded from JSON, so a
// record round-trips through the API and the state file unchanged.
type Record map[string]any

// ID returns the record's integer id, or 0 when it has none (or a GUID id).
func (r Record) ID() int {
	n, _ := intOf(r["id"])
	return n
}

// Int returns the integer value of key, or 0 when it is absent or not an integer.
func (r Record) Int(key string) int {
	n, _ := intOf(r[key])
	return n
}

// String returns the value of key as a string: strings as they are, numbers and booleans
// formatted, and "" when the key is absent or null.
func (r Record) String(key string) string {
	return textOf(r[key])
}

// Bool reports whether key holds true (a JSON boolean, or the strings "true"/"1").
func (r Record) Bool(key string) bool {
	return boolOf(r[key])
}

// Clone returns a deep copy of r.
func (r Record) Clone() Record {
	if r == nil {
		return nil
	}
	return cloneValue(map[string]any(r)).(map[string]any)
}

// cloneValue deep-copies a decoded JSON value; leaves (strings, numbers, booleans) are immutable.
func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = cloneValue(e)
		}
		return out
	case Record:
		return Record(cloneValue(map[string]any(t)).(map[string]any))
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}

// intOf converts a decoded JSON value to an int. Integral numbers and decimal strings of digits
// qualify; a float-looking value such as "95.0" does not (Halo rejects those too).
func intOf(v any) (int, bool) {
	switch t := v.(type) {
	case json.Number:
		n, err := strconv.ParseInt(string(t), 10, 64)
		return int(n), err == nil && n >= math.MinInt32 && n <= math.MaxInt32
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 32)
		return int(n), err == nil
	case float64:
		return int(t), t == math.Trunc(t) && math.Abs(t) <= math.MaxInt32
	case int:
		return t, true
	}
	return 0, false
}

// textOf formats a decoded JSON scalar as text.
func textOf(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case int:
		return strconv.Itoa(t)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// boolOf reports whether a decoded JSON value means true.
func boolOf(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		b, _ := strconv.ParseBool(strings.TrimSpace(t))
		return b
	case json.Number:
		return string(t) != "0"
	}
	return false
}

// num wraps an int as the json.Number a decoded record would hold.
func num(n int) json.Number { return json.Number(strconv.Itoa(n)) }

// haloTime formats t as Halo does for stored dates: UTC, seven fractional digits, no zone.
func haloTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000")
}

// webhookTime formats t as Halo's webhook timestamps: UTC, seven fractional digits and a Z.
func webhookTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}
