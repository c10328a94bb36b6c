package hunter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// ParseDomainSearch reads a domain-search response with package sources' Hunter reader: the
// records, meta.results (all addresses Hunter has for the domain) and the credits the page
// cost (one per started block of ten addresses).
func ParseDomainSearch(body []byte, seenAt time.Time) (recs []lead.Record, total, credits int, err error) {
	var resp struct {
		Data struct {
			Emails []json.RawMessage `json:"emails"`
		} `json:"data"`
		Meta struct {
			Results int `json:"results"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, 0, 0, fmt.Errorf("decoding hunter domain search: %w", err)
	}
	if len(resp.Data.Emails) > 0 {
		if recs, _, err = providers.ReadRecords(lead.Hunter, bytes.NewReader(body), seenAt); err != nil {
			return nil, 0, 0, err
		}
	}
	return recs, resp.Meta.Results, (len(resp.Data.Emails) + 9) / 10, nil
}

// Verification is an email-verifier result.
type Verification struct {
	Status string         // valid, invalid, accept_all, webmail, disposable, unknown
	Score  providers.Text // 0..100
}

// ParseVerifier reads an email-verifier response.
func ParseVerifier(body []byte) (Verification, error) {
	var resp struct {
		Data struct {
			Status providers.Text `json:"status"`
			Result providers.Text `json:"result"`
			Score  providers.Text `json:"score"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return Verification{}, fmt.Errorf("decoding hunter verification: %w", err)
	}
	status := string(resp.Data.Status)
	if status == "" {
		status = string(resp.Data.Result)
	}
	return Verification{Status: status, Score: resp.Data.Score}, nil
}

// ParseFinder reads an email-finder response as a domain-search entry (Value is "" when
// nothing was found).
func ParseFinder(body []byte) (Entry, error) {
	var resp struct {
		Data struct {
			FirstName    providers.Text `json:"first_name"`
			LastName     providers.Text `json:"last_name"`
			Email        providers.Text `json:"email"`
			Score        providers.Text `json:"score"`
			Domain       providers.Text `json:"domain"`
			Position     providers.Text `json:"position"`
			LinkedIn     providers.Text `json:"linkedin_url"`
			Phone        providers.Text `json:"phone_number"`
			Company      providers.Text `json:"company"`
			Verification struct {
				Status providers.Text `json:"status"`
			} `json:"verification"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return Entry{}, fmt.Errorf("decoding hunter email finder: %w", err)
	}
	d := resp.Data
	e := Entry{Value: string(d.Email), Confidence: d.Score, FirstName: string(d.FirstName),
		LastName: string(d.LastName), Position: string(d.Position), LinkedIn: string(d.LinkedIn),
		PhoneNumber: string(d.Phone), Domain: string(d.Domain), Company: string(d.Company)}
	e.Verification.Status = string(d.Verification.Status)
	return e, nil
}
