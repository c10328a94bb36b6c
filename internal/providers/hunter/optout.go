package hunter

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"haloleads/internal/providers"
)

// Operations of the opt-out side.
const (
	opLeads      = "leads"
	opDeleteLead = "leads/{id}"
)

// Lead is a lead saved in the Hunter account.
type Lead struct {
	ID    int    `json:"id"`
	Email string `json:"email"`
}

var _ providers.OptOuter = (*Client)(nil)

// FindLeads returns the account's leads with the e-mail address.
func (c *Client) FindLeads(ctx context.Context, email string) ([]Lead, error) {
	var resp struct {
		Data struct {
			Leads []Lead `json:"leads"`
		} `json:"data"`
	}
	req := providers.Request{Op: opLeads, Method: http.MethodGet, Path: "/leads", Query: url.Values{"email": {email}}}
	if _, err := c.do.Do(ctx, req, &resp); err != nil {
		return nil, fmt.Errorf("listing hunter leads: %w", err)
	}
	var out []Lead
	for _, l := range resp.Data.Leads {
		if strings.EqualFold(l.Email, email) {
			out = append(out, l)
		}
	}
	return out, nil
}

// DeleteLead deletes a saved lead; a lead already gone counts as deleted.
func (c *Client) DeleteLead(ctx context.Context, id int) error {
	req := providers.Request{Op: opDeleteLead, Method: http.MethodDelete, Path: "/leads/" + strconv.Itoa(id)}
	if _, err := c.do.Do(ctx, req, nil); err != nil {
		if ae := providers.AsAPIError(err); ae != nil && ae.StatusCode == http.StatusNotFound {
			return nil
		}
		return fmt.Errorf("deleting hunter lead %d: %w", id, err)
	}
	return nil
}

// OptOut deletes the person's saved leads. Hunter has no suppression API (its unsubscriptions
// list is UI only); deleting the lead is its real mechanism.
func (c *Client) OptOut(ctx context.Context, email string) (providers.OptOutResult, error) {
	leads, err := c.FindLeads(ctx, email)
	if err != nil || len(leads) == 0 {
		return providers.OptOutResult{Outcome: "Hunter.io: no saved lead with this address"}, err
	}
	for _, l := range leads {
		if err := c.DeleteLead(ctx, l.ID); err != nil {
			return providers.OptOutResult{}, err
		}
	}
	return providers.OptOutResult{Outcome: fmt.Sprintf("Hunter.io: %d saved lead(s) deleted", len(leads))}, nil
}
