package tenant

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
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
	// ID is a custom field's FieldInfo id.
	ID halopsa.ID `json:"id,omitempty"`
	// From is set on a text custom field haloleads does not own whose label is the name of a
	// lead field (Industry, Job Title, HQ Country, ...): a new ticket fills it with the lead's
	// value of that field.
	From lead.Field `json:"from,omitempty"`
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
// field values haloleads writes on it and the lead's values. A native field haloleads writes
// is always filled; a field filled from a lead field (From) is when the lead has a value; one
// it does not write, and another custom field it does not own, are missing: HaloPSA would
// refuse the ticket.
func Missing(required []RequiredField, values map[string]any, lv lead.Values) []RequiredField {
	var out []RequiredField
	for _, f := range required {
		switch {
		case f.Native && slices.Contains(nativeWritten, strings.ToLower(f.Name)):
		case f.Logical != "" && filledValue(values[f.Logical]):
		case f.From != "" && strings.TrimSpace(lv[f.From]) != "":
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
		f := RequiredField{Name: def.Name, Label: def.Label, ID: def.ID}
		for _, sf := range s.Fields {
			if sf.Usage == halopsa.FieldUsageTicket && strings.EqualFold(sf.Name, def.Name) {
				f.Logical = sf.Logical
			}
		}
		if f.Logical == "" && def.Type == halopsa.FieldTypeText {
			f.From = leadFieldLabelled(def.Label)
		}
		out = append(out, f)
	}
	return out
}

// leadFieldLabelled returns the lead field a salesperson knows by label ("" for none).
func leadFieldLabelled(label string) lead.Field {
	for _, f := range lead.AllFields {
		if fold(lifecycle.FieldLabel(f)) == fold(label) {
			return f
		}
	}
	return ""
}

// Fill returns the custom-field values a new ticket gets for the required fields filled from
// the lead's values (From), by FieldInfo id.
func Fill(required []RequiredField, lv lead.Values) []halopsa.CustomField {
	var out []halopsa.CustomField
	for _, f := range required {
		if v := strings.TrimSpace(lv[f.From]); f.From != "" && f.ID != 0 && v != "" {
			out = append(out, halopsa.CustomField{ID: int(f.ID), Value: v})
		}
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

// DescribeRequired says, for a person, which required fields haloleads fills from each lead's
// data and which it cannot fill (a new lead is then rejected).
func DescribeRequired(required []RequiredField) string {
	parts := make([]string, len(required))
	for i, f := range required {
		how := "haloleads does not fill it: new leads are rejected"
		switch {
		case f.Native && slices.Contains(nativeWritten, strings.ToLower(f.Name)):
			how = "always filled"
		case f.Logical != "" || f.From != "":
			how = "filled from each lead's data; a lead without it is rejected"
		}
		parts[i] = f.String() + " (" + how + ")"
	}
	return strings.Join(parts, ", ")
}

// ReadRequired reads again only what Result.Required comes from, the spec's ticket types'
// details and the custom-field definitions (one request per ticket type and one for the
// fields), and returns res with its Required replaced: after HaloPSA refused a new ticket, a
// changed mandatory field is learnt without reading the whole set-up again.
func ReadRequired(ctx context.Context, c *halopsa.Client, s Spec, res Result) (Result, error) {
	st := &state{types: map[string]halopsa.TicketType{}}
	for _, tt := range s.TicketTypes {
		if id := res.TicketTypes[tt.Key]; id != 0 {
			detail, err := c.TicketType(ctx, id)
			if err != nil {
				return res, fmt.Errorf("reading ticket type %s: %w", tt.Name, err)
			}
			st.types[fold(tt.Name)] = detail // by the spec's name, as the set-up resolved it
		}
	}
	if err := st.readFields(ctx, c, s); err != nil {
		return res, fmt.Errorf("reading the custom fields: %w", err)
	}
	required := map[string][]RequiredField{}
	for _, tt := range s.TicketTypes {
		if req := requiredFields(s, st, st.types[fold(tt.Name)]); len(req) > 0 {
			required[tt.Key] = req
		}
	}
	res.Required = required
	return res, nil
}
