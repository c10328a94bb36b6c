// Package apollo is the Apollo.io API client: free people search (mixed_people/api_search)
// for pulls, bulk people enrichment (people/bulk_match, at most 10 people a call) and the
// contact stages that name a contact's Do Not Contact state. It authenticates with the
// x-api-key header and maps people to lead.Records through the Apollo export mapping of
// package sources.
package apollo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// Limits and defaults of the Apollo API.
const (
	DefaultBaseURL  = "https://api.apollo.io/api/v1"
	MaxBulkMatch    = 10  // people per people/bulk_match call
	MaxPerPage      = 100 // search page size
	DefaultPerPage  = 25
	maxSearchPages  = 500 // Apollo displays at most 50,000 results
	opSearch        = "mixed_people/api_search"
	opBulkMatch     = "people/bulk_match"
	opContactStages = "contact_stages"
)

// Config configures a Client.
type Config struct {
	BaseURL string // DefaultBaseURL when empty
	APIKey  string // required; a master key or one scoped to the three endpoints
	providers.Settings
}

// Client calls Apollo. It is safe for concurrent use.
type Client struct {
	do     *providers.Doer
	now    func() time.Time
	ledger providers.Ledger

	mu     sync.Mutex
	stages map[string]string // contact stage id → name, loaded once
}

var _ providers.Searcher = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("apollo: an API key is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	auth := func(_ context.Context, r *http.Request) error {
		r.Header.Set("x-api-key", cfg.APIKey)
		return nil
	}
	return &Client{do: cfg.Doer(lead.Apollo, cfg.BaseURL, auth, adjust), now: cfg.Clock()}, nil
}

// Source returns lead.Apollo.
func (c *Client) Source() lead.Source { return lead.Apollo }

// Ledger returns the credits this client spent.
func (c *Client) Ledger() *providers.Ledger { return &c.ledger }

// adjust applies Apollo's conventions: a 429 names its window ("times per minute", "per
// hour", "per day") and the wait follows it when no Retry-After came; an error_code about
// credits means the plan is spent.
func adjust(e *providers.APIError, resp *http.Response, body []byte) {
	msg := strings.ToLower(e.Message)
	if e.StatusCode == http.StatusTooManyRequests && e.RetryAfter == 0 {
		switch {
		case strings.Contains(msg, "per minute"):
			e.RetryAfter = time.Minute
		case strings.Contains(msg, "per hour"):
			e.RetryAfter = time.Hour
		case strings.Contains(msg, "per day"), strings.Contains(msg, "24 hour"):
			e.RetryAfter = 24 * time.Hour
		}
	}
	var eb struct {
		ErrorCode string `json:"error_code"`
	}
	_ = json.Unmarshal(body, &eb)
	if strings.Contains(strings.ToUpper(eb.ErrorCode), "CREDIT") || strings.Contains(msg, "insufficient credits") {
		e.QuotaExhausted, e.Retryable = true, false
	}
}

// Search returns one page of people matching q. Apollo's search is free and returns teasers:
// SourceID, first name, title and company, without email, phone or full last name; pass them
// to Enrich to buy the rest. The cursor is the page number.
func (c *Client) Search(ctx context.Context, q providers.Query, cursor string) (providers.Page, error) {
	page, err := providers.PageCursor(cursor)
	if err != nil {
		return providers.Page{}, fmt.Errorf("searching apollo: %w", err)
	}
	perPage := q.PageSize
	if perPage <= 0 || perPage > MaxPerPage {
		perPage = DefaultPerPage
	}
	var raw json.RawMessage
	req := providers.Request{Op: opSearch, Method: http.MethodPost, Path: "/mixed_people/api_search",
		Query: searchParams(q, page, perPage)}
	if _, err := c.do.Do(ctx, req, &raw); err != nil {
		return providers.Page{}, fmt.Errorf("searching apollo people: %w", err)
	}
	recs, total, err := ParseSearch(raw, c.now())
	if err != nil {
		return providers.Page{}, err
	}
	out := providers.Page{Records: recs}
	if page*perPage < total && page < maxSearchPages {
		out.Next = strconv.Itoa(page + 1)
	}
	return out, nil
}

// searchParams are the query parameters of a search, spelled as the contract documents them.
func searchParams(q providers.Query, page, perPage int) url.Values {
	v := url.Values{}
	for _, d := range q.Domains {
		v.Add("q_organization_domains_list[]", d)
	}
	for _, t := range q.Titles {
		v.Add("person_titles[]", t)
	}
	if len(q.Titles) > 0 {
		v.Set("include_similar_titles", "false")
	}
	if q.Company != "" {
		v.Set("q_keywords", q.Company)
	}
	v.Set("page", strconv.Itoa(page))
	v.Set("per_page", strconv.Itoa(perPage))
	return v
}

// Enrich matches the records in batches of MaxBulkMatch. Records from an Apollo search match by
// SourceID; others by email, LinkedIn URL, or name with company or domain. Opted-out people
// (unsubscribed, Do Not Contact stage, numbers on a DNC list) come back flagged.
func (c *Client) Enrich(ctx context.Context, in []lead.Record) ([]lead.Record, int, error) {
	var out []lead.Record
	credits := 0
	for _, b := range providers.Batches(len(in), MaxBulkMatch) {
		recs, n, err := c.bulkMatch(ctx, in[b[0]:b[1]])
		out, credits = append(out, recs...), credits+n
		if err != nil {
			return out, credits, err
		}
	}
	return out, credits, nil
}

// bulkMatch enriches one batch.
func (c *Client) bulkMatch(ctx context.Context, batch []lead.Record) ([]lead.Record, int, error) {
	details := make([]detail, len(batch))
	for i, r := range batch {
		details[i] = detailOf(r)
	}
	var raw json.RawMessage
	req := providers.Request{Op: opBulkMatch, Method: http.MethodPost, Path: "/people/bulk_match",
		Body: map[string]any{"details": details}}
	if _, err := c.do.Do(ctx, req, &raw); err != nil {
		return nil, 0, fmt.Errorf("enriching %d apollo people: %w", len(batch), err)
	}
	stages, err := c.contactStages(ctx, raw)
	if err != nil {
		return nil, 0, err
	}
	recs, credits, err := ParseBulkMatch(raw, stages, c.now())
	c.ledger.Charge(opBulkMatch, credits)
	return recs, credits, err
}

// detail is one people/bulk_match input.
type detail struct {
	ID               string `json:"id,omitempty"`
	Email            string `json:"email,omitempty"`
	FirstName        string `json:"first_name,omitempty"`
	LastName         string `json:"last_name,omitempty"`
	OrganizationName string `json:"organization_name,omitempty"`
	Domain           string `json:"domain,omitempty"`
	LinkedInURL      string `json:"linkedin_url,omitempty"`
}

// detailOf builds the match input of r: Apollo's own id when r came from Apollo.
func detailOf(r lead.Record) detail {
	if r.Source == lead.Apollo && r.SourceID != "" {
		return detail{ID: r.SourceID}
	}
	return detail{Email: r.Get(lead.Email), FirstName: r.Get(lead.FirstName), LastName: r.Get(lead.LastName),
		OrganizationName: r.Get(lead.Company), Domain: r.Get(lead.Domain), LinkedInURL: r.Get(lead.LinkedIn)}
}

// contactStages returns the stage names when the matches carry stage ids, loading them once.
func (c *Client) contactStages(ctx context.Context, raw json.RawMessage) (map[string]string, error) {
	if !strings.Contains(string(raw), `"contact_stage_id"`) {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stages != nil {
		return c.stages, nil
	}
	stages, err := c.ContactStages(ctx)
	if err != nil {
		return nil, err
	}
	c.stages = make(map[string]string, len(stages))
	for _, s := range stages {
		c.stages[s.ID] = s.Name
	}
	return c.stages, nil
}

// Stage is an Apollo contact stage.
type Stage struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"` // in_progress, succeeded or failed
}

// ContactStages lists the team's contact stages (free).
func (c *Client) ContactStages(ctx context.Context) ([]Stage, error) {
	var resp struct {
		Stages []Stage `json:"contact_stages"`
	}
	req := providers.Request{Op: opContactStages, Method: http.MethodGet, Path: "/contact_stages"}
	if _, err := c.do.Do(ctx, req, &resp); err != nil {
		return nil, fmt.Errorf("listing apollo contact stages: %w", err)
	}
	return resp.Stages, nil
}
