package halosandbox

import (
	"net/http"
	"strings"
)

// Mandatory fields of a ticket type.
//
// In HaloPSA an administrator makes a field mandatory on a ticket type: its entry in the type's
// field list (schema RequestTypeField, "fields" of RequestType) says how the field behaves when
// an agent logs a new ticket ("technew"), and the field's own definition (FieldInfo) has a
// "mandatory" flag. A custom field is named by "fieldid" (a FieldInfo id), a native field of the
// ticket by "fieldname" ("category_1", "details", ...). The sandbox refuses to create a ticket
// of the type without a value in such a field, with a 400 whose plain-text message names the
// field and no record, so that one array POST fails as a whole.
//
// UNCONFIRMED against a live tenant: the technew code of "mandatory" (TechNewMandatory), that
// FieldInfo.mandatory applies on every type showing the field, that updates are not checked,
// and the wording of the message.

// TechNewMandatory is the RequestTypeField.technew value that makes a field mandatory when a
// ticket of the type is created.
const TechNewMandatory = 2

// checkMandatory refuses a new ticket that leaves a mandatory field of its type empty.
func (s *Server) checkMandatory(rec Record) error {
	tt := s.st.coll("tickettype").get(rec["tickettype_id"])
	if tt == nil {
		return nil
	}
	entries, _ := tt["fields"].([]any)
	values := storedValues(rec["customfields"])
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		label, filled, mandatory := s.mandatoryField(Record(lowerKeys(m)), rec, values)
		if mandatory && !filled {
			return errorf(http.StatusBadRequest, "Please enter a value for %s: it is mandatory for Ticket Type %s", label, tt.String("name"))
		}
	}
	return nil
}

// mandatoryField reads one entry of a type's field list: the field's label, whether rec fills
// it, and whether it is mandatory on new tickets.
func (s *Server) mandatoryField(entry, rec Record, values map[int]any) (label string, filled, mandatory bool) {
	mandatory = entry.Int("technew") == TechNewMandatory || entry.Bool("mandatory")
	if id := entry.Int("fieldid"); id > 0 {
		def := s.st.coll("fieldinfo").get(id)
		if def == nil || def.Int("usage") != UsageTicket {
			return "", true, false
		}
		return def.String("label"), !empty(values[id]), mandatory || def.Bool("mandatory")
	}
	name := strings.ToLower(strings.TrimSpace(entry.String("fieldname")))
	if name == "" {
		return "", true, false
	}
	filled = !empty(rec[name])
	if strings.HasSuffix(name, "_id") {
		filled = rec.Int(name) > 0
	}
	return name, filled, mandatory
}

// empty reports whether a stored value is unset: null, or an empty or blank string.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}
