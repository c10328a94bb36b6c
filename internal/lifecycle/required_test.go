package lifecycle

import (
	"testing"

	"haloleads/internal/lead"
)

func TestCheckLead(t *testing.T) {
	t.Parallel()
	v := func(kv ...string) lead.Values {
		out := lead.Values{}
		for i := 0; i < len(kv); i += 2 {
			out[lead.Field(kv[i])] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name   string
		values lead.Values
		want   Verdict
		reason string
	}{
		{"complete", v("first_name", "Eve", "last_name", "Stone", "email", "eve@nowhere.com", "company", "Nowhere"), Land, ""},
		{"last name is a name", v("last_name", "Stone", "email", "eve@nowhere.com", "company", "Nowhere"), Land, ""},
		{"bad email, name and company", v("first_name", "Eve", "email_invalid", "no at sign", "company", "Nowhere"),
			LandInvalid, "required Lead fields: Email invalid (no at sign)"},
		{"no email, name and phone", v("first_name", "Eve", "phone_direct", "+15125550100", "company", "Nowhere"),
			LandInvalid, "required Lead fields: Email missing"},
		{"no company, name and email", v("first_name", "Eve", "email", "eve@gmail.com"), LandInvalid,
			"required Lead fields: Company Name missing"},
		{"bad email, no company, name", v("first_name", "Eve", "email_invalid", "no at sign"), Reject,
			"required Lead fields: Email invalid (no at sign); Company Name missing"},
		{"no company, name, email and phone", v("first_name", "Eve", "email", "eve@gmail.com", "phone_mobile", "+15125550100"),
			LandInvalid, "required Lead fields: Company Name missing"},
		{"domain is not a company name", v("first_name", "Eve", "email", "eve@nowhere.com", "domain", "nowhere.com"), LandInvalid,
			"required Lead fields: Company Name missing"},
		{"no name", v("email", "info@nowhere.com", "company", "Nowhere", "phone_company", "+15125550100"), Reject,
			"required Lead fields: Person Name missing"},
		{"name only", v("first_name", "Eve"), Reject, "required Lead fields: Email missing; Company Name missing"},
		{"nothing", v(), Reject, "required Lead fields: Person Name missing; Email missing; Company Name missing"},
		{"blank values", v("first_name", " ", "email", "eve@nowhere.com", "company", "Nowhere"), Reject,
			"required Lead fields: Person Name missing"},
		{"valid email wins over a bad one from another source", v("first_name", "Eve", "email", "eve@nowhere.com",
			"email_invalid", "no at sign", "company", "Nowhere"), Land, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CheckLead(tt.values)
			if got.Verdict != tt.want || got.Reason != tt.reason {
				t.Errorf("CheckLead = %+v, want %s %q", got, tt.want, tt.reason)
			}
		})
	}
}
