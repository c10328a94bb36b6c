package halopsa

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// ID is a HaloPSA numeric record id. Some ids are typed as doubles in HaloPSA's schema
// (Users.site_id, Site.client_id) and some bodies carry ids as strings, so ID decodes from
// integral JSON numbers ("12", "12.0"), numeric strings ("12") and null; it always encodes as a
// JSON integer (HaloPSA rejects "95.0"). Zero means "not set"; -1 means "none" in many HaloPSA
// fields.
type ID int

// UnmarshalJSON implements json.Unmarshaler.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*id = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("parsing HaloPSA id: %w", err)
		}
		if s == "" {
			*id = 0
			return nil
		}
		b = []byte(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return fmt.Errorf("parsing HaloPSA id %q: not an integer", b)
	}
	*id = ID(f)
	return nil
}
