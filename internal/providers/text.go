package providers

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Text is a JSON scalar read as text, absorbing the providers' type quirks: a string, a number
// (written in decimal), a boolean ("true"/"false"), a list of scalars (joined with "; "), or
// null (""). Objects read as "".
type Text string

// UnmarshalJSON never fails on valid JSON: anything it cannot render becomes "".
func (t *Text) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*t = Text(render(v))
	return nil
}

// String returns the text.
func (t Text) String() string { return string(t) }

// Bool reports whether the text is a true value ("true", "yes", "1").
func (t Text) Bool() bool {
	switch strings.ToLower(strings.TrimSpace(string(t))) {
	case "true", "yes", "y", "1":
		return true
	}
	return false
}

// render writes a decoded JSON value as text.
func render(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s := render(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}
