package tenant

import (
	"context"
	"reflect"
	"testing"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
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
		{Name: "CFhaloleadsTechnologyStack", Label: "Technology Stack", Logical: "technology_stack"},
		{Name: "CFRegion", Label: "Region"},
		{Name: "category_1", Label: "category_1", Native: true},
	}
	if got := second.Required[Lead]; !reflect.DeepEqual(got, want) {
		t.Errorf("Required[lead] = %+v\nwant %+v", got, want)
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
	tests := []struct {
		name     string
		required []RequiredField
		values   map[string]any
		want     []string
	}{
		{"nothing required", nil, nil, nil},
		{"owned field given", []RequiredField{stack}, map[string]any{"technology_stack": "Azure"}, nil},
		{"owned field absent", []RequiredField{stack}, map[string]any{}, []string{"Technology Stack (CFhaloleadsTechnologyStack)"}},
		{"owned field blank", []RequiredField{stack}, map[string]any{"technology_stack": "  "}, []string{"Technology Stack (CFhaloleadsTechnologyStack)"}},
		{"a number is a value, 0 too", []RequiredField{fit}, map[string]any{"fit_score": 0}, nil},
		{"field haloleads does not own", []RequiredField{region}, map[string]any{"technology_stack": "Azure"}, []string{"Region (CFRegion)"}},
		{"native field haloleads writes", []RequiredField{details}, nil, nil},
		{"native field it does not write", []RequiredField{category, stack}, map[string]any{"technology_stack": "x"}, []string{"category_1"}},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range Missing(tt.required, tt.values) {
			got = append(got, f.String())
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Missing = %q, want %q", tt.name, got, tt.want)
		}
	}
}
