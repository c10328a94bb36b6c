package webhook

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// flexInt reads a JSON number, a string holding one, or null (zero). HaloPSA sends ids as
// numbers, but a webhook set to "display values" or a custom payload may quote them.
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	switch {
	case s == "null":
		*n = 0
		return nil
	case strings.HasPrefix(s, `"`):
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s = strings.TrimSpace(s); s == "" {
			*n = 0
			return nil
		}
	case strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") || s == "true" || s == "false":
		return typeError(b, reflect.TypeFor[int]())
	}
	v, ok := parseWhole(s)
	if !ok {
		return typeError(b, reflect.TypeFor[int]())
	}
	*n = flexInt(v)
	return nil
}

// parseWhole parses a whole number in int32 range, also written with a zero fraction ("42.0").
func parseWhole(s string) (int, bool) {
	if v, err := strconv.ParseInt(s, 10, 32); err == nil {
		return int(v), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// flexString reads a JSON string, a number or boolean as its literal text, or null (empty).
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	str := string(b)
	switch {
	case str == "null":
		*s = ""
	case strings.HasPrefix(str, `"`):
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*s = flexString(str)
	case strings.HasPrefix(str, "{") || strings.HasPrefix(str, "["):
		return typeError(b, reflect.TypeFor[string]())
	default:
		*s = flexString(str)
	}
	return nil
}

// flexBool reads true/false, 1/0, "true"/"false" or null (false).
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	switch strings.ToLower(s) {
	case "true", "1":
		*v = true
	case "false", "0", "", "null":
		*v = false
	default:
		return typeError(b, reflect.TypeFor[bool]())
	}
	return nil
}

// typeError reports a JSON value of the wrong kind; the decoder adds the field path.
func typeError(b []byte, want reflect.Type) error {
	return &json.UnmarshalTypeError{Value: jsonKind(b), Type: want}
}

// jsonKind names the kind of a JSON literal without quoting it.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "value"
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// describe names what a Go type expects in JSON terms.
func describe(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another value"
}
