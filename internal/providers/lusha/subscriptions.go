package lusha

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"haloleads/internal/providers"
)

// Subscription is a Lusha webhook subscription.
type Subscription struct {
	ID          string    `json:"id"`
	EntityType  string    `json:"entityType"`
	EntityID    string    `json:"entityId"`
	SignalTypes []string  `json:"signalTypes"`
	URL         string    `json:"url"`
	Name        string    `json:"name"`
	IsActive    bool      `json:"isActive"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Pagination is a subscription list's position.
type Pagination struct {
	Total   int  `json:"total"`
	Limit   int  `json:"limit"`
	Offset  int  `json:"offset"`
	HasMore bool `json:"hasMore"`
}

// CreateOptOutSubscription asks Lusha to POST every contact opt-out to url. An account has one
// opt-out subscription: a second attempt is refused with a 403 *providers.APIError.
func (c *Client) CreateOptOutSubscription(ctx context.Context, url, name string) (Subscription, error) {
	var sub Subscription
	req := providers.Request{Op: opCreateOptOut, Method: http.MethodPost, Path: "/api/subscriptions/opt-out",
		Body: map[string]string{"entityType": "contact", "url": url, "name": name}}
	if _, err := c.do.Do(ctx, req, &sub); err != nil {
		return Subscription{}, fmt.Errorf("creating the lusha opt-out subscription: %w", err)
	}
	return sub, nil
}

// ListSubscriptions returns one page of the account's subscriptions (limit 0: Lusha's default).
func (c *Client) ListSubscriptions(ctx context.Context, limit, offset int) ([]Subscription, Pagination, error) {
	q := url.Values{"offset": {strconv.Itoa(offset)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var resp struct {
		Data       []Subscription `json:"data"`
		Pagination Pagination     `json:"pagination"`
	}
	req := providers.Request{Op: opSubscriptions, Method: http.MethodGet, Path: "/api/subscriptions", Query: q}
	if _, err := c.do.Do(ctx, req, &resp); err != nil {
		return nil, Pagination{}, fmt.Errorf("listing lusha subscriptions: %w", err)
	}
	return resp.Data, resp.Pagination, nil
}
