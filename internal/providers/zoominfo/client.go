// Package zoominfo is the ZoomInfo (legacy Enterprise API) client: JWT authentication
// (/authenticate with username and password, the token cached and renewed before its 60-minute
// expiry, renewed at once when the API refuses it), free contact search for pulls, contact
// enrichment and company enrichment in batches of at most 25. Opted-out people
// (matchStatus OPT_OUT) come back as Do Not Contact records; direct and mobile DNC flags map to
// DoNotCall.
package zoominfo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// Limits and defaults of the ZoomInfo API.
const (
	DefaultBaseURL       = "https://api.zoominfo.com"
	MaxEnrich            = 25 // inputs per enrich call
	MaxPerPage           = 100
	DefaultPerPage       = 25
	DefaultTokenLifetime = 60 * time.Minute
	DefaultRefreshMargin = 5 * time.Minute
	opAuthenticate       = "authenticate"
	opSearch             = "search/contact"
	opEnrichContact      = "enrich/contact"
	opEnrichCompany      = "enrich/company"
)

// Config configures a Client.
type Config struct {
	BaseURL  string // DefaultBaseURL when empty
	Username string // required
	Password string // required
	// RefreshMargin is how long before expiry the token is renewed (DefaultRefreshMargin).
	RefreshMargin time.Duration
	// CompanyDetails makes Enrich also call enrich/company for the matched people's
	// companies (address, revenue, industry, stack). Company records cost credits too.
	CompanyDetails bool
	providers.Settings
}

// Client calls ZoomInfo. It is safe for concurrent use.
type Client struct {
	cfg    Config
	do     *providers.Doer // data calls, with the Bearer token
	auth   *providers.Doer // /authenticate
	now    func() time.Time
	ledger providers.Ledger

	mu      sync.Mutex
	jwt     string
	renewAt time.Time
	logins  int
}

var _ providers.Searcher = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("zoominfo: a username and password are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.RefreshMargin <= 0 {
		cfg.RefreshMargin = DefaultRefreshMargin
	}
	c := &Client{cfg: cfg, now: cfg.Clock()}
	c.do = cfg.Doer(lead.ZoomInfo, cfg.BaseURL, c.authorize, adjust)
	c.auth = cfg.Doer(lead.ZoomInfo, cfg.BaseURL, nil, adjust)
	return c, nil
}

// Source returns lead.ZoomInfo.
func (c *Client) Source() lead.Source { return lead.ZoomInfo }

// Ledger returns the credits this client spent.
func (c *Client) Ledger() *providers.Ledger { return &c.ledger }

// Logins returns how many times the client authenticated.
func (c *Client) Logins() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logins
}

// adjust reads ZoomInfo's error envelope: {"error":{"retryable":...}} says whether to retry.
func adjust(e *providers.APIError, _ *http.Response, body []byte) {
	var eb struct {
		Error struct {
			Code      string `json:"code"`
			Retryable *bool  `json:"retryable"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &eb) == nil && eb.Error.Retryable != nil && e.StatusCode != http.StatusUnauthorized {
		e.Retryable = *eb.Error.Retryable
	}
}

// call sends req, authenticating again once when ZoomInfo refuses the cached token.
func (c *Client) call(ctx context.Context, req providers.Request, out any) (*providers.Response, error) {
	resp, err := c.do.Do(ctx, req, out)
	if ae := providers.AsAPIError(err); ae != nil && ae.StatusCode == http.StatusUnauthorized {
		c.forget()
		resp, err = c.do.Do(ctx, req, out)
	}
	return resp, err
}

// Search returns one page of contacts matching q: domains go to companyWebsite, title keywords
// to jobTitle (joined with OR), the company to companyName. Search is free and returns
// teasers: SourceID, name, title and company, without email or phone. The cursor is the page
// number.
func (c *Client) Search(ctx context.Context, q providers.Query, cursor string) (providers.Page, error) {
	page, err := providers.PageCursor(cursor)
	if err != nil {
		return providers.Page{}, fmt.Errorf("searching zoominfo: %w", err)
	}
	rpp := q.PageSize
	if rpp <= 0 || rpp > MaxPerPage {
		rpp = DefaultPerPage
	}
	body := map[string]any{"rpp": rpp, "page": page}
	if len(q.Domains) > 0 {
		body["companyWebsite"] = strings.Join(q.Domains, ",")
	}
	if len(q.Titles) > 0 {
		body["jobTitle"] = strings.Join(q.Titles, " OR ")
	}
	if q.Company != "" {
		body["companyName"] = q.Company
	}
	var raw json.RawMessage
	req := providers.Request{Op: opSearch, Method: http.MethodPost, Path: "/search/contact", Body: body}
	if _, err := c.call(ctx, req, &raw); err != nil {
		return providers.Page{}, fmt.Errorf("searching zoominfo contacts: %w", err)
	}
	recs, total, err := ParseSearch(raw, c.now())
	if err != nil {
		return providers.Page{}, err
	}
	out := providers.Page{Records: recs}
	if page*rpp < total {
		out.Next = strconv.Itoa(page + 1)
	}
	return out, nil
}
