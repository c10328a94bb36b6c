package halopsa

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"
)

// Ticket is a HaloPSA ticket (schema Faults). Leads, prospects and opportunities are tickets of
// their own ticket types; opportunity data lives in the Opp* fields. Only fields of the schema
// appear here; empty fields are left out of request bodies.
type Ticket struct {
	ID           ID     `json:"id,omitempty"`
	Summary      string `json:"summary,omitempty"`
	Details      string `json:"details,omitempty"`
	DetailsHTML  string `json:"details_html,omitempty"`
	TicketTypeID ID     `json:"tickettype_id,omitempty"`
	StatusID     ID     `json:"status_id,omitempty"`
	PriorityID   ID     `json:"priority_id,omitempty"`
	ClientID     ID     `json:"client_id,omitempty"`
	ClientName   string `json:"client_name,omitempty"`
	SiteID       ID     `json:"site_id,omitempty"`
	SiteName     string `json:"site_name,omitempty"`
	UserID       ID     `json:"user_id,omitempty"`
	UserName     string `json:"user_name,omitempty"`
	UserEmail    string `json:"user_email,omitempty"`
	ReportedBy   string `json:"reportedby,omitempty"`
	AgentID      ID     `json:"agent_id,omitempty"`
	Team         string `json:"team,omitempty"`
	Category1    string `json:"category_1,omitempty"`
	DateOccurred Time   `json:"dateoccurred,omitzero"`
	DateCreated  Time   `json:"datecreated,omitzero"`
	DateClosed   Time   `json:"dateclosed,omitzero"`
	LastUpdate   Time   `json:"last_update,omitzero"`
	// MergedIntoID is the ticket this one was merged into (0 when it was not merged).
	MergedIntoID ID            `json:"merged_into_id,omitempty"`
	Inactive     *bool         `json:"inactive,omitempty"`
	CustomFields []CustomField `json:"customfields,omitempty"`
	Tags         []Tag         `json:"tags,omitempty"`

	IsOpportunity            *bool   `json:"is_opportunity,omitempty"`
	OppCompanyName           string  `json:"oppcompanyname,omitempty"`
	OppContactName           string  `json:"oppcontactname,omitempty"`
	OppEmailAddress          string  `json:"oppemailaddress,omitempty"`
	OppTel                   string  `json:"opptel,omitempty"`
	OppJobTitle              string  `json:"oppjobtitle,omitempty"`
	OppType                  string  `json:"opptype,omitempty"`
	OppHear                  string  `json:"opphear,omitempty"`
	OppValue                 float64 `json:"oppvalue,omitempty"`
	OppConversionProbability float64 `json:"oppconversionprobability,omitempty"`
	OppConvertedDate         Time    `json:"oppconverteddate,omitzero"`
	OppClosureCategory       ID      `json:"oppclosurecategory,omitempty"`
	OppReason                string  `json:"oppreason,omitempty"`
	OppCompetitors           string  `json:"oppcompetitors,omitempty"`
}

// TicketQuery filters Tickets. Zero fields do not filter.
type TicketQuery struct {
	TicketTypeID  ID // sent as requesttype_id (there is no tickettype_id filter on /Tickets)
	ClientID      ID
	SiteID        ID
	UserID        ID
	StatusID      ID
	Search        string
	SearchSummary string
	OpenOnly      bool
	NewestFirst   bool // order by descending id
	// UpdatedSince lists only tickets changed at or after it (lastupdatefromdate).
	UpdatedSince time.Time
}

func (q TicketQuery) values() url.Values {
	v := url.Values{}
	setSince(v, q.UpdatedSince)
	setID(v, "requesttype_id", q.TicketTypeID)
	setID(v, "client_id", q.ClientID)
	setID(v, "site_id", q.SiteID)
	setID(v, "user_id", q.UserID)
	setID(v, "status_id", q.StatusID)
	setString(v, "search", q.Search)
	setString(v, "search_summary", q.SearchSummary)
	setBool(v, "open_only", q.OpenOnly)
	setNewestFirst(v, q.NewestFirst)
	return v
}

// Tickets lists tickets page by page (list rows carry no custom fields: use Ticket for those).
func (c *Client) Tickets(ctx context.Context, q TicketQuery) iter.Seq2[Ticket, error] {
	return listPaged[Ticket](ctx, c, "/Tickets", "tickets", q.values())
}

// Ticket reads one ticket with its details and custom fields.
func (c *Client) Ticket(ctx context.Context, id ID) (Ticket, error) {
	var t Ticket
	if err := c.get(ctx, idRoute("/Tickets", id), url.Values{"includedetails": {"true"}}, &t); err != nil {
		return Ticket{}, fmt.Errorf("reading ticket %d: %w", id, err)
	}
	return t, nil
}

// SaveTickets creates or partially updates tickets (see the bulk-saving notes in save.go) and
// returns them in input order with their ids. Natural key: user_id + tickettype_id + summary.
func (c *Client) SaveTickets(ctx context.Context, tickets []Ticket) ([]Ticket, error) {
	return saveAll(ctx, c, ticketBulk, tickets)
}

// UpsertTickets is SaveTickets after looking every id-less ticket up by natural key.
func (c *Client) UpsertTickets(ctx context.Context, tickets []Ticket) ([]Ticket, error) {
	return upsertAll(ctx, c, ticketBulk, tickets)
}

// DeleteTicket deletes a ticket, recording reason.
func (c *Client) DeleteTicket(ctx context.Context, id ID, reason string) error {
	q := url.Values{}
	setString(q, "reason", reason)
	if err := c.del(ctx, idRoute("/Tickets", id), q); err != nil {
		return fmt.Errorf("deleting ticket %d: %w", id, err)
	}
	return nil
}

var ticketBulk = bulk[Ticket]{
	route: "/Tickets", what: "tickets",
	id:  func(t *Ticket) *ID { return &t.ID },
	key: func(t Ticket) string { return strings.TrimSpace(t.Summary) },
	same: func(in, got Ticket) bool {
		return sameID(in.UserID, got.UserID) && sameID(in.TicketTypeID, got.TicketTypeID)
	},
	find: func(ctx context.Context, c *Client, pending []Ticket) iter.Seq2[Ticket, error] {
		return c.Tickets(ctx, TicketQuery{
			TicketTypeID: common(pending, func(t Ticket) ID { return t.TicketTypeID }),
			UserID:       common(pending, func(t Ticket) ID { return t.UserID }),
			ClientID:     common(pending, func(t Ticket) ID { return t.ClientID }),
			NewestFirst:  true,
		})
	},
	isolate: true,
}
