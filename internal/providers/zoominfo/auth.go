package zoominfo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"haloleads/internal/providers"
)

// authorize adds a Bearer JWT, authenticating first when there is none or it is about to
// expire.
func (c *Client) authorize(ctx context.Context, r *http.Request) error {
	tok, err := c.token(ctx)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// token returns the cached JWT, renewing it RefreshMargin before it expires.
func (c *Client) token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.jwt != "" && c.now().Before(c.renewAt) {
		return c.jwt, nil
	}
	var resp struct {
		JWT string `json:"jwt"`
	}
	req := providers.Request{Op: opAuthenticate, Method: http.MethodPost, Path: "/authenticate",
		Body: map[string]string{"username": c.cfg.Username, "password": c.cfg.Password}}
	if _, err := c.auth.Do(ctx, req, &resp); err != nil {
		return "", fmt.Errorf("authenticating with zoominfo: %w", err)
	}
	if resp.JWT == "" {
		return "", fmt.Errorf("authenticating with zoominfo: the response has no jwt")
	}
	c.jwt, c.renewAt = resp.JWT, c.renewal(resp.JWT)
	c.logins++
	return c.jwt, nil
}

// renewal is when to renew tok: RefreshMargin before its exp claim, or TokenLifetime minus the
// margin after now when the token carries no readable exp.
func (c *Client) renewal(tok string) time.Time {
	if exp, ok := JWTExpiry(tok); ok {
		return exp.Add(-c.cfg.RefreshMargin)
	}
	return c.now().Add(DefaultTokenLifetime - c.cfg.RefreshMargin)
}

// forget drops the cached token after the API refused it.
func (c *Client) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jwt = ""
}

// JWTExpiry reads the exp claim of a JWT without verifying it (the client only needs to know
// when to renew; ZoomInfo verifies).
func JWTExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false
	}
	exp, err := claims.Exp.Int64()
	if err != nil || exp <= 0 {
		return time.Time{}, false
	}
	return time.Unix(exp, 0), true
}
