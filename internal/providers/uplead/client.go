// Package uplead is the UpLead API client: person enrichment (person-search by UpLead id,
// email, or name at a domain) and company enrichment (company-search by domain). It
// authenticates with the bare Authorization header (no "Bearer"). UpLead reports no opt-out
// signal; its 429 carries Retry-After and X-RateLimit-* headers. Credits are read from the
// availableCredits balance each answer carries.
package uplead

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// Defaults of the UpLead API.
const (
	DefaultBaseURL = "https://api.uplead.com/v2"
	opPerson       = "person-search"
	opCompany      = "company-search"
)

// Config configures a Client.
type Config struct {
	BaseURL string // DefaultBaseURL when empty
	APIKey  string // required
	// CompanyDetails makes Enrich also look up each matched person's company (one credit per
	// company first downloaded).
	CompanyDetails bool
	providers.Settings
}

// Client calls UpLead. It is safe for concurrent use.
type Client struct {
	cfg    Config
	do     *providers.Doer
	now    func() time.Time
	ledger providers.Ledger

	mu      sync.Mutex
	balance int // last availableCredits seen; -1 before the first
}

var _ providers.Provider = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("uplead: an API key is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	auth := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", cfg.APIKey)
		return nil
	}
	return &Client{cfg: cfg, do: cfg.Doer(lead.UpLead, cfg.BaseURL, auth, nil), now: cfg.Clock(), balance: -1}, nil
}

// Source returns lead.UpLead.
func (c *Client) Source() lead.Source { return lead.UpLead }

// Ledger returns the credits this client spent.
func (c *Client) Ledger() *providers.Ledger { return &c.ledger }

// Enrich looks each record up: by UpLead id for UpLead records, else by email, else by first
// and last name at its domain; with CompanyDetails, each company once per call.
func (c *Client) Enrich(ctx context.Context, in []lead.Record) ([]lead.Record, int, error) {
	sheet := providers.NewSheet(lead.UpLead, columns)
	companies := map[string]map[string]string{}
	credits := 0
	for _, r := range in {
		cells, n, err := c.enrichOne(ctx, r, companies)
		credits += n
		if err != nil {
			recs, _, _ := sheet.Records(c.now())
			return recs, credits, err
		}
		if cells != nil {
			sheet.Add(cells)
		}
	}
	recs, _, err := sheet.Records(c.now())
	return recs, credits, err
}

// enrichOne looks r up and, when configured, its company (cached in companies by domain).
func (c *Client) enrichOne(ctx context.Context, r lead.Record, companies map[string]map[string]string) (map[string]string, int, error) {
	params := lookupParams(r)
	if params == nil {
		return nil, 0, nil
	}
	cells, credits, err := c.call(ctx, opPerson, "/person-search", params, ParsePerson)
	if err != nil || cells == nil || !c.cfg.CompanyDetails || cells["Domain"] == "" {
		return cells, credits, err
	}
	domain := cells["Domain"]
	if _, ok := companies[domain]; !ok {
		co, n, err := c.EnrichCompany(ctx, domain)
		credits += n
		if err != nil {
			return nil, credits, err
		}
		companies[domain] = co
	}
	for k, v := range companies[domain] {
		if v != "" {
			cells[k] = v
		}
	}
	return cells, credits, nil
}

// EnrichCompany looks a company up by domain and returns it as export cells (nil when
// unknown) with the credits spent.
func (c *Client) EnrichCompany(ctx context.Context, domain string) (map[string]string, int, error) {
	return c.call(ctx, opCompany, "/company-search", url.Values{"domain": {domain}}, ParseCompany)
}

// call runs one lookup and accounts its credits from the balance UpLead reports: the drop since
// the previous answer, or one credit per hit when there was no previous answer.
func (c *Client) call(ctx context.Context, op, path string, params url.Values,
	parse func([]byte) (map[string]string, int, error)) (map[string]string, int, error) {
	var raw json.RawMessage
	req := providers.Request{Op: op, Method: http.MethodGet, Path: path, Query: params}
	if _, err := c.do.Do(ctx, req, &raw); err != nil {
		return nil, 0, fmt.Errorf("uplead %s: %w", op, err)
	}
	cells, balance, err := parse(raw)
	if err != nil {
		return nil, 0, err
	}
	n := c.spent(balance, cells != nil)
	c.ledger.Charge(op, n)
	return cells, n, nil
}

// spent turns a reported balance into credits spent by the call that reported it.
func (c *Client) spent(balance int, hit bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.balance
	if balance >= 0 {
		c.balance = balance
	}
	switch {
	case prev >= 0 && balance >= 0:
		return max(prev-balance, 0)
	case hit:
		return 1
	}
	return 0
}

// lookupParams identify r, or nil when r has too little.
func lookupParams(r lead.Record) url.Values {
	switch {
	case r.Source == lead.UpLead && r.SourceID != "":
		return url.Values{"id": {r.SourceID}}
	case r.Get(lead.Email) != "":
		return url.Values{"email": {r.Get(lead.Email)}}
	case r.Get(lead.FirstName) != "" && r.Get(lead.LastName) != "" && r.Get(lead.Domain) != "":
		return url.Values{"first_name": {r.Get(lead.FirstName)}, "last_name": {r.Get(lead.LastName)},
			"domain": {r.Get(lead.Domain)}}
	}
	return nil
}
