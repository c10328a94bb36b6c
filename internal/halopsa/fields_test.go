package halopsa

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// seedLeadFields defines three custom fields and the lead-source options in f.
func seedLeadFields(f *fakeHalo) {
	f.seed("fieldinfo", 1, func(int) map[string]any {
		return map[string]any{"name": "CFhaloleadsLeadSource", "type": FieldTypeDropdown, "lookup": 900}
	})
	f.seed("fieldinfo", 1, func(int) map[string]any {
		return map[string]any{"name": "CFhaloleadsDoNotContact", "type": FieldTypeDropdown, "lookup": 902}
	})
	f.seed("fieldinfo", 1, func(int) map[string]any {
		return map[string]any{"name": "CFhaloleadsFitScore", "type": 0, "inputtype": 2}
	})
	for _, name := range []string{"Apollo.io", "ZoomInfo"} {
		f.seed("lookup", 1, func(int) map[string]any { return map[string]any{"lookupid": 900, "name": name} })
	}
	f.seed("lookup", 1, func(int) map[string]any { return map[string]any{"lookupid": 901, "name": "Apollo.io"} })
	for _, name := range []string{"Yes", "No"} {
		f.seed("lookup", 1, func(int) map[string]any { return map[string]any{"lookupid": 902, "name": name} })
	}
}

var leadFieldMap = FieldMap{
	"lead_source":    "CFhaloleadsLeadSource",
	"do_not_contact": "CFhaloleadsDoNotContact",
	"fit_score":      "CFhaloleadsFitScore",
}

func TestFieldsBuildWritesTheWholeSetByID(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	seedLeadFields(f)
	var fieldReads, lookupReads atomic.Int32
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		switch strings.ToLower(r.URL.Path) {
		case "/api/fieldinfo":
			fieldReads.Add(1)
		case "/api/lookup":
			lookupReads.Add(1)
		}
		return false
	}
	c := f.client(t, nil)
	fields := c.Fields(leadFieldMap)
	ctx := context.Background()
	for range 3 {
		got, err := fields.Build(ctx, map[string]any{"lead_source": "zoominfo", "fit_score": 72, "do_not_contact": true})
		if err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(got)
		// Sorted by logical name; dropdowns by lookup row id (true → "Yes" → 7, zoominfo → 5).
		want := `[{"id":2,"value":7},{"id":3,"value":72},{"id":1,"value":5}]`
		if string(out) != want {
			t.Fatalf("Build = %s, want %s", out, want)
		}
	}
	if fieldReads.Load() != 1 || lookupReads.Load() != 2 {
		t.Errorf("FieldInfo read %d times, Lookup %d times; want 1 and 2", fieldReads.Load(), lookupReads.Load())
	}
}

func TestFieldsErrors(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	seedLeadFields(f)
	c := f.client(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		m      FieldMap
		values map[string]any
	}{
		{"unknown dropdown option", leadFieldMap, map[string]any{"lead_source": "Crunchbase"}},
		{"value outside the map", leadFieldMap, map[string]any{"budget": "1"}},
		{"field missing in tenant", FieldMap{"x": "CFnotThere"}, nil},
	} {
		_, err := c.Fields(tc.m).Build(ctx, tc.values)
		if !errors.Is(err, ErrUnknownField) {
			t.Errorf("%s: err = %v, want ErrUnknownField", tc.name, err)
		}
	}
}

func TestFieldsBuildWritesAbsentValuesAsNull(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	seedLeadFields(f)
	c := f.client(t, nil)
	got, err := c.Fields(leadFieldMap).Build(context.Background(), map[string]any{"fit_score": 10, "lead_source": ""})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(got)
	if want := `[{"id":2,"value":null},{"id":3,"value":10},{"id":1,"value":null}]`; string(out) != want {
		t.Errorf("Build = %s, want %s", out, want)
	}
}

func TestFieldsRead(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	seedLeadFields(f)
	c := f.client(t, nil)
	got, err := c.Fields(leadFieldMap).Read(context.Background(), []CustomField{
		{ID: 1, Value: 5, Display: "ZoomInfo"}, {ID: 3, Value: 80.0}, {ID: 77, Value: "not ours"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["lead_source"] != "ZoomInfo" || got["fit_score"] != 80.0 {
		t.Errorf("Read = %v", got)
	}
}

func TestCustomFieldWriteShape(t *testing.T) {
	t.Parallel()
	out, err := json.Marshal(Ticket{Summary: "s", CustomFields: []CustomField{{ID: 145, Name: "CFx", Value: "abc", Display: "abc"}}})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"summary":"s","customfields":[{"id":145,"value":"abc"}]}` {
		t.Errorf("encoded %s", out)
	}
}
