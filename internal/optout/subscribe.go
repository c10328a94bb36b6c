package optout

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"haloleads/internal/providers/lusha"
)

// LushaURL is where Lusha should deliver opt-outs: the scheme and host of the receiver's
// public URL (WEBHOOK_PUBLIC_URL) with LushaPath.
func LushaURL(publicURL string) (string, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("WEBHOOK_PUBLIC_URL %q is not an absolute URL", publicURL)
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: LushaPath}).String(), nil
}

// EnsureLushaSubscription makes sure the Lusha account's opt-out subscription delivers to
// target, creating it when there is none (unless check). An account has one opt-out
// subscription: one to another URL is reported, not replaced. It says what it found or did.
func EnsureLushaSubscription(ctx context.Context, c *lusha.Client, target string, check bool) (string, error) {
	for offset := 0; ; {
		subs, page, err := c.ListSubscriptions(ctx, 0, offset)
		if err != nil {
			return "", err
		}
		for _, s := range subs {
			if !slices.Contains(s.SignalTypes, "optOut") {
				continue
			}
			if s.URL == target {
				return "Lusha opt-out webhook: subscribed to " + target, nil
			}
			return "", fmt.Errorf("the Lusha account's opt-out subscription delivers to %s, not %s: delete it in Lusha (one per account), then run setup again", s.URL, target)
		}
		if !page.HasMore || len(subs) == 0 {
			break
		}
		offset += len(subs)
	}
	if check {
		return "Lusha opt-out webhook: would subscribe " + target, nil
	}
	if _, err := c.CreateOptOutSubscription(ctx, target, "haloleads opt-outs"); err != nil {
		return "", err
	}
	return "Lusha opt-out webhook: subscribed " + target, nil
}
