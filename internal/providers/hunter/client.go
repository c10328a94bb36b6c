// Package hunter is the Hunter.io API client: domain search for pulls, and enrichment through
// the email finder (a person's address from name and domain) and the email verifier (with its
// 202-then-200 flow, polled a bounded number of times). Hunter's status codes are its own: 403
// is the rate limit (retryable), 429 the plan's monthly usage (quota exhausted), and 451
// claimed_email means the owner asked not to be processed: the person comes back marked Do
// Not Contact instead of as an error, so the row is never lost.
//
// Results map to lead.Records through package sources' Hunter domain-search reader, so an API
// response and a saved Hunter JSON export give the same records.
package hunter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// Limits and defaults of the Hunter API.
const (
	DefaultBaseURL      = "https://api.hunter.io/v2"
	DefaultPerPage      = 10
	MaxPerPage          = 100
	DefaultMaxPolls     = 10
	DefaultPollInterval = 2 * time.Second
	opDomainSearch      = "domain-search"
	opEmailFinder       = "email-finder"
	opEmailVerifier     = "email-verifier"
	statusClaimed       = "claimed_email"
)

// Config configures a Client.
type Config struct {
	BaseURL string // DefaultBaseURL when empty
	APIKey  string // required; sent in the X-API-KEY header, never in the URL
	// MaxPolls bounds how often a verification still running (202) is asked again
	// (DefaultMaxPolls); PollInterval is the wait between asks (DefaultPollInterval).
	MaxPolls     int
	PollInterval time.Duration
	providers.Settings
}

// Client calls Hunter. It is safe for concurrent use.
type Client struct {
	cfg    Config
	do     *providers.Doer
	now    func() time.Time
	ledger providers.Ledger
}

var _ providers.Searcher = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("hunter: an API key is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.MaxPolls <= 0 {
		cfg.MaxPolls = DefaultMaxPolls
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	auth := func(_ context.Context, r *http.Request) error {
		r.Header.Set("X-API-KEY", cfg.APIKey)
		return nil
	}
	return &Client{cfg: cfg, do: cfg.Doer(lead.Hunter, cfg.BaseURL, auth, adjust), now: cfg.Clock()}, nil
}

// Source returns lead.Hunter.
func (c *Client) Source() lead.Source { return lead.Hunter }

// Ledger returns the credits (Hunter "requests") this client spent.
func (c *Client) Ledger() *providers.Ledger { return &c.ledger }

// adjust applies Hunter's status conventions: 403 is the rate limit, 429 the usage quota.
func adjust(e *providers.APIError, _ *http.Response, _ []byte) {
	switch e.StatusCode {
	case http.StatusForbidden:
		e.Retryable = true
	case http.StatusTooManyRequests:
		e.Retryable, e.QuotaExhausted, e.RetryAfter = false, true, 0
	}
}

// isClaimed reports a 451 claimed_email refusal.
func isClaimed(err error) bool {
	ae := providers.AsAPIError(err)
	return ae != nil && ae.StatusCode == http.StatusUnavailableForLegalReasons
}

// Search returns one page of the people Hunter knows at q's domains (or at q.Company when
// there are none), one domain after the other. Title keywords filter the page after it
// arrives: Hunter cannot filter by title and charges for every address returned (one credit
// per started block of ten). The cursor is "<domain index>:<offset>".
func (c *Client) Search(ctx context.Context, q providers.Query, cursor string) (providers.Page, error) {
	targets := q.Domains
	key := "domain"
	if len(targets) == 0 && q.Company != "" {
		targets, key = []string{q.Company}, "company"
	}
	idx, offset, err := parseCursor(cursor)
	if err != nil || idx >= len(targets) {
		return providers.Page{}, fmt.Errorf("searching hunter: %w", &providers.CursorError{Cursor: cursor})
	}
	limit := q.PageSize
	if limit <= 0 || limit > MaxPerPage {
		limit = DefaultPerPage
	}
	params := url.Values{key: {targets[idx]}, "limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}
	var raw json.RawMessage
	req := providers.Request{Op: opDomainSearch, Method: http.MethodGet, Path: "/domain-search", Query: params}
	if _, err := c.do.Do(ctx, req, &raw); err != nil {
		return providers.Page{}, fmt.Errorf("searching hunter domain %d of %d: %w", idx+1, len(targets), err)
	}
	recs, total, credits, err := ParseDomainSearch(raw, c.now())
	if err != nil {
		return providers.Page{}, err
	}
	c.ledger.Charge(opDomainSearch, credits)
	page := providers.Page{Records: filterTitles(recs, q.Titles), Credits: credits}
	switch {
	case offset+limit < total:
		page.Next = fmt.Sprintf("%d:%d", idx, offset+limit)
	case idx+1 < len(targets):
		page.Next = fmt.Sprintf("%d:0", idx+1)
	}
	return page, nil
}

// parseCursor reads "<index>:<offset>"; "" is the start.
func parseCursor(cursor string) (idx, offset int, err error) {
	if cursor == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(cursor, ":")
	idx, err1 := strconv.Atoi(a)
	offset, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || idx < 0 || offset < 0 {
		return 0, 0, errors.New("malformed")
	}
	return idx, offset, nil
}

// filterTitles keeps the records whose job title contains one of the keywords.
func filterTitles(recs []lead.Record, titles []string) []lead.Record {
	if len(titles) == 0 {
		return recs
	}
	out := recs[:0]
	for _, r := range recs {
		t := strings.ToLower(r.Get(lead.JobTitle))
		for _, k := range titles {
			if strings.Contains(t, strings.ToLower(k)) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
