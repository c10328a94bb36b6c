package halopsa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
)

// TicketType is a ticket type (schema RequestType; HaloPSA calls ticket types "request types").
type TicketType struct {
	ID                ID                 `json:"id,omitempty"`
	Name              string             `json:"name,omitempty"`
	Visible           *bool              `json:"visible,omitempty"`
	AgentsCanSelect   *bool              `json:"agentscanselect,omitempty"`
	EndUsersCanSelect *bool              `json:"enduserscanselect,omitempty"`
	InitialStatus     ID                 `json:"initial_status,omitempty"`
	AllowAllStatus    *bool              `json:"allowall_status,omitempty"`
	AllowedStatus     []TicketTypeStatus `json:"allowed_status,omitempty"`
	Fields            []TicketTypeField  `json:"fields,omitempty"`
}

// TicketTypeStatus allows a status on a ticket type (schema RequestTypeStatus).
type TicketTypeStatus struct {
	TicketTypeID ID     `json:"ticketype_id,omitempty"` // sic: HaloPSA's spelling
	StatusID     ID     `json:"status_id"`
	StatusName   string `json:"status_name,omitempty"`
}

// TicketTypeField shows a field on a ticket type (schema RequestTypeField): a custom field by
// FieldID, or a native field of the ticket by FieldName (FieldID 0). TechNew is how the field
// behaves when an agent logs a new ticket of the type (TechNewMandatory: it must be filled);
// it is kept as read, so that set-up never drops an administrator's setting.
type TicketTypeField struct {
	ID        ID     `json:"id,omitempty"`
	FieldID   ID     `json:"fieldid"`
	FieldName string `json:"fieldname,omitempty"`
	TechNew   *int   `json:"technew,omitempty"`
	Mandatory *bool  `json:"mandatory,omitempty"`
}

// TechNewMandatory is the RequestTypeField.technew code of a field that must be filled when a
// ticket of the type is created (UNCONFIRMED: inferred; the swagger types technew as an integer
// without naming its codes).
const TechNewMandatory = 2

// IsMandatory reports whether the entry makes its field mandatory on new tickets of the type.
func (f TicketTypeField) IsMandatory() bool {
	return f.TechNew != nil && *f.TechNew == TechNewMandatory || f.Mandatory != nil && *f.Mandatory
}

// TicketTypes lists every ticket type (showall=true, so inactive ones count too).
func (c *Client) TicketTypes(ctx context.Context) ([]TicketType, error) {
	return listAll[TicketType](ctx, c, "/TicketType", url.Values{"showall": {"true"}}, "tickettypes")
}

// TicketType reads one ticket type with its allowed statuses and fields.
func (c *Client) TicketType(ctx context.Context, id ID) (TicketType, error) {
	var t TicketType
	if err := c.get(ctx, idRoute("/TicketType", id), url.Values{"includedetails": {"true"}}, &t); err != nil {
		return TicketType{}, fmt.Errorf("reading ticket type %d: %w", id, err)
	}
	return t, nil
}

// SaveTicketTypes creates or updates ticket types. Natural key: name.
func (c *Client) SaveTicketTypes(ctx context.Context, types []TicketType) ([]TicketType, error) {
	return saveAll(ctx, c, ticketTypeBulk, types)
}

var ticketTypeBulk = bulk[TicketType]{
	route: "/TicketType", what: "ticket types",
	id:  func(t *TicketType) *ID { return &t.ID },
	key: func(t TicketType) string { return fold(t.Name) },
	find: func(ctx context.Context, c *Client, _ []TicketType) iter.Seq2[TicketType, error] {
		return sliceSeq(c.TicketTypes(ctx))
	},
}

// Status is a ticket status (schema TStatus).
type Status struct {
	ID        ID     `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	ShortName string `json:"shortname,omitempty"`
	Type      int    `json:"type,omitempty"`
	Sequence  int    `json:"sequence,omitempty"`
	Colour    string `json:"colour,omitempty"`
}

// StatusQuery filters Statuses.
type StatusQuery struct {
	TicketTypeID ID // statuses allowed on this ticket type
}

// Statuses lists statuses (showall=true).
func (c *Client) Statuses(ctx context.Context, q StatusQuery) ([]Status, error) {
	v := url.Values{"showall": {"true"}}
	setID(v, "tickettype_id", q.TicketTypeID)
	return listAll[Status](ctx, c, "/Status", v, "statuses")
}

// SaveStatuses creates or updates statuses. Natural key: name.
func (c *Client) SaveStatuses(ctx context.Context, statuses []Status) ([]Status, error) {
	return saveAll(ctx, c, statusBulk, statuses)
}

var statusBulk = bulk[Status]{
	route: "/Status", what: "statuses",
	id:  func(s *Status) *ID { return &s.ID },
	key: func(s Status) string { return fold(s.Name) },
	find: func(ctx context.Context, c *Client, _ []Status) iter.Seq2[Status, error] {
		return sliceSeq(c.Statuses(ctx, StatusQuery{}))
	},
}

// Tag is a ticket tag (schema Tag). haloleads segments leads with tags.
type Tag struct {
	ID   ID     `json:"id,omitempty"`
	Text string `json:"text,omitempty"`
}

// Tags lists every tag.
func (c *Client) Tags(ctx context.Context) ([]Tag, error) {
	return listAll[Tag](ctx, c, "/Tags", nil, "tags")
}

// SaveTags creates or updates tags. Natural key: text (case-insensitive).
func (c *Client) SaveTags(ctx context.Context, tags []Tag) ([]Tag, error) {
	return saveAll(ctx, c, tagBulk, tags)
}

var tagBulk = bulk[Tag]{
	route: "/Tags", what: "tags",
	id:  func(t *Tag) *ID { return &t.ID },
	key: func(t Tag) string { return fold(t.Text) },
	find: func(ctx context.Context, c *Client, _ []Tag) iter.Seq2[Tag, error] {
		return sliceSeq(c.Tags(ctx))
	},
}

// DistributionList is an e-mail distribution list (schema DistributionLists); haloleads keeps
// one per segment. Members are added with AddTheseUsers and removed with RemoveTheseUsers.
type DistributionList struct {
	ID               ID                       `json:"id,omitempty"`
	Name             string                   `json:"name,omitempty"`
	Description      string                   `json:"desc,omitempty"`
	Members          []DistributionListMember `json:"members,omitempty"`
	UsersCount       int                      `json:"users_count,omitempty"`
	AddTheseUsers    []UserRef                `json:"addtheseusers,omitempty"`
	RemoveTheseUsers []UserRef                `json:"removetheseusers,omitempty"`
}

// DistributionListMember is one member of a list (schema DistributionListsUser).
type DistributionListMember struct {
	ID     ID     `json:"id,omitempty"`
	UserID ID     `json:"user_id,omitempty"`
	Email  string `json:"email,omitempty"`
}

// UserRef names a user by id inside another record's body.
type UserRef struct {
	ID ID `json:"id"`
}

// DistributionLists lists every distribution list.
func (c *Client) DistributionLists(ctx context.Context) ([]DistributionList, error) {
	return listAll[DistributionList](ctx, c, "/DistributionLists", nil, "distributionlists", "lists")
}

// DistributionList reads one list with its members.
func (c *Client) DistributionList(ctx context.Context, id ID) (DistributionList, error) {
	var d DistributionList
	if err := c.get(ctx, idRoute("/DistributionLists", id), nil, &d); err != nil {
		return DistributionList{}, fmt.Errorf("reading distribution list %d: %w", id, err)
	}
	return d, nil
}

// SaveDistributionLists creates or updates lists (members via AddTheseUsers and
// RemoveTheseUsers). Natural key: name (case-insensitive).
func (c *Client) SaveDistributionLists(ctx context.Context, lists []DistributionList) ([]DistributionList, error) {
	return saveAll(ctx, c, distributionListBulk, lists)
}

var distributionListBulk = bulk[DistributionList]{
	route: "/DistributionLists", what: "distribution lists",
	id:  func(d *DistributionList) *ID { return &d.ID },
	key: func(d DistributionList) string { return fold(d.Name) },
	find: func(ctx context.Context, c *Client, _ []DistributionList) iter.Seq2[DistributionList, error] {
		return sliceSeq(c.DistributionLists(ctx))
	},
}

// Webhook authentication types (Webhook.authentication_type).
const (
	WebhookAuthNone  = 0
	WebhookAuthBasic = 1
)

// Webhook payload types (Webhook.payload_type), in the order HaloPSA's guide lists them: the
// small object (key fields), the full object with linked objects, event information only (the
// object id and event name, v2.214.1+) and a custom payload. The numeric codes are UNCONFIRMED
// (inferred from that order).
const (
	WebhookPayloadSmall     = 0
	WebhookPayloadFull      = 1
	WebhookPayloadEventOnly = 2
	WebhookPayloadCustom    = 3
)

// Webhook is an outbound webhook HaloPSA calls (schema Webhook). Its id is a GUID.
// BasicPassword is a secret: never log a Webhook.
type Webhook struct {
	ID                 string         `json:"id,omitempty"`
	Name               string         `json:"name,omitempty"`
	URL                string         `json:"url,omitempty"`
	ContentType        string         `json:"content_type,omitempty"`
	Method             int            `json:"method,omitempty"`
	Active             *bool          `json:"active,omitempty"`
	AuthenticationType int            `json:"authentication_type,omitempty"`
	BasicUsername      string         `json:"basic_username,omitempty"`
	BasicPassword      string         `json:"basic_password,omitempty"`
	PayloadType        int            `json:"payload_type,omitempty"`
	Events             []WebhookEvent `json:"events,omitempty"`
}

// String describes w without its password or URL (which may embed a secret).
func (w Webhook) String() string {
	return fmt.Sprintf("webhook %q (id %s, auth type %d, user %q, %d events)", w.Name, w.ID,
		w.AuthenticationType, w.BasicUsername, len(w.Events))
}

// WebhookEvent is one event a webhook fires on (schema UnameNotification).
type WebhookEvent struct {
	ID   ID     `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Type int    `json:"type,omitempty"`
}

// Webhooks lists every webhook.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	return listAll[Webhook](ctx, c, "/Webhook", nil, "webhooks")
}

// SaveWebhook creates (empty ID) or updates a webhook and returns it as saved. A create whose
// outcome is unknown is looked up by name before it is sent again.
func (c *Client) SaveWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	raw, err := c.postWebhook(ctx, w)
	if errors.Is(err, ErrOutcomeUnknown) && w.ID == "" {
		found, ok, ferr := c.webhookNamed(ctx, w.Name)
		if ferr != nil {
			return Webhook{}, fmt.Errorf("saving webhook %q: %w; reading back: %w", w.Name, err, ferr)
		}
		if ok {
			w.ID = found.ID
		}
		raw, err = c.postWebhook(ctx, w)
	}
	if err != nil {
		return Webhook{}, fmt.Errorf("saving webhook %q: %w", w.Name, err)
	}
	if saved, err := decodeSaved[Webhook](raw); err == nil && len(saved) > 0 && saved[0].ID != "" {
		return saved[0], nil
	}
	found, ok, err := c.webhookNamed(ctx, w.Name)
	if err != nil || !ok {
		return Webhook{}, fmt.Errorf("saving webhook %q: no webhook in the answer nor by name: %w",
			w.Name, errors.Join(ErrOutcomeUnknown, err))
	}
	return found, nil
}

func (c *Client) postWebhook(ctx context.Context, w Webhook) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.post(ctx, "/Webhook", []Webhook{w}, &raw)
	return raw, err
}

func (c *Client) webhookNamed(ctx context.Context, name string) (Webhook, bool, error) {
	all, err := c.Webhooks(ctx)
	if err != nil {
		return Webhook{}, false, err
	}
	for _, w := range all {
		if fold(w.Name) == fold(name) {
			return w, true, nil
		}
	}
	return Webhook{}, false, nil
}

// DeleteWebhook deletes a webhook by GUID.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	if err := c.del(ctx, "/Webhook/"+url.PathEscape(id), nil); err != nil {
		return fmt.Errorf("deleting webhook %s: %w", id, err)
	}
	return nil
}

// Agent is a HaloPSA agent (schema Uname).
type Agent struct {
	ID         ID     `json:"id,omitempty"`
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
	FirstName  string `json:"firstname,omitempty"`
	Surname    string `json:"surname,omitempty"`
	JobTitle   string `json:"jobtitle,omitempty"`
	Team       string `json:"team,omitempty"`
	IsDisabled *bool  `json:"isdisabled,omitempty"`
	IsAPIAgent *bool  `json:"isapiagent,omitempty"`
}

// Agents lists agents. The answer's shape is reported inconsistently (bare array, "agents",
// "results"); all three are accepted.
func (c *Client) Agents(ctx context.Context) ([]Agent, error) {
	return listAll[Agent](ctx, c, "/Agent", nil, "agents", "results")
}

// CurrentAgent reads the agent the API application acts as (GET /Agent/me): a cheap check that
// credentials and permissions work.
func (c *Client) CurrentAgent(ctx context.Context) (Agent, error) {
	var a Agent
	if err := c.get(ctx, "/Agent/me", nil, &a); err != nil {
		return Agent{}, fmt.Errorf("reading the API agent: %w", err)
	}
	return a, nil
}
