package tenant

import (
	"context"
	"fmt"
	"strconv"

	"haloleads/internal/halopsa"
)

// state is what the tenant holds of what a Spec describes, keyed by folded names.
type state struct {
	types    map[string]halopsa.TicketType // by name; details for the spec's types
	statuses map[string]halopsa.Status
	fields   map[string]halopsa.FieldInfo // by fieldKey
	options  map[halopsa.ID]map[string]halopsa.ID
	tags     map[string]halopsa.ID
	lists    map[string]halopsa.ID
	hooks    map[string]halopsa.Webhook
}

func fieldKey(name string, usage int) string { return fold(name) + "|" + strconv.Itoa(usage) }

// read loads the state the spec needs, with read requests only.
func read(ctx context.Context, c *halopsa.Client, s Spec) (*state, error) {
	st := &state{options: map[halopsa.ID]map[string]halopsa.ID{}}
	steps := []func(context.Context, *halopsa.Client, Spec) error{
		st.readTypes, st.readStatuses, st.readFields, st.readOptions, st.readTags, st.readLists, st.readHooks,
	}
	for _, step := range steps {
		if err := step(ctx, c, s); err != nil {
			return nil, fmt.Errorf("reading the tenant: %w", err)
		}
	}
	return st, nil
}

func (st *state) readTypes(ctx context.Context, c *halopsa.Client, s Spec) error {
	all, err := c.TicketTypes(ctx)
	if err != nil {
		return err
	}
	st.types = byName(all, func(t halopsa.TicketType) string { return t.Name })
	for _, want := range s.TicketTypes {
		if have, ok := st.types[fold(want.Name)]; ok {
			if err := st.readType(ctx, c, have.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// readType replaces a listed type with its detail (allowed statuses and fields).
func (st *state) readType(ctx context.Context, c *halopsa.Client, id halopsa.ID) error {
	detail, err := c.TicketType(ctx, id)
	if err != nil {
		return err
	}
	st.types[fold(detail.Name)] = detail
	return nil
}

func (st *state) readStatuses(ctx context.Context, c *halopsa.Client, _ Spec) error {
	all, err := c.Statuses(ctx, halopsa.StatusQuery{})
	st.statuses = byName(all, func(s halopsa.Status) string { return s.Name })
	return err
}

func (st *state) readFields(ctx context.Context, c *halopsa.Client, _ Spec) error {
	all, err := c.FieldInfos(ctx)
	st.fields = byName(all, func(f halopsa.FieldInfo) string { return fieldKey(f.Name, usageOf(f)) })
	return err
}

// usageOf reads a definition's usage; HaloPSA omits it for ticket fields in some answers.
func usageOf(f halopsa.FieldInfo) int {
	if f.Usage == 0 {
		return halopsa.FieldUsageTicket
	}
	return f.Usage
}

// readOptions loads the options of the spec's dropdowns that exist.
func (st *state) readOptions(ctx context.Context, c *halopsa.Client, s Spec) error {
	for _, f := range s.Fields {
		def, ok := st.fields[fieldKey(f.Name, f.Usage)]
		if !ok || len(f.options()) == 0 || def.Lookup == 0 {
			continue
		}
		if _, done := st.options[def.Lookup]; done {
			continue
		}
		rows, err := c.Lookups(ctx, def.Lookup)
		if err != nil {
			return err
		}
		st.options[def.Lookup] = idsByName(rows, func(l halopsa.Lookup) (string, halopsa.ID) { return l.Name, l.ID })
	}
	return nil
}

func (st *state) readTags(ctx context.Context, c *halopsa.Client, _ Spec) error {
	all, err := c.Tags(ctx)
	st.tags = idsByName(all, func(t halopsa.Tag) (string, halopsa.ID) { return t.Text, t.ID })
	return err
}

func (st *state) readLists(ctx context.Context, c *halopsa.Client, _ Spec) error {
	all, err := c.DistributionLists(ctx)
	st.lists = idsByName(all, func(d halopsa.DistributionList) (string, halopsa.ID) { return d.Name, d.ID })
	return err
}

func (st *state) readHooks(ctx context.Context, c *halopsa.Client, s Spec) error {
	if s.Webhook == nil {
		st.hooks = map[string]halopsa.Webhook{}
		return nil
	}
	all, err := c.Webhooks(ctx)
	st.hooks = byName(all, func(w halopsa.Webhook) string { return w.Name })
	return err
}

// byName indexes items by folded name; the first of equal names wins.
func byName[T any](items []T, name func(T) string) map[string]T {
	out := make(map[string]T, len(items))
	for _, it := range items {
		if k := fold(name(it)); k != "" {
			if _, dup := out[k]; !dup {
				out[k] = it
			}
		}
	}
	return out
}

// idsByName maps folded names to ids; the first of equal names wins.
func idsByName[T any](items []T, f func(T) (string, halopsa.ID)) map[string]halopsa.ID {
	out := make(map[string]halopsa.ID, len(items))
	for _, it := range items {
		name, id := f(it)
		if k := fold(name); k != "" {
			if _, dup := out[k]; !dup {
				out[k] = id
			}
		}
	}
	return out
}
