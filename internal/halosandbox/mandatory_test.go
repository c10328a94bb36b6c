package halosandbox

import (
	"strings"
	"testing"
)

// TestMandatoryFieldsOfTicketType makes a custom field and a native field mandatory on a ticket
// type, as an administrator does through /TicketType, and checks that new tickets of the type
// must fill them (the whole array POST refused, nothing saved), while updates and other types
// are not checked.
func TestMandatoryFieldsOfTicketType(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	client, site, user := h.seedLead()
	region := h.create("/api/FieldInfo", map[string]any{"name": "CFRegion", "label": "Region", "type": 0, "usage": UsageTicket}).ID()
	tier := h.create("/api/FieldInfo", map[string]any{"name": "CFTier", "label": "Tier", "type": 0, "usage": UsageTicket, "mandatory": true}).ID()
	h.create("/api/TicketType", map[string]any{"id": 4, "fields": []any{
		map[string]any{"fieldid": region, "technew": TechNewMandatory},
		map[string]any{"fieldname": "category_1", "technew": TechNewMandatory},
		map[string]any{"fieldid": tier},
	}})
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"summary": "Lead", "tickettype_id": 4, "client_id": client, "site_id": site, "user_id": user}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cf := func(pairs ...any) []any {
		var out []any
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, map[string]any{"id": pairs[i], "value": pairs[i+1]})
		}
		return out
	}
	all := map[string]any{"category_1": "Sales", "customfields": cf(region, "EMEA", tier, "Gold")}
	tests := []struct {
		name   string
		body   []any
		status int
		want   string
	}{
		{"custom field missing", []any{base(map[string]any{"category_1": "Sales", "customfields": cf(tier, "Gold")})}, 400, "Please enter a value for Region"},
		{"custom field blank", []any{base(map[string]any{"category_1": "Sales", "customfields": cf(region, "  ", tier, "Gold")})}, 400, "Region"},
		{"native field missing", []any{base(map[string]any{"customfields": cf(region, "EMEA", tier, "Gold")})}, 400, "Please enter a value for category_1"},
		{"mandatory in its definition", []any{base(map[string]any{"category_1": "Sales", "customfields": cf(region, "EMEA")})}, 400, "Tier"},
		{"one of two refuses the array", []any{base(all), base(nil)}, 400, "mandatory for Ticket Type Service Request"},
		{"all filled", []any{base(all)}, 201, ""},
		{"another type", []any{base(map[string]any{"tickettype_id": 1})}, 201, ""},
	}
	for _, tt := range tests {
		before := len(h.sb.Tickets())
		resp, body := h.do("POST", "/api/Tickets", tt.body)
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: %d %s, want %d containing %q", tt.name, resp.StatusCode, body, tt.status, tt.want)
		}
		if saved := len(h.sb.Tickets()) - before; tt.status != 201 && saved != 0 {
			t.Errorf("%s: %d tickets saved by a refused POST", tt.name, saved)
		}
	}
	// An update of a ticket of the type is not held to the new-ticket rule.
	tk := h.sb.Tickets()[len(h.sb.Tickets())-2]
	h.must(201, "POST", "/api/Tickets", []any{map[string]any{"id": tk.ID(), "category_1": "", "customfields": cf(region, "")}})
}
