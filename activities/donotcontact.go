package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/providers"
	"haloleads/internal/store"
	"haloleads/internal/suppress"
)

// DoNotContactWrite makes a lead Do Not Contact in HaloPSA and in the suppression list, the same
// whichever way it started.
type DoNotContactWrite struct {
	LeadID   string          `json:"lead_id"`
	TicketID int             `json:"ticket_id"`
	UserID   int             `json:"user_id"`
	Stage    lifecycle.Stage `json:"stage"`
	Data     lifecycle.Data  `json:"data"`
	Values   lead.Values     `json:"values"`
	Quality  int             `json:"quality"`
	Fit      int             `json:"fit"`
	// Keys are the lead's identity keys; every key of Values is added to them.
	Keys   []string `json:"keys,omitempty"`
	Domain bool     `json:"domain,omitempty"`
	// Via, By, Reason and At say how, who, why and when, for the note.
	Via    string    `json:"via"`
	By     string    `json:"by,omitempty"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// MarkDoNotContact writes the one Do Not Contact state: the ticket's status Do Not Contact, the
// Do Not Contact field ticked, the do-not-contact tag (the segments recomputed), the user out of
// every distribution list, the person on the suppression list under every key, and a note saying
// who, when, how and why. Every step is idempotent, so a retry repeats it harmlessly.
func (a *Halo) MarkDoNotContact(ctx context.Context, w DoNotContactWrite) (Grouping, error) {
	keys := suppress.Merge(w.Keys, suppress.Keys(w.Values, suppress.Options{Domain: w.Domain}))
	if err := a.Store.SuppressKeys(ctx, w.LeadID, w.Reason, "haloleads:"+w.Via, keys...); err != nil {
		return Grouping{}, err
	}
	values := lead.Values{}
	for f, v := range w.Values {
		values[f] = v
	}
	values[lead.DoNotContact] = "true"
	data := w.Data
	data.DoNotContact = true
	sid, err := a.Tenant.StatusID(ctx, lifecycle.DoNotContact)
	if err != nil {
		return Grouping{}, err
	}
	t, err := a.dataTicket(ctx, w.TicketID, w.Stage, values, w.Quality, w.Fit, data)
	if err != nil {
		return Grouping{}, err
	}
	t.StatusID = sid
	g, err := a.regroup(ctx, &t, Regroup{Enabled: true, UserID: w.UserID, Lists: a.Tenant.Spec.Lists, DoNotContact: true},
		values, w.Fit, data)
	if err != nil {
		return Grouping{}, err
	}
	if _, err := a.Client.SaveTickets(ctx, []halopsa.Ticket{t}); err != nil {
		return Grouping{}, classify(fmt.Errorf("marking ticket %d Do Not Contact: %w", w.TicketID, err))
	}
	return g, a.note(ctx, w.TicketID, DoNotContactNote(w, len(keys)))
}

// DoNotContactNote is the ticket note of a Do Not Contact: who, when, how and why, and what
// haloleads did.
func DoNotContactNote(w DoNotContactWrite, keys int) string {
	by := w.By
	if by == "" {
		by = "unknown"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Do Not Contact: set by %s on %s, via %s.", by, w.At.UTC().Format("2006-01-02 15:04 MST"), viaText(w.Via))
	if w.Reason != "" {
		fmt.Fprintf(&b, "\nReason: %s", w.Reason)
	}
	fmt.Fprintf(&b, "\nhaloleads set the status to Do Not Contact, ticked the Do Not Contact field, tagged the ticket "+
		"do-not-contact, took the person out of every distribution list and put them on the suppression list "+
		"under %d keys (e-mail, phones, LinkedIn, name). Provider actions follow in a separate note.", keys)
	return b.String()
}

func viaText(via string) string {
	switch via {
	case leadflow.ViaStatus:
		return "a status change"
	case leadflow.ViaField:
		return "the Do Not Contact field in HaloPSA"
	case leadflow.ViaCall:
		return "a call outcome"
	case leadflow.ViaProvider:
		return "a provider's opt-out"
	case leadflow.ViaCLI:
		return "`starter suppress add`"
	}
	return via
}

// OptOuts holds the provider side of a Do Not Contact: each provider's real mechanism, run as
// its own retried activity on the main queue so that it never holds up the lead's HaloPSA work.
type OptOuts struct {
	// Providers are the configured provider clients (those without credentials are absent).
	Providers map[lead.Source]providers.Provider
	// Store receives the provider ids of the person (suppress.ProviderKey), so pulls skip them.
	Store  *store.Store
	Logger *zap.Logger
}

// ProviderOptOut asks one provider to act on a person's opt-out.
type ProviderOptOut struct {
	LeadID   string      `json:"lead_id"`
	Provider lead.Source `json:"provider"`
	Email    string      `json:"email"`
}

// OptOutProviders are the providers with an opt-out mechanism haloleads can call.
var OptOutProviders = []lead.Source{lead.Apollo, lead.Hunter}

// ProviderOptOut runs one provider's opt-out mechanism and returns its outcome in one sentence.
// A provider without credentials answers that nothing was sent.
func (a *OptOuts) ProviderOptOut(ctx context.Context, r ProviderOptOut) (string, error) {
	p, ok := a.Providers[r.Provider]
	if !ok {
		return fmt.Sprintf("%s: no API key configured; nothing sent", r.Provider.DisplayName()), nil
	}
	o, ok := p.(providers.OptOuter)
	if !ok {
		return fmt.Sprintf("%s: no opt-out mechanism in its API", r.Provider.DisplayName()), nil
	}
	out, err := o.OptOut(ctx, r.Email)
	if err != nil {
		return "", providerError(err)
	}
	if len(out.PersonIDs) > 0 && a.Store != nil {
		keys := make([]string, len(out.PersonIDs))
		for i, id := range out.PersonIDs {
			keys[i] = suppress.ProviderKey(r.Provider, id)
		}
		if err := a.Store.SuppressKeys(ctx, r.LeadID, "the provider's id of a Do-Not-Contact person", "haloleads:"+string(r.Provider), keys...); err != nil {
			return "", err
		}
	}
	if a.Logger != nil {
		a.Logger.Info("provider opt-out done", zap.String("lead", r.LeadID), zap.String("provider", string(r.Provider)))
	}
	return out.Outcome, nil
}

// ManualOptOuts are the outcome lines of the providers with no API for opt-outs.
func ManualOptOuts() []string {
	return []string{
		"ZoomInfo: no API accepts suppressions; the person is in `starter suppress export --provider zoominfo` for ZoomInfo's UI",
		"UpLead: no API accepts suppressions; the person is in `starter suppress export --provider uplead` for UpLead's exclusion list",
		"Lusha: sends opt-outs (webhook), accepts none; nothing to send",
	}
}
