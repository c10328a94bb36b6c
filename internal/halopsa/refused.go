package halopsa

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
)

// Isolating refused records.
//
// HaloPSA validates an array POST as a whole: one record it refuses (a user without a name, an
// unknown id) fails the request with a 4xx that usually names no record, and nothing is saved.
// Sending the same array again fails again, for ever. For the record resources (clients, sites,
// users, tickets, actions) Save* and Upsert* therefore split a refused batch in halves and save
// each half, recursively, until every refused record stands alone: the others are saved, and the
// call returns them in input order together with a *RefusedError naming the refused ones.
// Finding k refused records among n costs about 2·k·log2(n) extra POSTs.
//
// That a refused array POST saved nothing is what the sandbox does and what HaloPSA's answers
// suggest; it is UNCONFIRMED for every validation HaloPSA runs.

// Refusal is one record HaloPSA refused.
type Refusal struct {
	Index int       // position in the input of the Save* or Upsert* call
	Err   *APIError // HaloPSA's answer when the record was sent alone
}

// RefusedError reports the records of a bulk save that HaloPSA refused; every other record was
// saved. The Save* or Upsert* call that returns it also returns all records in input order, the
// refused ones as they were given (without an id when they were creates).
type RefusedError struct {
	What    string // plural noun, e.g. "users"
	Refused []Refusal
}

// Error says how many were refused and HaloPSA's first message.
func (e *RefusedError) Error() string {
	if len(e.Refused) == 1 {
		return fmt.Sprintf("HaloPSA refused 1 of the %s: %s", e.What, e.Refused[0].Err.Message)
	}
	return fmt.Sprintf("HaloPSA refused %d of the %s (the first: %s)", len(e.Refused), e.What, e.Refused[0].Err.Message)
}

// Indexes returns the input positions of the refused records.
func (e *RefusedError) Indexes() []int {
	out := make([]int, len(e.Refused))
	for i, r := range e.Refused {
		out[i] = r.Index
	}
	return out
}

// refusal returns err's *APIError when err is HaloPSA refusing what was sent (a 4xx other than
// authentication, permission, timeout and rate limiting): sending it again unchanged cannot help.
func refusal(err error) (*APIError, bool) {
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode < 400 || ae.StatusCode >= 500 {
		return nil, false
	}
	switch ae.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return nil, false
	}
	return ae, true
}

// setupMissing matches HaloPSA's refusals that name a piece of the tenant set-up (a custom
// field, a ticket type, a status, a lookup value) it does not have: every record of the batch
// would be refused alike, so such a refusal is not isolated. The wordings are the sandbox's and
// those seen in HaloPSA answers ("Custom field 12 does not exist", "The value '9' is not valid
// for tickettype_id."); HaloPSA's full set is UNCONFIRMED.
var setupMissing = regexp.MustCompile(`(?i)(custom ?field|ticket ?type|request ?type|status|lookup)[^.]*\b(does not exist|not found|is not valid)|not valid for (tickettype_id|requesttype_id|status_id)`)

// IsSetupMissing reports whether err is HaloPSA refusing a write because a custom field, ticket
// type or status it names does not exist (any more): the tenant set-up changed, and reading it
// again (setting up what is missing) lets the same write succeed.
func IsSetupMissing(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 && setupMissing.MatchString(ae.Message)
}

// isolate saves items, which HaloPSA refused as one batch with refused, by halves until each
// refused record stands alone. It returns every item in input order (saved ones with their
// ids) and the refusals; err is set when something other than a refusal went wrong.
func isolate[T any](ctx context.Context, c *Client, b bulk[T], items []T, refused *APIError) ([]T, []Refusal, error) {
	if len(items) == 1 {
		return slices.Clone(items), []Refusal{{Index: 0, Err: refused}}, nil
	}
	res := make([]T, 0, len(items))
	var out []Refusal
	mid := len(items) / 2
	for _, part := range [][]T{items[:mid], items[mid:]} {
		base := len(res)
		saved, err := saveChunk(ctx, c, b, part)
		if err == nil {
			res = append(res, saved...)
			continue
		}
		ae, ok := refusal(err)
		if !ok {
			return nil, nil, err
		}
		saved, sub, err := isolate(ctx, c, b, part, ae)
		if err != nil {
			return nil, nil, err
		}
		res = append(res, saved...)
		for _, r := range sub {
			r.Index += base
			out = append(out, r)
		}
	}
	return res, out, nil
}

// Unwrap returns HaloPSA's answer to the first refused record, so that errors.Is(err,
// ErrValidation) and errors.As(err, **APIError) see a refusal.
func (e *RefusedError) Unwrap() error { return e.Refused[0].Err }
