package halopsa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// CustomField is one custom-field value of a record. HaloPSA reads custom fields with names,
// labels and display values, but writes them by numeric FieldInfo id only, so a CustomField is
// encoded as {"id": N, "value": V}.
type CustomField struct {
	ID    int    `json:"id"`
	Name  string `json:"name,omitempty"` // CF… name, on reads
	Value any    `json:"value"`
	// Display is HaloPSA's rendering of Value (e.g. a dropdown's option name), on reads.
	Display string `json:"display,omitempty"`
}

// MarshalJSON writes the write shape {"id": N, "value": V}.
func (f CustomField) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID    int `json:"id"`
		Value any `json:"value"`
	}{f.ID, f.Value})
}

// Field types (FieldInfo.type) seen on real tenants. Other codes are unconfirmed.
const (
	FieldTypeText     = 0 // text; InputType refines it (see FieldInputInteger)
	FieldTypeDropdown = 2 // single selection bound to a Lookup table; values are lookup ids
	FieldTypeDate     = 4 // ISO-8601 date
)

// Field usages (FieldInfo.usage): which kind of record a custom field belongs to. HaloPSA's
// numbering is undocumented (UNCONFIRMED); these are the codes the sandbox uses.
const (
	FieldUsageTicket = 1
	FieldUsageClient = 2
	FieldUsageSite   = 3
	FieldUsageUser   = 4
)

// FieldInfo is a custom-field definition (schema FieldInfo). Name always starts with "CF".
type FieldInfo struct {
	ID        ID       `json:"id,omitempty"`
	Name      string   `json:"name,omitempty"`
	Label     string   `json:"label,omitempty"`
	Type      int      `json:"type"`
	InputType int      `json:"inputtype,omitempty"`
	Usage     int      `json:"usage,omitempty"`
	Custom    int      `json:"custom,omitempty"`
	Lookup    ID       `json:"lookup,omitempty"` // lookup table of a dropdown
	Values    []Lookup `json:"values,omitempty"` // a dropdown's options (detail reads; creation)
	// Mandatory is set on a field that must be filled wherever it shows (read only: set-up
	// never writes it).
	Mandatory bool `json:"mandatory,omitempty"`
}

// Lookup is one option of a lookup table (schema Lookup); dropdown custom fields store the
// option's ID.
type Lookup struct {
	ID       ID     `json:"id,omitempty"`
	LookupID ID     `json:"lookupid,omitempty"` // the table
	Name     string `json:"name,omitempty"`
	Sequence int    `json:"sequence,omitempty"`
	Inactive *bool  `json:"inactive,omitempty"`
}

// FieldInfos lists every custom-field definition.
func (c *Client) FieldInfos(ctx context.Context) ([]FieldInfo, error) {
	return listAll[FieldInfo](ctx, c, "/FieldInfo", nil, "fields", "fieldinfo")
}

// FieldInfo reads one definition with its lookup values.
func (c *Client) FieldInfo(ctx context.Context, id ID) (FieldInfo, error) {
	var f FieldInfo
	q := url.Values{"includedetails": {"true"}, "getlookupvalues": {"true"}}
	if err := c.get(ctx, idRoute("/FieldInfo", id), q, &f); err != nil {
		return FieldInfo{}, fmt.Errorf("reading field %d: %w", id, err)
	}
	return f, nil
}

// SaveFieldInfos creates or updates custom-field definitions. Natural key: name.
func (c *Client) SaveFieldInfos(ctx context.Context, fields []FieldInfo) ([]FieldInfo, error) {
	return saveAll(ctx, c, fieldInfoBulk, fields)
}

// Lookups lists the options of one lookup table.
func (c *Client) Lookups(ctx context.Context, lookupID ID) ([]Lookup, error) {
	q := url.Values{"lookupid": {strconv.Itoa(int(lookupID))}}
	return listAll[Lookup](ctx, c, "/Lookup", q, "lookups", "records")
}

// SaveLookups creates or updates lookup options. Natural key: lookupid + name.
func (c *Client) SaveLookups(ctx context.Context, rows []Lookup) ([]Lookup, error) {
	return saveAll(ctx, c, lookupBulk, rows)
}

var fieldInfoBulk = bulk[FieldInfo]{
	route: "/FieldInfo", what: "custom fields",
	id:  func(f *FieldInfo) *ID { return &f.ID },
	key: func(f FieldInfo) string { return fold(f.Name) },
	find: func(ctx context.Context, c *Client, _ []FieldInfo) iter.Seq2[FieldInfo, error] {
		return sliceSeq(c.FieldInfos(ctx))
	},
}

var lookupBulk = bulk[Lookup]{
	route: "/Lookup", what: "lookup values",
	id:   func(l *Lookup) *ID { return &l.ID },
	key:  func(l Lookup) string { return fold(l.Name) },
	same: func(in, got Lookup) bool { return sameID(in.LookupID, got.LookupID) },
	find: findLookups,
}

// findLookups reads every lookup table the pending options belong to.
func findLookups(ctx context.Context, c *Client, pending []Lookup) iter.Seq2[Lookup, error] {
	return func(yield func(Lookup, error) bool) {
		seen := map[ID]bool{}
		for _, p := range pending {
			if seen[p.LookupID] {
				continue
			}
			seen[p.LookupID] = true
			rows, err := c.Lookups(ctx, p.LookupID)
			for row, err := range sliceSeq(rows, err) {
				if row.LookupID == 0 {
					row.LookupID = p.LookupID
				}
				if !yield(row, err) || err != nil {
					return
				}
			}
		}
	}
}

// sliceSeq adapts an unpaged list answer to the iterator bulk read-backs use.
func sliceSeq[T any](items []T, err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
}

// FieldMap maps haloleads' logical custom-field names (e.g. "lead_source") to HaloPSA field
// names (e.g. "CFhaloleadsLeadSource").
type FieldMap map[string]string

// ErrUnknownField is wrapped when a logical field has no definition in the tenant, or a
// dropdown value has no option.
var ErrUnknownField = errors.New("unknown custom field")

// Fields turns logical custom-field values into HaloPSA's write shape and back. Definitions
// are read from /api/FieldInfo once, and each dropdown's options from /api/Lookup once, then
// cached; Reset forgets them (after tenant set-up changed the tenant). Safe for concurrent use.
type Fields struct {
	c  *Client
	m  FieldMap
	mu sync.Mutex
	// byLogical holds the resolved definitions; nil until loaded.
	byLogical map[string]FieldInfo
	options   map[ID]map[string]ID // lookup table → folded option name → option id
}

// Fields returns a resolver for m. One resolver per record kind keeps "the whole set haloleads
// owns" for that kind: Build always writes every field of m.
func (c *Client) Fields(m FieldMap) *Fields { return &Fields{c: c, m: m} }

// Reset forgets the cached definitions and options.
func (f *Fields) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byLogical, f.options = nil, nil
}

// Definition returns the definition behind a logical name.
func (f *Fields) Definition(ctx context.Context, logical string) (FieldInfo, error) {
	defs, err := f.definitions(ctx)
	if err != nil {
		return FieldInfo{}, err
	}
	d, ok := defs[logical]
	if !ok {
		return FieldInfo{}, fmt.Errorf("%w: %q is not in the field map", ErrUnknownField, logical)
	}
	return d, nil
}

func (f *Fields) definitions(ctx context.Context) (map[string]FieldInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byLogical != nil {
		return f.byLogical, nil
	}
	all, err := f.c.FieldInfos(ctx)
	if err != nil {
		return nil, fmt.Errorf("resolving custom fields: %w", err)
	}
	byName := make(map[string]FieldInfo, len(all))
	for _, d := range all {
		byName[fold(d.Name)] = d
	}
	out := make(map[string]FieldInfo, len(f.m))
	for logical, name := range f.m {
		d, ok := byName[fold(name)]
		if !ok {
			return nil, fmt.Errorf("%w: %s (%s) is not defined in HaloPSA; run set-up", ErrUnknownField, name, logical)
		}
		out[logical] = d
	}
	f.byLogical = out
	return out, nil
}

// Build returns the custom fields to write: one entry for EVERY field of the map, in logical
// name order, because HaloPSA may blank fields a write omits. Absent values are written as
// null. Dropdown values given as option names (or booleans, for Yes/No dropdowns) are written as
// lookup ids; numbers and other values are written as given.
func (f *Fields) Build(ctx context.Context, values map[string]any) ([]CustomField, error) {
	for logical := range values {
		if _, ok := f.m[logical]; !ok {
			return nil, fmt.Errorf("%w: %q is not in the field map", ErrUnknownField, logical)
		}
	}
	defs, err := f.definitions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CustomField, 0, len(defs))
	for _, logical := range slices.Sorted(maps.Keys(f.m)) {
		d := defs[logical]
		v, err := f.encode(ctx, d, values[logical])
		if err != nil {
			return nil, fmt.Errorf("custom field %s: %w", logical, err)
		}
		out = append(out, CustomField{ID: int(d.ID), Name: d.Name, Value: v})
	}
	return out, nil
}

// encode converts one logical value to what HaloPSA stores.
func (f *Fields) encode(ctx context.Context, d FieldInfo, v any) (any, error) {
	if b, ok := v.(bool); ok && d.Type == FieldTypeDropdown {
		v = YesNo(b)
	}
	s, isString := v.(string)
	if v == nil || (isString && strings.TrimSpace(s) == "") {
		return nil, nil
	}
	if d.Type != FieldTypeDropdown || !isString {
		return v, nil
	}
	return f.option(ctx, d, s)
}

// YesNo is the option name a boolean takes in a Yes/No dropdown. haloleads stores booleans as
// Yes/No dropdowns because HaloPSA's checkbox encoding is unconfirmed while lookup-backed Yes/No
// fields are seen on real tenants.
func YesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// option returns the lookup id of a dropdown option by name (case-insensitive).
func (f *Fields) option(ctx context.Context, d FieldInfo, name string) (ID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	opts, ok := f.options[d.Lookup]
	if !ok {
		rows, err := f.c.Lookups(ctx, d.Lookup)
		if err != nil {
			return 0, fmt.Errorf("reading options of %s: %w", d.Name, err)
		}
		opts = make(map[string]ID, len(rows))
		for _, r := range rows {
			opts[fold(r.Name)] = r.ID
		}
		if f.options == nil {
			f.options = map[ID]map[string]ID{}
		}
		f.options[d.Lookup] = opts
	}
	id, ok := opts[fold(name)]
	if !ok {
		return 0, fmt.Errorf("%w: %q is not an option of %s", ErrUnknownField, name, d.Name)
	}
	return id, nil
}

// Read returns the values of the map's fields found in cfs, by logical name. Dropdowns (and
// any field HaloPSA renders) yield their display text; others their raw value.
func (f *Fields) Read(ctx context.Context, cfs []CustomField) (map[string]any, error) {
	defs, err := f.definitions(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]string, len(defs))
	for logical, d := range defs {
		byID[int(d.ID)] = logical
	}
	out := map[string]any{}
	for _, cf := range cfs {
		logical, ok := byID[cf.ID]
		if !ok {
			continue
		}
		if d := defs[logical]; d.Type == FieldTypeDropdown && cf.Display != "" {
			out[logical] = cf.Display
		} else {
			out[logical] = cf.Value
		}
	}
	return out, nil
}
