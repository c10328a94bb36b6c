package tenant

import (
	"context"
	"fmt"
	"slices"

	"haloleads/internal/halopsa"
)

// Result holds the ids of everything set-up manages, for the rest of haloleads.
type Result struct {
	TicketTypes map[string]halopsa.ID            // ticket type key (Lead, …) → id
	Statuses    map[string]map[string]halopsa.ID // ticket type key → status name → id
	Fields      map[string]halopsa.ID            // logical field name → FieldInfo id
	Options     map[string]map[string]halopsa.ID // logical field name → option name → lookup id
	Tags        map[string]halopsa.ID            // tag text → id
	Lists       map[string]halopsa.ID            // distribution list name → id
	WebhookID   string
	// Required lists, by ticket type key, the fields HaloPSA requires on a new ticket of the
	// type (an administrator's setting, read from the type; empty when none).
	Required map[string][]RequiredField
	// Writes is the number of write requests the client made during Apply: 0 when the tenant
	// was already set up (if nothing else used the client meanwhile).
	Writes int64
}

// StatusID returns the id of a status of a ticket type.
func (r Result) StatusID(typeKey, status string) (halopsa.ID, bool) {
	id, ok := r.Statuses[typeKey][status]
	return id, ok
}

// Apply makes the tenant match s and returns the resolved ids. It reads the tenant first and
// writes only what differs, in batches, so a second run makes no write request. It refuses to
// change anything when the tenant conflicts with s (ErrConflict).
func Apply(ctx context.Context, c *halopsa.Client, s Spec) (Result, error) {
	if err := s.Validate(); err != nil {
		return Result{}, err
	}
	before := c.WriteRequests()
	st, err := read(ctx, c, s)
	if err != nil {
		return Result{}, err
	}
	if err := conflicts(s, st); err != nil {
		return Result{}, err
	}
	steps := []func(context.Context, *halopsa.Client, Spec, *state) error{
		applyStatuses, applyFields, applyOptions, applyTypes, applyTags, applyLists, applyWebhook,
	}
	for _, step := range steps {
		if err := step(ctx, c, s, st); err != nil {
			return Result{}, fmt.Errorf("setting up the tenant: %w", err)
		}
	}
	r := result(s, st)
	r.Writes = c.WriteRequests() - before
	return r, nil
}

func applyStatuses(ctx context.Context, c *halopsa.Client, s Spec, st *state) error {
	names := missingStatuses(s, st)
	if len(names) == 0 {
		return nil
	}
	in := make([]halopsa.Status, len(names))
	for i, n := range names {
		in[i] = halopsa.Status{Name: n, ShortName: n}
	}
	saved, err := c.SaveStatuses(ctx, in)
	for _, st2 := range saved {
		st.statuses[fold(st2.Name)] = st2
	}
	return err
}

func applyFields(ctx context.Context, c *halopsa.Client, s Spec, st *state) error {
	missing := missingFields(s, st)
	if len(missing) == 0 {
		return nil
	}
	in := make([]halopsa.FieldInfo, len(missing))
	for i, f := range missing {
		in[i] = f.definition()
	}
	saved, err := c.SaveFieldInfos(ctx, in)
	if err != nil {
		return err
	}
	for i, d := range saved {
		d.Usage = missing[i].Usage
		st.fields[fieldKey(missing[i].Name, missing[i].Usage)] = d
		if d.Type == halopsa.FieldTypeDropdown && d.Lookup == 0 {
			// The answer did not echo the new lookup table: read the definitions again.
			return st.readFields(ctx, c, s)
		}
	}
	return nil
}

func applyOptions(ctx context.Context, c *halopsa.Client, s Spec, st *state) error {
	missing := missingOptions(s, st)
	if len(missing) == 0 {
		return nil
	}
	in := make([]halopsa.Lookup, len(missing))
	for i, o := range missing {
		def := st.fields[fieldKey(o.field.Name, o.field.Usage)]
		if def.Lookup == 0 {
			return fmt.Errorf("dropdown %s has no lookup table in HaloPSA", o.field.Name)
		}
		in[i] = halopsa.Lookup{LookupID: def.Lookup, Name: o.name, Sequence: o.seq}
	}
	saved, err := c.SaveLookups(ctx, in)
	for i, row := range saved {
		if st.options[in[i].LookupID] == nil {
			st.options[in[i].LookupID] = map[string]halopsa.ID{}
		}
		st.options[in[i].LookupID][fold(in[i].Name)] = row.ID
	}
	return err
}

func applyTypes(ctx context.Context, c *halopsa.Client, s Spec, st *state) error {
	var in []halopsa.TicketType
	for _, tt := range s.TicketTypes {
		have, ok := st.types[fold(tt.Name)]
		if ok && len(typeNeeds(s, st, tt, have)) == 0 {
			continue
		}
		in = append(in, desiredType(s, st, tt, have))
	}
	if len(in) == 0 {
		return nil
	}
	saved, err := c.SaveTicketTypes(ctx, in)
	for i, t := range saved {
		in[i].ID = t.ID
		st.types[fold(in[i].Name)] = in[i]
	}
	return err
}

// desiredType is have (zero for a new type) with haloleads' statuses and fields added.
func desiredType(s Spec, st *state, tt TicketType, have halopsa.TicketType) halopsa.TicketType {
	want := halopsa.TicketType{ID: have.ID, Name: tt.Name, AllowAllStatus: new(false),
		InitialStatus: st.statuses[fold(tt.Statuses[0])].ID}
	if have.ID == 0 {
		want.Visible, want.AgentsCanSelect, want.EndUsersCanSelect = new(true), new(true), new(false)
	}
	want.AllowedStatus = slices.Clone(have.AllowedStatus)
	for _, name := range tt.Statuses {
		id := st.statuses[fold(name)].ID
		if !slices.ContainsFunc(want.AllowedStatus, func(a halopsa.TicketTypeStatus) bool { return a.StatusID == id }) {
			want.AllowedStatus = append(want.AllowedStatus, halopsa.TicketTypeStatus{StatusID: id})
		}
	}
	want.Fields = slices.Clone(have.Fields)
	for _, f := range s.Fields {
		id := st.fields[fieldKey(f.Name, f.Usage)].ID
		if slices.Contains(f.Types, tt.Key) &&
			!slices.ContainsFunc(want.Fields, func(x halopsa.TicketTypeField) bool { return x.FieldID == id }) {
			want.Fields = append(want.Fields, halopsa.TicketTypeField{FieldID: id})
		}
	}
	return want
}

func applyTags(ctx context.Context, c *halopsa.Client, s Spec, st *state) error {
	texts := missing(s.Tags, st.tags)
	if len(texts) == 0 {
		return nil
	}
	saved, err := saveTags(ctx, c, texts)
	for _, t := range saved {
		st.tags[fold(t.Text)] = t.ID
	}
	return err
}

func saveTags(ctx context.Context, c *halopsa.Client, texts []string) ([]halopsa.Tag, error) {
	in := make([]halopsa.Tag, len(texts))
	for i, t := range texts {
		in[i] = halopsa.Tag{Text: t}
	}
	return c.SaveTags(ctx, in)
}

func applyLists(ctx context.Context, c *halopsa.Client, s Spec, st *state) error {
	names := missing(s.Lists, st.lists)
	if len(names) == 0 {
		return nil
	}
	in := make([]halopsa.DistributionList, len(names))
	for i, n := range names {
		in[i] = halopsa.DistributionList{Name: n, Description: "Maintained by haloleads"}
	}
	saved, err := c.SaveDistributionLists(ctx, in)
	for _, d := range saved {
		st.lists[fold(d.Name)] = d.ID
	}
	return err
}

func applyWebhook(ctx context.Context, c *halopsa.Client, s Spec, st *state) error {
	w := s.Webhook
	if w == nil {
		return nil
	}
	have, ok := st.hooks[fold(w.Name)]
	if ok && len(webhookNeeds(*w, have)) == 0 {
		return nil
	}
	want := halopsa.Webhook{ID: have.ID, Name: w.Name, URL: w.URL, ContentType: "application/json",
		Active: new(true), AuthenticationType: halopsa.WebhookAuthBasic, BasicUsername: w.Username,
		BasicPassword: w.Password, PayloadType: halopsa.WebhookPayloadEventOnly}
	for _, e := range w.Events {
		want.Events = append(want.Events, halopsa.WebhookEvent{Name: e})
	}
	saved, err := c.SaveWebhook(ctx, want)
	if err != nil {
		return err
	}
	st.hooks[fold(w.Name)] = saved
	return nil
}

func result(s Spec, st *state) Result {
	r := Result{TicketTypes: map[string]halopsa.ID{}, Statuses: map[string]map[string]halopsa.ID{},
		Fields: map[string]halopsa.ID{}, Options: map[string]map[string]halopsa.ID{},
		Tags: map[string]halopsa.ID{}, Lists: map[string]halopsa.ID{}, Required: map[string][]RequiredField{}}
	for _, tt := range s.TicketTypes {
		r.TicketTypes[tt.Key] = st.types[fold(tt.Name)].ID
		if req := requiredFields(s, st, st.types[fold(tt.Name)]); len(req) > 0 {
			r.Required[tt.Key] = req
		}
		r.Statuses[tt.Key] = map[string]halopsa.ID{}
		for _, name := range tt.Statuses {
			r.Statuses[tt.Key][name] = st.statuses[fold(name)].ID
		}
	}
	for _, f := range s.Fields {
		def := st.fields[fieldKey(f.Name, f.Usage)]
		r.Fields[f.Logical] = def.ID
		if opts := f.options(); len(opts) > 0 {
			r.Options[f.Logical] = map[string]halopsa.ID{}
			for _, o := range opts {
				r.Options[f.Logical][o] = st.options[def.Lookup][fold(o)]
			}
		}
	}
	for _, t := range s.Tags {
		r.Tags[t] = st.tags[fold(t)]
	}
	for _, l := range s.Lists {
		r.Lists[l] = st.lists[fold(l)]
	}
	if s.Webhook != nil {
		r.WebhookID = st.hooks[fold(s.Webhook.Name)].ID
	}
	return r
}

// EnsureTags returns the ids of texts, creating the tags HaloPSA does not have yet (such as
// industry:<x>, created on demand). known (e.g. Result.Tags, may be nil) saves the read when it
// already holds every text. The returned map, keyed by lower-cased text, includes known.
func EnsureTags(ctx context.Context, c *halopsa.Client, known map[string]halopsa.ID, texts []string) (map[string]halopsa.ID, error) {
	out := map[string]halopsa.ID{}
	for k, v := range known {
		out[fold(k)] = v
	}
	if len(missing(texts, out)) == 0 {
		return out, nil
	}
	all, err := c.Tags(ctx)
	if err != nil {
		return nil, fmt.Errorf("ensuring tags: %w", err)
	}
	for k, v := range idsByName(all, func(t halopsa.Tag) (string, halopsa.ID) { return t.Text, t.ID }) {
		out[k] = v
	}
	saved, err := saveTags(ctx, c, missing(distinct(texts), out))
	for _, t := range saved {
		out[fold(t.Text)] = t.ID
	}
	if err != nil {
		return nil, fmt.Errorf("ensuring tags: %w", err)
	}
	return out, nil
}

// distinct drops empty texts and repeats that differ only in case, keeping the first.
func distinct(texts []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		if k := fold(t); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}
