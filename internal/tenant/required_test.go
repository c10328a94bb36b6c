package tenant

import (
	"context"
	"reflect"
	"testing"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/lead"
)

// TestRequiredFieldsAreReadFromTheType makes fields mandatory on the Lead type as an
// administrator would (one of haloleads' custom fields, one of the administrator's own and a
// native field): set-up reads them, writes nothing more, and keeps the administrator's setting.
func TestRequiredFieldsAreReadFromTheType(t *testing.T) {
	t.Parallel()
	_, c := newSandbox(t, halosandbox.Options{})
	ctx := context.Background()
	spec := DefaultSpec()
	first, err := Apply(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Required) != 0 {
		t.Fatalf("a fresh tenant requires %v, want nothing", first.Required)
	}
	defs, err := c.SaveFieldInfos(ctx, []halopsa.FieldInfo{{Name: "CFRegion", Label: "Region", Usage: halopsa.FieldUsageTicket}})
	if err != nil {
		t.Fatal(err)
	}
	leadType, err := c.TicketType(ctx, first.TicketTypes[Lead])
	if err != nil {
		t.Fatal(err)
	}
	mandatory := halopsa.TechNewMandatory
	for i, f := range leadType.Fields {
		if f.FieldID == first.Fields["technology_stack"] {
			leadType.Fields[i].TechNew = &mandatory
		}
	}
	leadType.Fields = append(leadType.Fields, halopsa.TicketTypeField{FieldID: defs[0].ID, TechNew: &mandatory},
		halopsa.TicketTypeField{FieldName: "category_1", TechNew: &mandatory})
	if _, err := c.SaveTicketTypes(ctx, []halopsa.TicketType{leadType}); err != nil {
		t.Fatal(err)
	}
	second, err := Apply(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := []RequiredField{
		{Name: "CFhaloleadsTechnologyStack", Label: "Technology Stack", Logical: "technology_stack", ID: first.Fields["technology_stack"]},
		{Name: "CFRegion", Label: "Region", ID: defs[0].ID},
		{Name: "category_1", Label: "category_1", Native: true},
	}
	if got := second.Required[Lead]; !reflect.DeepEqual(got, want) {
		t.Errorf("Required[lead] = %+v\nwant %+v", got, want)
	}
	if got, want := DescribeRequired(second.Required[Lead]), "Technology Stack (CFhaloleadsTechnologyStack) (filled from each lead's data; a lead without it is rejected), "+
		"Region (CFRegion) (haloleads does not fill it: new leads are rejected), category_1 (haloleads does not fill it: new leads are rejected)"; got != want {
		t.Errorf("DescribeRequired = %q\nwant %q", got, want)
	}
	if second.Writes != 0 || len(second.Required[Prospect]) != 0 {
		t.Errorf("second Apply: %d writes, prospect requires %v; want 0 and nothing", second.Writes, second.Required[Prospect])
	}
	// Set-up leaves the administrator's setting alone, also when it adds to the type.
	spec.Fields = append(spec.Fields, Field{Logical: "extra", Name: "CFhaloleadsExtra", Label: "Extra", Kind: Text,
		Usage: halopsa.FieldUsageTicket, Types: []string{Lead}})
	third, err := Apply(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(third.Required[Lead]) != 3 {
		t.Errorf("after set-up added a field, the type requires %+v, want the three", third.Required[Lead])
	}
	after, err := c.TicketType(ctx, first.TicketTypes[Lead])
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, f := range after.Fields {
		if f.IsMandatory() {
			kept++
		}
	}
	if kept != 3 {
		t.Errorf("the Lead type holds %d mandatory fields after set-up, want 3: %+v", kept, after.Fields)
	}
}

func TestMissingRequiredFields(t *testing.T) {
	t.Parallel()
	stack := RequiredField{Name: "CFhaloleadsTechnologyStack", Label: "Technology Stack", Logical: "technology_stack"}
	region := RequiredField{Name: "CFRegion", Label: "Region"}
	category := RequiredField{Name: "category_1", Label: "category_1", Native: true}
	details := RequiredField{Name: "details", Native: true}
	fit := RequiredField{Name: "CFhaloleadsFitScore", Label: "Fit Score", Logical: "fit_score"}
	industry := RequiredField{Name: "CFIndustry", Label: "Industry", ID: 77, From: lead.Industry}
	tests := []struct {
		name     string
		required []RequiredField
		values   map[string]any
		lead     lead.Values
		want     []string
	}{
		{"nothing required", nil, nil, nil, nil},
		{"owned field given", []RequiredField{stack}, map[string]any{"technology_stack": "Azure"}, nil, nil},
		{"owned field absent", []RequiredField{stack}, map[string]any{}, nil, []string{"Technology Stack (CFhaloleadsTechnologyStack)"}},
		{"owned field blank", []RequiredField{stack}, map[string]any{"technology_stack": "  "}, nil, []string{"Technology Stack (CFhaloleadsTechnologyStack)"}},
		{"a number is a value, 0 too", []RequiredField{fit}, map[string]any{"fit_score": 0}, nil, nil},
		{"field haloleads does not own", []RequiredField{region}, map[string]any{"technology_stack": "Azure"}, nil, []string{"Region (CFRegion)"}},
		{"native field haloleads writes", []RequiredField{details}, nil, nil, nil},
		{"native field it does not write", []RequiredField{category, stack}, map[string]any{"technology_stack": "x"}, nil, []string{"category_1"}},
		{"labelled as a lead field, given", []RequiredField{industry}, nil, lead.Values{lead.Industry: "Legal"}, nil},
		{"labelled as a lead field, absent", []RequiredField{industry}, nil, lead.Values{lead.JobTitle: "CFO"}, []string{"Industry (CFIndustry)"}},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range Missing(tt.required, tt.values, tt.lead) {
			got = append(got, f.String())
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Missing = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestFillFromLeadFieldLabel(t *testing.T) {
	t.Parallel()
	for label, want := range map[string]lead.Field{"Industry": lead.Industry, " job title ": lead.JobTitle, "HQ Country": lead.HQCountry, "Region": ""} {
		if got := leadFieldLabelled(label); got != want {
			t.Errorf("leadFieldLabelled(%q) = %q, want %q", label, got, want)
		}
	}
	req := []RequiredField{{Name: "CFIndustry", ID: 77, From: lead.Industry}, {Name: "CFRegion", ID: 78}, {Name: "CFTitle", ID: 79, From: lead.JobTitle}}
	got := Fill(req, lead.Values{lead.Industry: " Legal ", lead.JobTitle: ""})
	if want := []halopsa.CustomField{{ID: 77, Value: "Legal"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Fill = %+v, want %+v", got, want)
	}
}
