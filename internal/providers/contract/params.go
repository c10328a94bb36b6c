package contract

import (
	"regexp"
	"strings"
)

// resolver walks a decoded description, following $refs.
type resolver struct{ doc map[string]any }

// maxDepth bounds schema walks (schemas may be recursive).
const maxDepth = 12

// tableName matches the first cell of a Markdown table row: "| personId | Long | ... |".
var tableName = regexp.MustCompile("^\\|\\s*`?([A-Za-z_][A-Za-z0-9_\\[\\]]*)`?\\s*\\|")

// tableSeparator matches the row under a Markdown table's header: "| --- | --- |".
var tableSeparator = regexp.MustCompile(`^\|\s*:?-{3,}`)

// get follows keys from v.
func (r resolver) get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// deref resolves a local $ref ("#/components/schemas/X").
func (r resolver) deref(v any) any {
	for i := 0; i < maxDepth; i++ {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return v
		}
		v = r.get(r.doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
	}
	return v
}

// params collects every parameter name op documents.
func (r resolver) params(op, item map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, list := range []any{item["parameters"], op["parameters"]} {
		ps, _ := list.([]any)
		for _, p := range ps {
			if name, ok := r.get(r.deref(p), "name").(string); ok {
				out[name] = true
			}
		}
	}
	body := r.deref(op["requestBody"])
	content, _ := r.get(body, "content").(map[string]any)
	for _, media := range content {
		r.schemaNames(r.get(media, "schema"), out, 0)
		r.exampleKeys(r.get(media, "example"), out, 0)
		examples, _ := r.get(media, "examples").(map[string]any)
		for _, ex := range examples {
			r.exampleKeys(r.get(r.deref(ex), "value"), out, 0)
		}
	}
	if desc, ok := op["description"].(string); ok {
		for _, name := range tableNames(desc) {
			out[name] = true
		}
	}
	return out
}

// tableNames returns the first cells of the body rows of the Markdown tables in desc (the
// header row, the one above a separator, is not a name).
func tableNames(desc string) []string {
	lines := strings.Split(desc, "\n")
	var out []string
	for i, line := range lines {
		line = strings.TrimSpace(line)
		m := tableName.FindStringSubmatch(line)
		header := i+1 < len(lines) && tableSeparator.MatchString(strings.TrimSpace(lines[i+1]))
		if m != nil && !header {
			out = append(out, m[1])
		}
	}
	return out
}

// schemaNames adds the property names of a schema at any depth.
func (r resolver) schemaNames(s any, out map[string]bool, depth int) {
	if depth > maxDepth {
		return
	}
	m, ok := r.deref(s).(map[string]any)
	if !ok {
		return
	}
	props, _ := m["properties"].(map[string]any)
	for name, p := range props {
		out[name] = true
		r.schemaNames(p, out, depth+1)
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		subs, _ := m[k].([]any)
		for _, sub := range subs {
			r.schemaNames(sub, out, depth+1)
		}
	}
	r.schemaNames(m["items"], out, depth+1)
	r.schemaNames(m["additionalProperties"], out, depth+1)
	for _, ex := range []any{m["example"], m["examples"]} {
		r.exampleKeys(ex, out, depth+1)
	}
}

// exampleKeys adds the object keys of an example value at any depth.
func (r resolver) exampleKeys(v any, out map[string]bool, depth int) {
	if depth > maxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			out[k] = true
			r.exampleKeys(e, out, depth+1)
		}
	case []any:
		for _, e := range x {
			r.exampleKeys(e, out, depth+1)
		}
	}
}
