package halosandbox

import (
	"encoding/json"
	"fmt"
)

// AgentEditTicket changes a ticket's fields as an agent would in the Halo UI (agent UIAgentID):
// the same rules as an API update, and the same webhooks. It returns *Error when Halo would
// refuse the change.
func (s *Server) AgentEditTicket(ticketID int, fields map[string]any) error {
	return s.agentEdit("Tickets", ticketID, fields)
}

// AgentEditTicketStatus moves a ticket to another status in the Halo UI.
func (s *Server) AgentEditTicketStatus(ticketID, statusID int) error {
	return s.agentEdit("Tickets", ticketID, map[string]any{"status_id": statusID})
}

// AgentEditTicketCustomField sets one custom field of a ticket in the Halo UI (value is the
// lookup row id for dropdowns).
func (s *Server) AgentEditTicketCustomField(ticketID, fieldID int, value any) error {
	return s.agentEdit("Tickets", ticketID, map[string]any{
		"customfields": []any{map[string]any{"id": fieldID, "value": value}},
	})
}

// AgentMergeTicket merges a ticket into another in the Halo UI: the merged ticket records the
// survivor (merged_into_id) and is closed. That HaloPSA closes the merged ticket is UNCONFIRMED.
func (s *Server) AgentMergeTicket(ticketID, intoID int) error {
	return s.agentEdit("Tickets", ticketID, map[string]any{"merged_into_id": intoID, "status_id": ClosedStatusID})
}

// AgentEditUser changes a user's fields in the Halo UI.
func (s *Server) AgentEditUser(userID int, fields map[string]any) error {
	return s.agentEdit("Users", userID, fields)
}

// agentEdit applies a UI edit through the API's update path and fires its webhooks.
func (s *Server) agentEdit(resName string, id int, fields map[string]any) error {
	item, err := normalise(fields)
	if err != nil {
		return fmt.Errorf("agent edit of %s %d: %w", resName, id, err)
	}
	item["id"] = num(id)
	_, ds, err := s.upsert(s.resource([]string{resName}), []Record{item}, UIAgentID)
	if err != nil {
		return fmt.Errorf("agent edit of %s %d: %w", resName, id, err)
	}
	s.deliver(ds)
	return nil
}

// normalise turns Go values into the decoded-JSON form records hold.
func normalise(fields map[string]any) (Record, error) {
	data, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("encoding fields: %w", err)
	}
	items, err := ParsePostBody(append(append([]byte("["), data...), ']'))
	if err != nil {
		return nil, err
	}
	return items[0], nil
}

// snapshot returns detail copies of a store's records, in id order.
func (s *Server) snapshot(resName string) []Record {
	res := s.resource([]string{resName})
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.st.coll(res.store).Items
	out := make([]Record, 0, len(items))
	for _, rec := range items {
		out = append(out, s.render(res, rec, true))
	}
	return out
}

// Tickets returns every ticket (opportunities included) as detail objects.
func (s *Server) Tickets() []Record { return s.snapshot("Tickets") }

// Users returns every user as detail objects.
func (s *Server) Users() []Record { return s.snapshot("Users") }

// Customers returns every client (Halo's "Client" resource) as detail objects.
func (s *Server) Customers() []Record { return s.snapshot("Client") }

// Sites returns every site as detail objects.
func (s *Server) Sites() []Record { return s.snapshot("Site") }

// Actions returns every action as detail objects.
func (s *Server) Actions() []Record { return s.snapshot("Actions") }

// Statuses returns every ticket status.
func (s *Server) Statuses() []Record { return s.snapshot("Status") }

// FieldInfos returns every custom-field definition.
func (s *Server) FieldInfos() []Record { return s.snapshot("FieldInfo") }
