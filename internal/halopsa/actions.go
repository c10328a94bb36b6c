package halopsa

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// Action is a note, e-mail or call logged on a ticket (schema Actions). HaloPSA refuses an action
// without an outcome ("An Outcome must be entered for this Action"): set Outcome or OutcomeID.
type Action struct {
	ID             ID      `json:"id,omitempty"`
	TicketID       ID      `json:"ticket_id,omitempty"`
	Outcome        string  `json:"outcome,omitempty"`
	OutcomeID      ID      `json:"outcome_id,omitempty"`
	Note           string  `json:"note,omitempty"`
	NoteHTML       string  `json:"note_html,omitempty"`
	HiddenFromUser *bool   `json:"hiddenfromuser,omitempty"`
	NewStatus      ID      `json:"new_status,omitempty"`
	EmailSubject   string  `json:"emailsubject,omitempty"`
	TimeTaken      float64 `json:"timetaken,omitempty"`
	WhoAgentID     ID      `json:"who_agentid,omitempty"`
	DateTime       Time    `json:"datetime,omitzero"`
}

// ErrMissingOutcome is returned when an action to create has neither Outcome nor OutcomeID.
var ErrMissingOutcome = fmt.Errorf("%w: an action needs an outcome", ErrValidation)

// Actions lists a ticket's actions. HaloPSA requires ticket_id on this route and does not page
// it; the rows must add up to record_count.
func (c *Client) Actions(ctx context.Context, ticketID ID) ([]Action, error) {
	q := url.Values{"ticket_id": {strconv.Itoa(int(ticketID))}}
	return listAll[Action](ctx, c, "/Actions", q, "actions")
}

// Action reads one action of a ticket.
func (c *Client) Action(ctx context.Context, ticketID, id ID) (Action, error) {
	var a Action
	q := url.Values{"ticket_id": {strconv.Itoa(int(ticketID))}, "includedetails": {"true"}}
	if err := c.get(ctx, idRoute("/Actions", id), q, &a); err != nil {
		return Action{}, fmt.Errorf("reading action %d of ticket %d: %w", id, ticketID, err)
	}
	return a, nil
}

// SaveActions creates or updates actions (see save.go). Every action to create needs an
// outcome and a ticket. Natural key: ticket_id + outcome + note.
func (c *Client) SaveActions(ctx context.Context, actions []Action) ([]Action, error) {
	for i, a := range actions {
		if a.ID == 0 && a.Outcome == "" && a.OutcomeID == 0 {
			return nil, fmt.Errorf("saving actions: item %d: %w", i, ErrMissingOutcome)
		}
	}
	return saveAll(ctx, c, actionBulk, actions)
}

var actionBulk = bulk[Action]{
	route: "/Actions", what: "actions",
	id: func(a *Action) *ID { return &a.ID },
	key: func(a Action) string {
		return strings.TrimSpace(a.Note) + "\x00" + strings.TrimSpace(a.NoteHTML)
	},
	same: func(in, got Action) bool {
		return sameID(in.TicketID, got.TicketID) && sameID(in.OutcomeID, got.OutcomeID) &&
			(in.Outcome == "" || got.Outcome == "" || strings.EqualFold(in.Outcome, got.Outcome))
	},
	find:    findActions,
	isolate: true,
}

// findActions reads the actions of every ticket the pending actions belong to.
func findActions(ctx context.Context, c *Client, pending []Action) iter.Seq2[Action, error] {
	return func(yield func(Action, error) bool) {
		seen := map[ID]bool{}
		for _, p := range pending {
			if seen[p.TicketID] {
				continue
			}
			seen[p.TicketID] = true
			rows, err := c.Actions(ctx, p.TicketID)
			for a, err := range sliceSeq(rows, err) {
				if a.TicketID == 0 {
					a.TicketID = p.TicketID
				}
				if !yield(a, err) || err != nil {
					return
				}
			}
		}
	}
}

// DeleteAction deletes one action of a ticket (erasure: a note may name the person).
func (c *Client) DeleteAction(ctx context.Context, ticketID, id ID) error {
	// DELETE /Actions/{id} takes the id alone (Halo's OpenAPI file); the ticket names the error.
	if err := c.del(ctx, idRoute("/Actions", id), nil); err != nil {
		return fmt.Errorf("deleting action %d of ticket %d: %w", id, ticketID, err)
	}
	return nil
}
