package apollo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"haloleads/internal/providers"
)

// Operations of the opt-out side.
const (
	opContactSearch = "contacts/search"
	opUpdateStages  = "contacts/update_stages"
	opRemoveOrStop  = "emailer_campaigns/remove_or_stop_contact_ids"
	// DoNotContactStage is the name of Apollo's default stage for people who must not be
	// contacted (category "failed").
	DoNotContactStage = "Do Not Contact"
)

// Contact is a saved contact of the team, as contacts/search returns it.
type Contact struct {
	ID          string   `json:"id"`
	PersonID    string   `json:"person_id"`
	Email       string   `json:"email"`
	StageID     string   `json:"contact_stage_id"`
	SequenceIDs []string `json:"emailer_campaign_ids"`
}

var _ providers.OptOuter = (*Client)(nil)

// FindContacts returns the team's saved contacts whose address is email (Apollo matches the
// keywords; the address is compared again here).
func (c *Client) FindContacts(ctx context.Context, email string) ([]Contact, error) {
	var resp struct {
		Contacts []Contact `json:"contacts"`
	}
	req := providers.Request{Op: opContactSearch, Method: http.MethodPost, Path: "/contacts/search",
		Body: map[string]any{"q_keywords": email, "page": 1, "per_page": 100}}
	if _, err := c.do.Do(ctx, req, &resp); err != nil {
		return nil, fmt.Errorf("searching apollo contacts: %w", err)
	}
	var out []Contact
	for _, ct := range resp.Contacts {
		if strings.EqualFold(ct.Email, email) {
			out = append(out, ct)
		}
	}
	return out, nil
}

// UpdateStages moves contacts to a stage.
func (c *Client) UpdateStages(ctx context.Context, stageID string, contactIDs ...string) error {
	q := url.Values{"contact_ids[]": contactIDs, "contact_stage_id": {stageID}}
	req := providers.Request{Op: opUpdateStages, Method: http.MethodPost, Path: "/contacts/update_stages", Query: q}
	if _, err := c.do.Do(ctx, req, nil); err != nil {
		return fmt.Errorf("moving apollo contacts to a stage: %w", err)
	}
	return nil
}

// RemoveFromSequences removes contacts from sequences (mode "remove": no further step runs).
func (c *Client) RemoveFromSequences(ctx context.Context, sequenceIDs, contactIDs []string) error {
	q := url.Values{"emailer_campaign_ids[]": sequenceIDs, "contact_ids[]": contactIDs, "mode": {"remove"}}
	req := providers.Request{Op: opRemoveOrStop, Method: http.MethodPost, Path: "/emailer_campaigns/remove_or_stop_contact_ids", Query: q}
	if _, err := c.do.Do(ctx, req, nil); err != nil {
		return fmt.Errorf("removing apollo contacts from sequences: %w", err)
	}
	return nil
}

// OptOut moves the person's saved contacts to the Do Not Contact stage and removes them from
// every sequence they are in. Apollo has no suppression list; this is its real mechanism.
func (c *Client) OptOut(ctx context.Context, email string) (providers.OptOutResult, error) {
	contacts, err := c.FindContacts(ctx, email)
	if err != nil || len(contacts) == 0 {
		return providers.OptOutResult{Outcome: "Apollo.io: no saved contact with this address"}, err
	}
	stages, err := c.ContactStages(ctx)
	if err != nil {
		return providers.OptOutResult{}, err
	}
	stageID := ""
	for _, s := range stages {
		if strings.EqualFold(s.Name, DoNotContactStage) {
			stageID = s.ID
		}
	}
	if stageID == "" {
		return providers.OptOutResult{}, fmt.Errorf("apollo has no %q contact stage", DoNotContactStage)
	}
	var ids, seqs, people []string
	for _, ct := range contacts {
		ids = append(ids, ct.ID)
		seqs = append(seqs, ct.SequenceIDs...)
		if ct.PersonID != "" {
			people = append(people, ct.PersonID)
		}
	}
	if err := c.UpdateStages(ctx, stageID, ids...); err != nil {
		return providers.OptOutResult{}, err
	}
	if len(seqs) > 0 {
		if err := c.RemoveFromSequences(ctx, seqs, ids); err != nil {
			return providers.OptOutResult{}, err
		}
	}
	return providers.OptOutResult{PersonIDs: people, Outcome: fmt.Sprintf(
		"Apollo.io: %d saved contact(s) moved to the Do Not Contact stage, removed from %d sequence(s)", len(ids), len(seqs))}, nil
}
