package tenant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"haloleads/internal/halopsa"
)

// Op is what set-up would do about a difference.
type Op string

// The operations of a Change.
const (
	Create Op = "+"
	Update Op = "~"
)

// Change is one difference between the tenant and the Spec.
type Change struct {
	Op     Op
	Kind   string // "status", "field", "option", "ticket type", "tag", "list", "webhook"
	Name   string
	Detail string // what differs, for updates
}

// String renders the change as one line, e.g. `+ status "New Lead"`.
func (c Change) String() string {
	s := fmt.Sprintf("%s %s %q", c.Op, c.Kind, c.Name)
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	return s
}

// Diff is what Apply would change, in the order it would change it.
type Diff struct {
	Changes []Change
}

// Empty reports whether the tenant matches the Spec.
func (d Diff) Empty() bool { return len(d.Changes) == 0 }

// String prints one change per line, or a sentence saying there is none. It never prints
// secrets or webhook URLs.
func (d Diff) String() string {
	if d.Empty() {
		return "HaloPSA tenant is set up for haloleads: no changes needed.\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HaloPSA tenant needs %d changes:\n", len(d.Changes))
	for _, c := range d.Changes {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// ErrConflict is wrapped when the tenant holds something haloleads must not overwrite, such as
// a custom field of the right name but another type (changing it would lose data).
var ErrConflict = errors.New("tenant conflicts with the haloleads set-up")

// Plan reports how the tenant differs from s. It only reads.
func Plan(ctx context.Context, c *halopsa.Client, s Spec) (Diff, error) {
	if err := s.Validate(); err != nil {
		return Diff{}, err
	}
	st, err := read(ctx, c, s)
	if err != nil {
		return Diff{}, err
	}
	if err := conflicts(s, st); err != nil {
		return Diff{}, err
	}
	return diff(s, st), nil
}

func diff(s Spec, st *state) Diff {
	var d Diff
	add := func(op Op, kind, name, detail string) {
		d.Changes = append(d.Changes, Change{Op: op, Kind: kind, Name: name, Detail: detail})
	}
	for _, name := range missingStatuses(s, st) {
		add(Create, "status", name, "")
	}
	for _, f := range missingFields(s, st) {
		add(Create, "field", f.Name, "")
	}
	for _, o := range missingOptions(s, st) {
		add(Create, "option", o.field.Name, o.name)
	}
	for _, tt := range s.TicketTypes {
		if have, ok := st.types[fold(tt.Name)]; !ok {
			add(Create, "ticket type", tt.Name, "")
		} else if why := typeNeeds(s, st, tt, have); len(why) > 0 {
			add(Update, "ticket type", tt.Name, strings.Join(why, "; "))
		}
	}
	for _, t := range missing(s.Tags, st.tags) {
		add(Create, "tag", t, "")
	}
	for _, l := range missing(s.Lists, st.lists) {
		add(Create, "list", l, "")
	}
	if w := s.Webhook; w != nil {
		if have, ok := st.hooks[fold(w.Name)]; !ok {
			add(Create, "webhook", w.Name, "")
		} else if why := webhookNeeds(*w, have); len(why) > 0 {
			add(Update, "webhook", w.Name, strings.Join(why, "; "))
		}
	}
	return d
}

// conflicts reports spec fields that exist with another type.
func conflicts(s Spec, st *state) error {
	var errs []error
	for _, f := range s.Fields {
		have, ok := st.fields[fieldKey(f.Name, f.Usage)]
		want := f.definition()
		if ok && (have.Type != want.Type || have.InputType != want.InputType) {
			errs = append(errs, fmt.Errorf("field %s has type %d/%d, haloleads needs %d/%d: rename or fix it in HaloPSA",
				f.Name, have.Type, have.InputType, want.Type, want.InputType))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return nil
}

func missingStatuses(s Spec, st *state) []string {
	var out []string
	for _, tt := range s.TicketTypes {
		out = append(out, missing(tt.Statuses, st.statuses)...)
	}
	return out
}

func missingFields(s Spec, st *state) []Field {
	var out []Field
	for _, f := range s.Fields {
		if _, ok := st.fields[fieldKey(f.Name, f.Usage)]; !ok {
			out = append(out, f)
		}
	}
	return out
}

// option is a dropdown option set-up must create.
type option struct {
	field Field
	name  string
	seq   int
}

// missingOptions lists the options missing from existing dropdowns, and every option of
// dropdowns still to create.
func missingOptions(s Spec, st *state) []option {
	var out []option
	for _, f := range s.Fields {
		def, exists := st.fields[fieldKey(f.Name, f.Usage)]
		have := st.options[def.Lookup]
		for i, name := range f.options() {
			if _, ok := have[fold(name)]; !exists || def.Lookup == 0 || !ok {
				out = append(out, option{field: f, name: name, seq: i + 1})
			}
		}
	}
	return out
}

// typeNeeds says why an existing ticket type must be updated.
func typeNeeds(s Spec, st *state, tt TicketType, have halopsa.TicketType) []string {
	var why []string
	if have.AllowAllStatus == nil || *have.AllowAllStatus {
		why = append(why, "restrict to its statuses")
	}
	allowed := map[halopsa.ID]bool{}
	for _, a := range have.AllowedStatus {
		allowed[a.StatusID] = true
	}
	if names := notIn(tt.Statuses, st.statuses, allowed); len(names) > 0 {
		why = append(why, "allow statuses "+strings.Join(names, ", "))
	}
	shown := map[halopsa.ID]bool{}
	for _, f := range have.Fields {
		shown[f.FieldID] = true
	}
	if names := fieldsNotShown(s, st, tt.Key, shown); len(names) > 0 {
		why = append(why, "show fields "+strings.Join(names, ", "))
	}
	if first, ok := st.statuses[fold(tt.Statuses[0])]; !ok || have.InitialStatus != first.ID {
		why = append(why, "initial status "+tt.Statuses[0])
	}
	return why
}

// notIn returns the names whose status is missing or not in ids.
func notIn(names []string, statuses map[string]halopsa.Status, ids map[halopsa.ID]bool) []string {
	var out []string
	for _, n := range names {
		if s, ok := statuses[fold(n)]; !ok || !ids[s.ID] {
			out = append(out, n)
		}
	}
	return out
}

func fieldsNotShown(s Spec, st *state, key string, shown map[halopsa.ID]bool) []string {
	var out []string
	for _, f := range s.Fields {
		if !slices.Contains(f.Types, key) {
			continue
		}
		if def, ok := st.fields[fieldKey(f.Name, f.Usage)]; !ok || !shown[def.ID] {
			out = append(out, f.Name)
		}
	}
	return out
}

// webhookNeeds says why an existing webhook must be updated (never showing values).
func webhookNeeds(w Webhook, have halopsa.Webhook) []string {
	var why []string
	if have.URL != w.URL {
		why = append(why, "URL differs")
	}
	if have.AuthenticationType != halopsa.WebhookAuthBasic || have.BasicUsername != w.Username {
		why = append(why, "Basic-auth user differs")
	}
	if have.PayloadType != halopsa.WebhookPayloadEventOnly {
		// The receiver re-reads every object it is told about: the event's id is all it needs,
		// and a payload without the object carries no personal data.
		why = append(why, "payload type is not event information only")
	}
	if have.Active != nil && !*have.Active {
		why = append(why, "inactive")
	}
	names := map[string]bool{}
	for _, e := range have.Events {
		names[fold(e.Name)] = true
	}
	for _, e := range w.Events {
		if !names[fold(e)] {
			why = append(why, "event "+e+" missing")
		}
	}
	if w.RotatePassword {
		why = append(why, "password rotation requested")
	}
	return why
}

// missing returns the names not in have, in order.
func missing[V any](names []string, have map[string]V) []string {
	var out []string
	for _, n := range names {
		if _, ok := have[fold(n)]; !ok {
			out = append(out, n)
		}
	}
	return out
}
