package hunter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// Enrich looks each record up on its own: a record with an email is verified (email-verifier),
// one without is searched by first and last name at its domain or company (email-finder).
// Records that can be neither are skipped. A claimed address (451) comes back as a Do Not
// Contact record with the input's identity. Credits: one per address found or verified.
func (c *Client) Enrich(ctx context.Context, in []lead.Record) ([]lead.Record, int, error) {
	var out []lead.Record
	credits := 0
	for _, r := range in {
		doc, n, err := c.lookup(ctx, r)
		credits += n
		if err != nil {
			return out, credits, err
		}
		if doc == nil {
			continue
		}
		recs, _, err := providers.ReadRecords(lead.Hunter, strings.NewReader(string(doc)), c.now())
		if err != nil {
			return out, credits, err
		}
		out = append(out, recs...)
	}
	return out, credits, nil
}

// lookup runs the call that fits r and returns its result as a domain-search document.
func (c *Client) lookup(ctx context.Context, r lead.Record) ([]byte, int, error) {
	id := identityOf(r)
	switch {
	case id.Value != "":
		return c.verify(ctx, id)
	case id.FirstName != "" && id.LastName != "" && (id.Domain != "" || id.Company != ""):
		return c.find(ctx, id)
	}
	return nil, 0, nil
}

// Entry is one emails[] entry of a domain-search document, with the organisation it belongs to.
type Entry struct {
	Value        string         `json:"value,omitempty"`
	Confidence   providers.Text `json:"confidence,omitempty"`
	FirstName    string         `json:"first_name,omitempty"`
	LastName     string         `json:"last_name,omitempty"`
	Position     string         `json:"position,omitempty"`
	LinkedIn     string         `json:"linkedin,omitempty"`
	PhoneNumber  string         `json:"phone_number,omitempty"`
	Verification struct {
		Status string `json:"status,omitempty"`
	} `json:"verification"`
	Domain  string `json:"-"`
	Company string `json:"-"`
}

// identityOf is what Hunter is asked about r.
func identityOf(r lead.Record) Entry {
	return Entry{Value: r.Get(lead.Email), FirstName: r.Get(lead.FirstName), LastName: r.Get(lead.LastName),
		Position: r.Get(lead.JobTitle), Domain: r.Get(lead.Domain), Company: r.Get(lead.Company)}
}

// document wraps one entry as a domain-search response, the shape package sources reads. The
// organisation comes before the emails, as in Hunter's own key order, which the reader relies on.
func document(e Entry) []byte {
	type data struct {
		Domain       string  `json:"domain,omitempty"`
		Organization string  `json:"organization,omitempty"`
		Emails       []Entry `json:"emails"`
	}
	doc, _ := json.Marshal(struct {
		Data data `json:"data"`
	}{data{Domain: e.Domain, Organization: e.Company, Emails: []Entry{e}}})
	return doc
}

// verify checks id's address, asking again while Hunter answers 202, at most MaxPolls times.
func (c *Client) verify(ctx context.Context, id Entry) ([]byte, int, error) {
	req := providers.Request{Op: opEmailVerifier, Method: http.MethodGet, Path: "/email-verifier",
		Query: url.Values{"email": {id.Value}}}
	for poll := 0; ; poll++ {
		var raw json.RawMessage
		resp, err := c.do.Do(ctx, req, &raw)
		switch {
		case isClaimed(err):
			id.Verification.Status = statusClaimed
			return document(id), 0, nil
		case err != nil:
			return nil, 0, fmt.Errorf("verifying an email with hunter: %w", err)
		case resp.StatusCode != http.StatusAccepted:
			return verified(id, raw, &c.ledger)
		case poll+1 >= c.cfg.MaxPolls:
			return nil, 0, &providers.APIError{Provider: lead.Hunter, StatusCode: http.StatusAccepted,
				Retryable: true, RetryAfter: c.cfg.PollInterval,
				Message: fmt.Sprintf("verification still running after %d polls", c.cfg.MaxPolls)}
		}
		if err := c.wait(ctx); err != nil {
			return nil, 0, fmt.Errorf("waiting for a hunter verification: %w", err)
		}
	}
}

// verified adds a verifier result to id and charges it.
func verified(id Entry, raw []byte, ledger *providers.Ledger) ([]byte, int, error) {
	v, err := ParseVerifier(raw)
	if err != nil {
		return nil, 0, err
	}
	id.Verification.Status, id.Confidence = v.Status, v.Score
	ledger.Charge(opEmailVerifier, 1)
	return document(id), 1, nil
}

// wait sleeps PollInterval through the configured Sleep, or a real timer.
func (c *Client) wait(ctx context.Context) error {
	if c.cfg.Sleep != nil {
		return c.cfg.Sleep(ctx, c.cfg.PollInterval)
	}
	return providers.SleepContext(ctx, c.cfg.PollInterval)
}

// find asks the email finder for id's address.
func (c *Client) find(ctx context.Context, id Entry) ([]byte, int, error) {
	params := url.Values{"first_name": {id.FirstName}, "last_name": {id.LastName}}
	if id.Domain != "" {
		params.Set("domain", id.Domain)
	} else {
		params.Set("company", id.Company)
	}
	var raw json.RawMessage
	req := providers.Request{Op: opEmailFinder, Method: http.MethodGet, Path: "/email-finder", Query: params}
	_, err := c.do.Do(ctx, req, &raw)
	switch ae := providers.AsAPIError(err); {
	case isClaimed(err):
		id.Verification.Status = statusClaimed
		return document(id), 0, nil
	case ae != nil && ae.StatusCode == http.StatusNotFound:
		return nil, 0, nil
	case err != nil:
		return nil, 0, fmt.Errorf("finding an email with hunter: %w", err)
	}
	found, err := ParseFinder(raw)
	if err != nil || found.Value == "" {
		return nil, 0, err
	}
	c.ledger.Charge(opEmailFinder, 1)
	return document(found), 1, nil
}
