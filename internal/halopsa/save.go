package halopsa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
)

// Bulk saving.
//
// HaloPSA saves records by POSTing a JSON array: items without an id are created, items with an
// id are partially updated. Whether a multi-item POST answers with the whole array or with the
// first object only is unconfirmed, so the client assumes neither. It matches the answer to the
// input by id (updates) and natural key (creates), and recovers the ids still missing with ONE
// read-back of the resource, matched by natural key.
//
// Creates are not idempotent. When a POST reached HaloPSA but its outcome is unknown (connection
// dropped, timeout, 5xx), Save* reads the resource back by natural key first and only re-sends
// the creates that did not land (and the updates, which are idempotent). If the outcome is still
// unknown after that, the error wraps ErrOutcomeUnknown; retry such a batch with the Upsert*
// methods, which look every id-less item up by natural key before posting.

// maxUnknownAttempts bounds the POSTs of one batch whose outcome stays unknown.
const maxUnknownAttempts = 2

// bulk describes how one resource is saved and matched.
type bulk[T any] struct {
	route string // e.g. "/Users"
	what  string // plural noun for errors, e.g. "users"
	id    func(*T) *ID
	// key is the natural key compared first ("" never matches); same adds checks that only
	// apply when the input sets the field (e.g. client_id). same may be nil.
	key  func(T) string
	same func(in, got T) bool
	// find reads the resource back (ONE paged read) to recover the ids of pending creates.
	find func(ctx context.Context, c *Client, pending []T) iter.Seq2[T, error]
	// isolate makes a refused batch be split until the refused records stand alone (refused.go).
	isolate bool
	// update, when set, is the body of an update: an item with an id loses its create-only
	// fields.
	update func(T) T
}

// saveAll saves items in batches of MaxBatch and returns them in input order, with their ids.
// When b isolates refusals and HaloPSA refuses some records, it saves all the others and returns
// every item with a *RefusedError.
func saveAll[T any](ctx context.Context, c *Client, b bulk[T], items []T) ([]T, error) {
	out := make([]T, 0, len(items))
	refused := &RefusedError{What: b.what}
	for chunk := range slices.Chunk(items, MaxBatch) {
		base := len(out)
		saved, err := saveChunk(ctx, c, b, chunk)
		if ae, ok := refusal(err); ok && b.isolate && !IsSetupMissing(err) {
			var sub []Refusal
			if saved, sub, err = isolate(ctx, c, b, chunk, ae); err == nil {
				for _, r := range sub {
					r.Index += base
					refused.Refused = append(refused.Refused, r)
				}
			}
		}
		if err != nil {
			return out, fmt.Errorf("saving %s: %w", b.what, err)
		}
		out = append(out, saved...)
	}
	if len(refused.Refused) > 0 {
		return out, refused
	}
	return out, nil
}

// upsertAll looks every id-less item up by natural key, then saves: found items are updated.
func upsertAll[T any](ctx context.Context, c *Client, b bulk[T], items []T) ([]T, error) {
	res := slices.Clone(items)
	if _, err := readBack(ctx, c, b, res, b.creates(res, all(len(res)))); err != nil {
		return nil, fmt.Errorf("upserting %s: %w", b.what, err)
	}
	return saveAll(ctx, c, b, res)
}

func saveChunk[T any](ctx context.Context, c *Client, b bulk[T], items []T) ([]T, error) {
	res := slices.Clone(items)
	unsent := all(len(res))
	for attempt := 1; len(unsent) > 0; attempt++ {
		err := postAndMatch(ctx, c, b, res, unsent)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrOutcomeUnknown) || attempt >= maxUnknownAttempts {
			return nil, err
		}
		creates := b.creates(res, unsent)
		if _, rerr := readBack(ctx, c, b, res, creates); rerr != nil {
			return nil, fmt.Errorf("%w; reading back after it: %w", err, rerr)
		}
		unsent = slices.DeleteFunc(unsent, func(i int) bool {
			return slices.Contains(creates, i) && *b.id(&res[i]) != 0
		})
	}
	if err := fillMissing(ctx, c, b, res); err != nil {
		return nil, err
	}
	return res, nil
}

// postAndMatch POSTs res[unsent] and copies every echoed record over the input it matches.
func postAndMatch[T any](ctx context.Context, c *Client, b bulk[T], res []T, unsent []int) error {
	body := make([]T, len(unsent))
	for j, i := range unsent {
		body[j] = res[i]
		if b.update != nil && *b.id(&body[j]) != 0 {
			body[j] = b.update(body[j])
		}
	}
	var raw json.RawMessage
	if err := c.post(ctx, b.route, body, &raw); err != nil {
		return err
	}
	echoed, err := decodeSaved[T](raw)
	if err != nil {
		return fmt.Errorf("decoding POST %s answer: %w", b.route, err)
	}
	if b.inOrder(res, unsent, echoed) {
		for j, i := range unsent {
			res[i] = echoed[j]
		}
		return nil
	}
	b.match(res, unsent, slices.Values(echoed), true)
	return nil
}

// decodeSaved reads a POST answer: an array, a single object, or nothing.
func decodeSaved[T any](raw json.RawMessage) ([]T, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if isArray(raw) {
		var items []T
		err := json.Unmarshal(raw, &items)
		return items, err
	}
	var one T
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}

// fillMissing recovers the ids of creates the answer did not echo, or fails.
func fillMissing[T any](ctx context.Context, c *Client, b bulk[T], res []T) error {
	pending := b.creates(res, all(len(res)))
	if len(pending) == 0 {
		return nil
	}
	found, err := readBack(ctx, c, b, res, pending)
	if err != nil {
		return fmt.Errorf("recovering ids: %w", err)
	}
	if found < len(pending) {
		return fmt.Errorf("%w: %d of %d created %s not found by natural key",
			ErrOutcomeUnknown, len(pending)-found, len(pending), b.what)
	}
	return nil
}

// readBack reads the resource once and sets the ids of res[pending] that it finds. Only the
// id is taken from the server's row, so list rows never replace richer inputs.
func readBack[T any](ctx context.Context, c *Client, b bulk[T], res []T, pending []int) (int, error) {
	if len(pending) == 0 {
		return 0, nil
	}
	items := make([]T, len(pending))
	for j, i := range pending {
		items[j] = res[i]
	}
	var ferr error
	rows := func(yield func(T) bool) {
		for row, err := range b.find(ctx, c, items) {
			if err != nil {
				ferr = err
				return
			}
			if !yield(row) {
				return
			}
		}
	}
	found := b.match(res, pending, rows, false)
	return found, ferr
}

// match assigns rows to res[idx]: by id for updates, by natural key for creates. With replace
// the whole row replaces the input, otherwise only its id is copied. It stops reading rows once
// every input is matched and returns how many creates it matched.
func (b bulk[T]) match(res []T, idx []int, rows iter.Seq[T], replace bool) int {
	byID := map[ID]int{}
	byKey := map[string][]int{}
	open := 0
	for _, i := range idx {
		if id := *b.id(&res[i]); id != 0 {
			byID[id] = i
		} else if k := b.key(res[i]); k != "" {
			byKey[k] = append(byKey[k], i)
			open++
		}
	}
	found := 0
	for row := range rows {
		rowID := *b.id(&row)
		if i, ok := byID[rowID]; ok && replace {
			res[i] = row
			delete(byID, rowID)
		} else if i, ok := b.take(byKey, res, row); ok && rowID != 0 {
			if replace {
				res[i] = row
			} else {
				*b.id(&res[i]) = rowID
			}
			found++
		}
		if found == open && (!replace || len(byID) == 0) {
			break
		}
	}
	return found
}

// take removes and returns the first pending input that row matches.
func (b bulk[T]) take(byKey map[string][]int, res []T, row T) (int, bool) {
	k := b.key(row)
	for n, i := range byKey[k] {
		if b.same == nil || b.same(res[i], row) {
			byKey[k] = slices.Delete(byKey[k], n, n+1)
			return i, true
		}
	}
	return 0, false
}

// creates returns the indexes in idx whose item has no id yet.
func (b bulk[T]) creates(res []T, idx []int) []int {
	var out []int
	for _, i := range idx {
		if *b.id(&res[i]) == 0 {
			out = append(out, i)
		}
	}
	return out
}

func all(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// sameID reports whether want is unset or equal to got.
func sameID(want, got ID) bool { return want == 0 || want == got }

// common returns the value every item shares, or 0.
func common[T any](items []T, f func(T) ID) ID {
	var v ID
	for n, it := range items {
		x := f(it)
		if n > 0 && x != v {
			return 0
		}
		v = x
	}
	return v
}

// inOrder reports whether echoed is the whole array answered in input order: one row per item,
// each with an id, agreeing with its item's id (updates) or natural key (creates) wherever the
// item has one. Then rows are matched by position, which also covers items without a natural
// key (a user with neither e-mail address nor name).
func (b bulk[T]) inOrder(res []T, unsent []int, echoed []T) bool {
	if len(echoed) != len(unsent) {
		return false
	}
	for j, i := range unsent {
		got := *b.id(&echoed[j])
		if got == 0 {
			return false
		}
		if id := *b.id(&res[i]); id != 0 && id != got {
			return false
		}
		if k := b.key(res[i]); k != "" && *b.id(&res[i]) == 0 && k != b.key(echoed[j]) {
			return false
		}
	}
	return true
}
