package halosandbox

import (
	"net/http"
	"slices"
	"sort"
	"time"
)

// Custom-field type codes seen on real tenants (FieldInfo "type").
const (
	TypeText     = 0
	TypeDropdown = 2 // single select bound to a Lookup table; the value is the Lookup row id
	TypeDate     = 4
)

// fieldDefs returns the custom-field definitions of a usage, in id order.
func (s *Server) fieldDefs(usage int) []Record {
	var out []Record
	for _, f := range s.st.coll("fieldinfo").Items {
		if f.Int("usage") == usage {
			out = append(out, f)
		}
	}
	return out
}

// storedValues reads a record's stored custom-field values by field id.
func storedValues(stored any) map[int]any {
	out := map[int]any{}
	list, _ := stored.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out[refID(m)] = m["value"]
		}
	}
	return out
}

// mergeCustomFields applies writes ([{"id": N, "value": V}], N a FieldInfo id of the usage) over
// the stored values and returns the new stored list, sorted by id.
func (s *Server) mergeCustomFields(usage int, stored, writes any) ([]any, error) {
	list, ok := writes.([]any)
	if !ok && writes != nil {
		return nil, errorf(http.StatusBadRequest, "customfields must be an array")
	}
	values := storedValues(stored)
	for _, w := range list {
		m, ok := w.(map[string]any)
		if !ok {
			return nil, errorf(http.StatusBadRequest, "customfields entries must be objects with id and value")
		}
		def, err := s.fieldDef(usage, m["id"])
		if err != nil {
			return nil, err
		}
		if err := s.checkValue(def, m["value"]); err != nil {
			return nil, err
		}
		values[def.ID()] = m["value"]
	}
	ids := make([]int, 0, len(values))
	for id := range values {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, map[string]any{"id": num(id), "value": values[id]})
	}
	return out, nil
}

// fieldDef finds the definition a write refers to.
func (s *Server) fieldDef(usage int, id any) (Record, error) {
	n, ok := intOf(id)
	if !ok || n <= 0 {
		return nil, errorf(http.StatusBadRequest, "Custom fields must be referenced by their numeric id")
	}
	def := s.st.coll("fieldinfo").get(n)
	if def == nil || def.Int("usage") != usage {
		return nil, errorf(http.StatusBadRequest, "Custom field %d does not exist", n)
	}
	return def, nil
}

// checkValue rejects a dropdown value that is not a row id of the field's lookup table.
func (s *Server) checkValue(def Record, v any) error {
	if def.Int("type") != TypeDropdown || v == nil || v == "" {
		return nil
	}
	if s.lookupRow(def, v) == nil {
		return errorf(http.StatusBadRequest, "%s is not a valid value for custom field %s", textOf(v), def.String("name"))
	}
	return nil
}

// lookupRow returns the Lookup row a dropdown value names, or nil.
func (s *Server) lookupRow(def Record, v any) Record {
	n, ok := intOf(v)
	if !ok {
		return nil
	}
	row := s.st.coll("lookup").get(n)
	if row == nil || row.Int("lookupid") != def.Int("lookup") {
		return nil
	}
	return row
}

// renderCustomFields is the full custom-field set of a detail object: every definition of the
// usage, with the record's value and its display text ("" when unset).
func (s *Server) renderCustomFields(usage int, stored any) []any {
	values := storedValues(stored)
	out := []any{}
	for _, def := range s.fieldDefs(usage) {
		v, ok := values[def.ID()]
		if !ok || v == nil {
			v = ""
		}
		display := textOf(v)
		if row := s.lookupRow(def, v); def.Int("type") == TypeDropdown && row != nil {
			display = row.String("name")
		}
		out = append(out, map[string]any{
			"id": def["id"], "name": def["name"], "label": def["label"], "type": def["type"],
			"usage": def["usage"], "value": v, "display": display,
		})
	}
	return out
}

// render returns the API view of a stored record: a copy without hidden fields, customfields
// null on list rows and the full set on detail objects.
func (s *Server) render(res *resource, rec Record, detail bool) Record {
	out := rec.Clone()
	for _, h := range res.hide {
		delete(out, h)
	}
	if res.usage == 0 {
		return out
	}
	if detail {
		out["customfields"] = s.renderCustomFields(res.usage, rec["customfields"])
	} else {
		out["customfields"] = nil
	}
	return out
}

// prepareDistributionList requires a name and applies addtheseusers/removetheseusers to the
// members list.
func prepareDistributionList(s *Server, _ time.Time, _, rec Record) error {
	if rec.String("name") == "" {
		return errorf(http.StatusBadRequest, "Please enter a name for this Distribution List")
	}
	members, _ := rec["members"].([]any)
	add, _ := rec["addtheseusers"].([]any)
	remove, _ := rec["removetheseusers"].([]any)
	delete(rec, "addtheseusers")
	delete(rec, "removetheseusers")
	for _, u := range add {
		user := s.st.coll("users").get(refID(u))
		if user == nil {
			return errorf(http.StatusBadRequest, "User %d does not exist", refID(u))
		}
		if !slices.ContainsFunc(members, isMember(user.ID())) {
			members = append(members, map[string]any{"distributionlists_id": rec["id"], "user_id": user["id"],
				"name": user["name"], "email": user["emailaddress"]})
		}
	}
	for _, u := range remove {
		members = slices.DeleteFunc(members, isMember(refID(u)))
	}
	if members == nil {
		members = []any{}
	}
	rec["members"], rec["users_count"] = members, num(len(members))
	return nil
}

// isMember matches a distribution-list member entry by user id.
func isMember(userID int) func(any) bool {
	return func(m any) bool {
		e, _ := m.(map[string]any)
		n, _ := intOf(e["user_id"])
		return n == userID
	}
}
