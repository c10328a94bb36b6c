// Package lifecycle holds the Lead → Prospect → Opportunity rules as plain Go: the statuses and
// their graph, the data each status requires, how status changes made by people in HaloPSA are
// judged, how call outcomes move a lead, the segments and lists a lead belongs to, and which
// fields a re-import may change. The lead workflow calls these functions; nothing here does I/O,
// reads a clock or depends on map order, so every function is safe to call from workflow code.
//
// # The graph
//
//	Lead:        New Lead → Researching → Contacted → Engaged | No Interest
//	             Researching → Invalid Data
//	Prospect:    New Prospect → Prospecting → Qualified | Disqualified
//	Opportunity: New Opportunity → Progressing → Negotiation → Won | Lost
//
// Engaged → New Prospect and Qualified → New Opportunity are promotions (CheckPromote): they change
// the ticket type as well as the status, so they are not status transitions (CheckTransition).
//
// # Do Not Contact
//
// A Do-Not-Contact decision is honoured everywhere, for ever:
//
//   - Do Not Contact is reachable from every other status, terminal ones included (a person who
//     said "no interest", or whose deal was won or lost, may still ask never to be contacted; the
//     outcome stays on record in the opportunity data).
//   - Nothing leaves Do Not Contact: no transition, no promotion, no call outcome, no import.
//   - A person with an opt-out flag (Data.DoNotContact) may only be moved to Do Not Contact.
//   - A change away from Do Not Contact made in HaloPSA is always reverted, whatever
//     Config.OnViolation says.
//   - An opt-out arriving with a re-import is always written, even over a person's edit, and an
//     import never clears one.
//   - A Do-Not-Contact person is in no distribution list.
//
// The other terminal statuses (No Interest, Invalid Data, Disqualified, Won, Lost) allow no move
// except to Do Not Contact.
package lifecycle

import (
	"fmt"
	"strings"
)

// Stage is one of the three lifecycle stages; each is its own HaloPSA ticket type.
type Stage string

// The stages, in lifecycle order.
const (
	Lead        Stage = "lead"
	Prospect    Stage = "prospect"
	Opportunity Stage = "opportunity"
)

// DisplayName is the stage's name as a salesperson knows it ("Lead").
func (s Stage) DisplayName() string {
	switch s {
	case Lead:
		return "Lead"
	case Prospect:
		return "Prospect"
	case Opportunity:
		return "Opportunity"
	}
	return string(s)
}

// Status is a lifecycle status, identified by a stable id that never changes (the HaloPSA status
// name is its DisplayName).
type Status string

// Lead statuses.
const (
	NewLead      Status = "new_lead"
	Researching  Status = "researching"
	Contacted    Status = "contacted"
	Engaged      Status = "engaged"
	NoInterest   Status = "no_interest"
	DoNotContact Status = "do_not_contact"
	InvalidData  Status = "invalid_data"
)

// Prospect statuses.
const (
	NewProspect  Status = "new_prospect"
	Prospecting  Status = "prospecting"
	Qualified    Status = "qualified"
	Disqualified Status = "disqualified"
)

// Opportunity statuses.
const (
	NewOpportunity Status = "new_opportunity"
	Progressing    Status = "progressing"
	Negotiation    Status = "negotiation"
	Won            Status = "won"
	Lost           Status = "lost"
)

// statusInfo is what the package knows about one status.
type statusInfo struct {
	name     string
	stage    Stage
	terminal bool
}

// statuses lists every status in lifecycle order with its facts.
var statuses = []struct {
	id Status
	statusInfo
}{
	{NewLead, statusInfo{"New Lead", Lead, false}},
	{Researching, statusInfo{"Researching", Lead, false}},
	{Contacted, statusInfo{"Contacted", Lead, false}},
	{Engaged, statusInfo{"Engaged", Lead, false}},
	{NoInterest, statusInfo{"No Interest", Lead, true}},
	{DoNotContact, statusInfo{"Do Not Contact", Lead, true}},
	{InvalidData, statusInfo{"Invalid Data", Lead, true}},
	{NewProspect, statusInfo{"New Prospect", Prospect, false}},
	{Prospecting, statusInfo{"Prospecting", Prospect, false}},
	{Qualified, statusInfo{"Qualified", Prospect, false}},
	{Disqualified, statusInfo{"Disqualified", Prospect, true}},
	{NewOpportunity, statusInfo{"New Opportunity", Opportunity, false}},
	{Progressing, statusInfo{"Progressing", Opportunity, false}},
	{Negotiation, statusInfo{"Negotiation", Opportunity, false}},
	{Won, statusInfo{"Won", Opportunity, true}},
	{Lost, statusInfo{"Lost", Opportunity, true}},
}

// Statuses returns every status in lifecycle order (the order of the design doc).
func Statuses() []Status {
	out := make([]Status, len(statuses))
	for i, s := range statuses {
		out[i] = s.id
	}
	return out
}

// info returns the facts about s and whether s is a known status.
func (s Status) info() (statusInfo, bool) {
	for _, e := range statuses {
		if e.id == s {
			return e.statusInfo, true
		}
	}
	return statusInfo{}, false
}

// Valid reports whether s is one of the sixteen statuses.
func (s Status) Valid() bool {
	_, ok := s.info()
	return ok
}

// DisplayName is the status name a salesperson sees in HaloPSA ("New Lead"). An unknown status
// is shown quoted, as it was given.
func (s Status) DisplayName() string {
	if i, ok := s.info(); ok {
		return i.name
	}
	return fmt.Sprintf("%q", string(s))
}

// StageOf returns the stage s belongs to, or "" for an unknown status. Do Not Contact belongs to
// the Lead stage, although it is reachable from every stage.
func (s Status) StageOf() Stage {
	i, _ := s.info()
	return i.stage
}

// Terminal reports whether s ends the lifecycle: No Interest, Do Not Contact, Invalid Data,
// Disqualified, Won and Lost.
func (s Status) Terminal() bool {
	i, _ := s.info()
	return i.terminal
}

// UnknownStatusError reports a status that is neither a status id nor a display name.
type UnknownStatusError struct {
	Input string
}

func (e *UnknownStatusError) Error() string {
	in := e.Input
	if len(in) > 40 {
		in = in[:40] + "…"
	}
	return fmt.Sprintf("unknown status %q: want one of %s", in, joinNames(Statuses()))
}

// ParseStatus accepts a status id ("do_not_contact") or display name ("Do Not Contact"), in any
// case, with spaces, hyphens or underscores between the words.
func ParseStatus(s string) (Status, error) {
	key := statusKey(s)
	for _, e := range statuses {
		if string(e.id) == key {
			return e.id, nil
		}
	}
	return "", &UnknownStatusError{Input: s}
}

// statusKey folds a status spelling to the id form: lower case, words joined by single "_".
func statusKey(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '\t'
	})
	return strings.Join(words, "_")
}

// joinNames lists display names separated by commas, or "none".
func joinNames(ss []Status) string {
	if len(ss) == 0 {
		return "none"
	}
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.DisplayName()
	}
	return strings.Join(names, ", ")
}
