package enrich

import (
	"fmt"
	"strconv"
	"strings"

	"haloleads/internal/providers"
)

// QueryError reports a pull query that cannot be read.
type QueryError struct {
	Query  string
	Reason string
}

// Error says what is wrong and how queries are written.
func (e *QueryError) Error() string {
	return fmt.Sprintf("query %q: %s (write key=value pairs separated by commas: domain=, title=, company=, page_size=)",
		e.Query, e.Reason)
}

// ParseQuery reads a pull query: key=value pairs separated by commas, for example
// "domain=example.com,title=IT,title=Operations". Keys are domain (repeatable), title
// (repeatable; a job-title keyword), company (once) and page_size (once). Keys are
// case-insensitive; spaces around keys and values are dropped. A query must filter by at least
// a domain, a title or a company.
func ParseQuery(s string) (providers.Query, error) {
	var q providers.Query
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		key, value, ok := strings.Cut(pair, "=")
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		if !ok || value == "" {
			return providers.Query{}, &QueryError{Query: s, Reason: fmt.Sprintf("%q has no value", strings.TrimSpace(pair))}
		}
		if err := setQuery(&q, key, value); err != nil {
			return providers.Query{}, &QueryError{Query: s, Reason: err.Error()}
		}
	}
	if len(q.Domains) == 0 && len(q.Titles) == 0 && q.Company == "" {
		return providers.Query{}, &QueryError{Query: s, Reason: "it selects nobody: give a domain, title or company"}
	}
	return q, nil
}

// setQuery applies one key=value pair to q.
func setQuery(q *providers.Query, key, value string) error {
	switch key {
	case "domain", "domains":
		q.Domains = append(q.Domains, strings.ToLower(value))
	case "title", "titles":
		q.Titles = append(q.Titles, value)
	case "company":
		if q.Company != "" {
			return fmt.Errorf("company is given twice")
		}
		q.Company = value
	case "page_size", "pagesize":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || q.PageSize != 0 {
			return fmt.Errorf("page_size must be given once, as a positive number")
		}
		q.PageSize = n
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	return nil
}
