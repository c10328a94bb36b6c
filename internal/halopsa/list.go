package halopsa

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// IncompleteListError reports a paged list whose rows disagree with the record_count HaloPSA
// announced. The client never truncates a list silently.
type IncompleteListError struct {
	Route       string
	RecordCount int // what the server announced
	Fetched     int // rows received
}

// Error says which list was incomplete and by how much.
func (e *IncompleteListError) Error() string {
	return fmt.Sprintf("halopsa list %s incomplete: record_count %d but %d rows received",
		e.Route, e.RecordCount, e.Fetched)
}

// page is one decoded list answer.
type page[T any] struct {
	items       []T
	recordCount int
	hasCount    bool
}

// listPaged iterates over every row of a paged route (pageinate=true&page_no=N&page_size=S),
// reading rows from the envelope key. It stops on a short or empty page, and yields an
// *IncompleteListError when the rows received disagree with record_count.
func listPaged[T any](ctx context.Context, c *Client, route, key string, q url.Values) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		size := c.cfg.PageSize
		fetched := 0
		for n := 1; ; n++ {
			p, err := fetchPage[T](ctx, c, route, key, pageQuery(q, n, size))
			if err != nil {
				yield(zero, fmt.Errorf("listing %s page %d: %w", route, n, err))
				return
			}
			for _, it := range p.items {
				if !yield(it, nil) {
					return
				}
			}
			fetched += len(p.items)
			if err := checkCount(route, p, fetched, len(p.items) < size); err != nil {
				yield(zero, err)
				return
			}
			if len(p.items) < size {
				return
			}
		}
	}
}

// checkCount compares the rows received so far with record_count: more rows than announced is
// always an error, fewer is an error once the list has ended.
func checkCount[T any](route string, p page[T], fetched int, last bool) error {
	if !p.hasCount {
		return nil
	}
	if fetched > p.recordCount || (last && fetched != p.recordCount) {
		return &IncompleteListError{Route: route, RecordCount: p.recordCount, Fetched: fetched}
	}
	return nil
}

func pageQuery(q url.Values, n, size int) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("pageinate", "true")
	out.Set("page_no", strconv.Itoa(n))
	out.Set("page_size", strconv.Itoa(size))
	return out
}

func fetchPage[T any](ctx context.Context, c *Client, route, key string, q url.Values) (page[T], error) {
	var raw json.RawMessage
	if err := c.get(ctx, route, q, &raw); err != nil {
		return page[T]{}, err
	}
	return decodePage[T](raw, key)
}

// decodePage reads {"record_count": N, key: [...]} or, leniently, a bare array.
func decodePage[T any](raw json.RawMessage, key string) (page[T], error) {
	var p page[T]
	if isArray(raw) {
		err := json.Unmarshal(raw, &p.items)
		return p, err
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(raw, &env); err != nil {
		return p, fmt.Errorf("decoding list envelope: %w", err)
	}
	if rc, ok := env["record_count"]; ok {
		if err := json.Unmarshal(rc, &p.recordCount); err != nil {
			return p, fmt.Errorf("decoding record_count: %w", err)
		}
		p.hasCount = true
	}
	rows, ok := env[key]
	if !ok {
		if p.hasCount && p.recordCount == 0 {
			return p, nil
		}
		return p, fmt.Errorf("list envelope has no %q key", key)
	}
	if err := json.Unmarshal(rows, &p.items); err != nil {
		return p, fmt.Errorf("decoding %s rows: %w", key, err)
	}
	return p, nil
}

// listAll reads an unpaged list: a bare array, or leniently an envelope with one of keys.
// When the envelope carries record_count, the row count must match it.
func listAll[T any](ctx context.Context, c *Client, route string, q url.Values, keys ...string) ([]T, error) {
	var raw json.RawMessage
	if err := c.get(ctx, route, q, &raw); err != nil {
		return nil, fmt.Errorf("listing %s: %w", route, err)
	}
	if isArray(raw) {
		var items []T
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", route, err)
		}
		return items, nil
	}
	for _, k := range keys {
		p, err := decodePage[T](raw, k)
		if err != nil {
			continue
		}
		if err := checkCount(route, p, len(p.items), true); err != nil {
			return nil, err
		}
		return p.items, nil
	}
	return nil, fmt.Errorf("decoding %s: neither an array nor an envelope with %v", route, keys)
}

func isArray(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '['
}

// collect drains an iterator into a slice, stopping at the first error.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for it, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// setID adds id to q under name when id is set.
func setID(q url.Values, name string, id ID) {
	if id != 0 {
		q.Set(name, strconv.Itoa(int(id)))
	}
}

func setBool(q url.Values, name string, b bool) {
	if b {
		q.Set(name, "true")
	}
}

// setSince sets a lastupdatefromdate filter: records changed at or after t, written as HaloPSA
// writes dates (UTC, seven fractional digits, no zone). The swagger types the parameter as bool
// ("Include the field lastupdatefromdate in the response") on /Users and /Client and untyped on
// /Tickets; that it filters by last-update date is UNCONFIRMED against a live tenant.
func setSince(q url.Values, t time.Time) {
	if !t.IsZero() {
		q.Set("lastupdatefromdate", t.UTC().Format("2006-01-02T15:04:05.0000000"))
	}
}

func setString(q url.Values, name, s string) {
	if s != "" {
		q.Set(name, s)
	}
}

// setNewestFirst orders a list by descending id, so that read-backs find fresh records on the
// first page. Matching never depends on the order.
func setNewestFirst(q url.Values, on bool) {
	if on {
		q.Set("order", "id")
		q.Set("orderdesc", "true")
	}
}

func idRoute(route string, id ID) string { return route + "/" + strconv.Itoa(int(id)) }
