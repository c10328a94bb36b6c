// Package lusha is the Lusha API client: person enrichment (V2 GET /v2/person, one person a
// call) and the opt-out webhook subscription (create and list), Lusha being the one provider
// that pushes opt-outs. It authenticates with the api_key header. A 451 (GDPR-restricted
// person) comes back as a Do Not Contact record, never as an error that loses the row; a
// phone's doNotCall maps to DoNotCall.
package lusha

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

// Defaults of the Lusha API.
const (
	DefaultBaseURL  = "https://api.lusha.com"
	opPerson        = "v2/person"
	opCreateOptOut  = "subscriptions/opt-out"
	opSubscriptions = "subscriptions"
)

// Config configures a Client.
type Config struct {
	BaseURL string // DefaultBaseURL when empty
	APIKey  string // required
	providers.Settings
}

// Client calls Lusha. It is safe for concurrent use.
type Client struct {
	do     *providers.Doer
	now    func() time.Time
	ledger providers.Ledger
}

var _ providers.Provider = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("lusha: an API key is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	auth := func(_ context.Context, r *http.Request) error {
		r.Header.Set("api_key", cfg.APIKey)
		return nil
	}
	return &Client{do: cfg.Doer(lead.Lusha, cfg.BaseURL, auth, adjust), now: cfg.Clock()}, nil
}

// Source returns lead.Lusha.
func (c *Client) Source() lead.Source { return lead.Lusha }

// Ledger returns the credits this client spent.
func (c *Client) Ledger() *providers.Ledger { return &c.ledger }

// adjust applies Lusha's conventions: a 429 about the daily quota means the quota is spent,
// other 429s wait RateLimit-Reset (read by the shared classifier) or the "Reset in N seconds"
// of the message.
func adjust(e *providers.APIError, _ *http.Response, _ []byte) {
	if e.StatusCode != http.StatusTooManyRequests {
		return
	}
	msg := strings.ToLower(e.Message)
	if strings.Contains(msg, "quota") || strings.Contains(msg, "trial") {
		e.Retryable, e.QuotaExhausted, e.RetryAfter = false, true, 0
		return
	}
	if _, after, ok := strings.Cut(msg, "reset in "); ok && e.RetryAfter == 0 {
		if n, err := strconv.Atoi(strings.Fields(after + " x")[0]); err == nil && n > 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	}
}

// Enrich looks each record up: by Lusha personId for Lusha records, else by email, LinkedIn
// URL, or first and last name with company name or domain. A person Lusha may not process
// (451) comes back as a Do Not Contact record with the input's identity. Credits: the
// results Lusha marks isCreditCharged (re-reveals are free).
func (c *Client) Enrich(ctx context.Context, in []lead.Record) ([]lead.Record, int, error) {
	sheet := providers.NewSheet(lead.Lusha, columns)
	credits := 0
	for _, r := range in {
		params := lookupParams(r)
		if params == nil {
			continue
		}
		cells, charged, err := c.person(ctx, params)
		if err != nil {
			recs, _, _ := sheet.Records(c.now())
			return recs, credits, err
		}
		if cells == nil {
			continue
		}
		if cells["GDPR Restricted"] == "true" {
			cells = restrictedCells(r)
		}
		sheet.Add(cells)
		credits += charged
	}
	recs, _, err := sheet.Records(c.now())
	return recs, credits, err
}

// person runs one GET /v2/person: cells for a match, nil for no match, and the credit charged.
func (c *Client) person(ctx context.Context, params url.Values) (map[string]string, int, error) {
	var raw json.RawMessage
	req := providers.Request{Op: opPerson, Method: http.MethodGet, Path: "/v2/person", Query: params}
	_, err := c.do.Do(ctx, req, &raw)
	switch ae := providers.AsAPIError(err); {
	case ae != nil && ae.StatusCode == http.StatusUnavailableForLegalReasons:
		return map[string]string{"GDPR Restricted": "true"}, 0, nil
	case ae != nil && ae.StatusCode == http.StatusNotFound:
		return nil, 0, nil
	case err != nil:
		return nil, 0, fmt.Errorf("enriching a lusha person: %w", err)
	}
	cells, charged, err := ParsePerson(raw)
	if err != nil || cells == nil {
		return nil, 0, err
	}
	n := 0
	if charged {
		n = 1
		c.ledger.Charge(opPerson, 1)
	}
	return cells, n, nil
}

// lookupParams are the query parameters that identify r, or nil when r has too little.
func lookupParams(r lead.Record) url.Values {
	switch {
	case r.Source == lead.Lusha && r.SourceID != "":
		return url.Values{"personId": {r.SourceID}}
	case r.Get(lead.Email) != "":
		return url.Values{"email": {r.Get(lead.Email)}}
	case r.Get(lead.LinkedIn) != "":
		return url.Values{"linkedinUrl": {r.Get(lead.LinkedIn)}}
	case r.Get(lead.FirstName) == "" || r.Get(lead.LastName) == "":
		return nil
	}
	v := url.Values{"firstName": {r.Get(lead.FirstName)}, "lastName": {r.Get(lead.LastName)}}
	switch {
	case r.Get(lead.Domain) != "":
		v.Set("companyDomain", r.Get(lead.Domain))
	case r.Get(lead.Company) != "":
		v.Set("companyName", r.Get(lead.Company))
	default:
		return nil
	}
	return v
}

// restrictedCells describes a GDPR-restricted input: its identity, flagged.
func restrictedCells(r lead.Record) map[string]string {
	c := map[string]string{"GDPR Restricted": "true", "Work Email": r.Get(lead.Email),
		"First Name": r.Get(lead.FirstName), "Last Name": r.Get(lead.LastName),
		"Company Name": r.Get(lead.Company), "Company Domain": r.Get(lead.Domain), "LinkedIn URL": r.Get(lead.LinkedIn)}
	if r.Source == lead.Lusha {
		c["Lusha ID"] = r.SourceID
	}
	return c
}
