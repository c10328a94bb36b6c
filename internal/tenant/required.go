package tenant

import (
	"fmt"
	"slices"
	"strings"

	"haloleads/internal/halopsa"
)

// RequiredField is a field a ticket type makes mandatory on new tickets (an administrator's
// setting in HaloPSA, read at set-up and whenever the set-up is read again: never assumed).
type RequiredField struct {
	Name  string `json:"name"`  // HaloPSA name: "CF…" for a custom field, the native field's otherwise
	Label string `json:"label"` // what HaloPSA shows
	// Logical is haloleads' name of a custom field it owns ("" for one it does not).
	Logical string `json:"logical,omitempty"`
	// Native is set for a native field of the ticket (category_1, details, ...).
	Native bool `json:"native,omitempty"`
}

// String names the field for a person: its label and HaloPSA name.
func (f RequiredField) String() string {
	if f.Label == "" || strings.EqualFold(f.Label, f.Name) {
		return f.Name
	}
	return fmt.Sprintf("%s (%s)", f.Label, f.Name)
}

// nativeWritten are the native fields haloleads fills on every lead ticket it creates.
var nativeWritten = []string{"summary", "details", "tickettype_id", "status_id", "client_id", "site_id", "user_id"}

// Missing returns the required fields a new ticket would leave empty, given the logical custom
// field values haloleads writes on it. A native field haloleads writes is always filled; one
// it does not write, and a custom field it does not own, are missing: HaloPSA would refuse the
// ticket.
func Missing(required []RequiredField, values map[string]any) []RequiredField {
	var out []RequiredField
	for _, f := range required {
		switch {
		case f.Native && slices.Contains(nativeWritten, strings.ToLower(f.Name)):
		case f.Logical != "" && filledValue(values[f.Logical]):
		default:
			out = append(out, f)
		}
	}
	return out
}

// filledValue reports whether a logical value is written as something other than empty.
func filledValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(x) != ""
	}
	return true
}

// requiredFields lists the fields a ticket type's detail makes mandatory on new tickets.
func requiredFields(s Spec, st *state, have halopsa.TicketType) []RequiredField {
	var out []RequiredField
	for _, e := range have.Fields {
		if e.FieldID == 0 {
			if name := strings.TrimSpace(e.FieldName); name != "" && e.IsMandatory() {
				out = append(out, RequiredField{Name: name, Label: name, Native: true})
			}
			continue
		}
		def, ok := st.fieldByID(e.FieldID)
		if !ok || !(e.IsMandatory() || def.Mandatory) {
			continue
		}
		f := RequiredField{Name: def.Name, Label: def.Label}
		for _, sf := range s.Fields {
			if sf.Usage == halopsa.FieldUsageTicket && strings.EqualFold(sf.Name, def.Name) {
				f.Logical = sf.Logical
			}
		}
		out = append(out, f)
	}
	return out
}

// fieldByID finds a ticket field definition by id.
func (st *state) fieldByID(id halopsa.ID) (halopsa.FieldInfo, bool) {
	for _, f := range st.fields {
		if f.ID == id && usageOf(f) == halopsa.FieldUsageTicket {
			return f, true
		}
	}
	return halopsa.FieldInfo{}, false
}
