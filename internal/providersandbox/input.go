package providersandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// input is a request's parameters: the query string, and a JSON object body when there is one.
// Providers document some inputs as query parameters ("person_titles[]") that clients also send
// as JSON keys ("person_titles"); input accepts both.
type input struct {
	query map[string][]string
	body  map[string]json.RawMessage
}

// readInput reads r's query and JSON body. A body that is not a JSON object is reported.
func readInput(r *http.Request) (input, error) {
	in := input{query: r.URL.Query()}
	data, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return in, err
	}
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := json.Unmarshal(data, &in.body); err != nil {
			return in, err
		}
	}
	return in, nil
}

// str returns the parameter name as text.
func (in input) str(name string) string {
	if v := in.query[name]; len(v) > 0 {
		return v[0]
	}
	var s string
	if json.Unmarshal(in.body[name], &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(in.body[name], &n) == nil {
		return n.String()
	}
	return ""
}

// list returns a list parameter: name[] or name in the query (repeated or comma-separated in
// one value), or a JSON array or string.
func (in input) list(name string) []string {
	var out []string
	for _, k := range []string{name + "[]", name} {
		for _, v := range in.query[k] {
			out = append(out, splitComma(v)...)
		}
	}
	var arr []string
	if json.Unmarshal(in.body[name], &arr) == nil {
		out = append(out, arr...)
	} else if s := in.str(name); s != "" && len(in.query[name]) == 0 {
		out = append(out, splitComma(s)...)
	}
	return out
}

// integer returns a numeric parameter, or def when absent or not a number.
func (in input) integer(name string, def int) int {
	if n, err := strconv.Atoi(in.str(name)); err == nil {
		return n
	}
	return def
}

// decode unmarshals the body key name into v and reports whether it was present and valid.
func (in input) decode(name string, v any) bool {
	raw, ok := in.body[name]
	return ok && json.Unmarshal(raw, v) == nil
}

// splitComma splits a comma-separated value, trimming spaces and dropping empties.
func splitComma(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// containsAnyFold reports whether s contains any of the keywords, ignoring case; no keywords
// match everything.
func containsAnyFold(s string, keywords []string) bool {
	if len(keywords) == 0 {
		return true
	}
	low := strings.ToLower(s)
	for _, k := range keywords {
		if strings.Contains(low, strings.ToLower(strings.TrimSpace(k))) {
			return true
		}
	}
	return false
}

// inFold reports whether s equals one of list ignoring case; an empty list matches everything.
func inFold(s string, list []string) bool {
	if len(list) == 0 {
		return true
	}
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// filter selects the people matching domains, title keywords and a company-name keyword.
func (s *Server) filter(domains, titles []string, company string) []*Person {
	var out []*Person
	for _, p := range s.people {
		if inFold(p.Company.Domain, domains) && containsAnyFold(p.Title, titles) &&
			(company == "" || containsAnyFold(p.Company.Name, []string{company})) {
			out = append(out, p)
		}
	}
	return out
}

// pageOf returns the 1-based page of size n of people, and the total count.
func pageOf(people []*Person, page, n int) []*Person {
	start := (page - 1) * n
	if page < 1 || n < 1 || start >= len(people) {
		return nil
	}
	return people[start:min(start+n, len(people))]
}

// findPerson returns the first person for whom match is true.
func (s *Server) findPerson(match func(*Person) bool) *Person {
	for _, p := range s.people {
		if match(p) {
			return p
		}
	}
	return nil
}

// byNameAt matches a person by first and last name at a company name or domain.
func byNameAt(first, last, company, domain string) func(*Person) bool {
	return func(p *Person) bool {
		if first == "" || last == "" || (company == "" && domain == "") {
			return false
		}
		return strings.EqualFold(p.First, first) && strings.EqualFold(p.Last, last) &&
			(company == "" || strings.EqualFold(p.Company.Name, company)) &&
			(domain == "" || strings.EqualFold(p.Company.Domain, domain))
	}
}
