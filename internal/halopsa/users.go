package halopsa

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"
)

// User is an end-user contact (schema Users). The job title is Title; there is no LinkedIn field
// (haloleads keeps it in a user custom field).
type User struct {
	ID           ID     `json:"id,omitempty"`
	Name         string `json:"name,omitempty"`
	FirstName    string `json:"firstname,omitempty"`
	Surname      string `json:"surname,omitempty"`
	Title        string `json:"title,omitempty"`
	EmailAddress string `json:"emailaddress,omitempty"`
	PhoneNumber  string `json:"phonenumber,omitempty"`
	MobileNumber string `json:"mobilenumber,omitempty"`
	SiteID       ID     `json:"site_id,omitempty"`
	SiteName     string `json:"site_name,omitempty"`
	ClientID     ID     `json:"client_id,omitempty"`
	ClientName   string `json:"client_name,omitempty"`
	Department   string `json:"department,omitempty"`
	Notes        string `json:"notes,omitempty"`
	Inactive     *bool  `json:"inactive,omitempty"`
	DateCreated  Time   `json:"datecreated,omitzero"`
	// LastUpdate is when the user last changed (Halo's ulastupdate).
	LastUpdate   Time          `json:"ulastupdate,omitzero"`
	CustomFields []CustomField `json:"customfields,omitempty"`
}

// UserQuery filters Users. Zero fields do not filter.
type UserQuery struct {
	ClientID        ID
	SiteID          ID
	Search          string
	IncludeInactive bool
	NewestFirst     bool // order by descending id
	// UpdatedSince lists only users changed at or after it (lastupdatefromdate).
	UpdatedSince time.Time
}

func (q UserQuery) values() url.Values {
	v := url.Values{}
	setSince(v, q.UpdatedSince)
	setID(v, "client_id", q.ClientID)
	setID(v, "site_id", q.SiteID)
	setString(v, "search", q.Search)
	setBool(v, "includeinactive", q.IncludeInactive)
	setNewestFirst(v, q.NewestFirst)
	return v
}

// Users lists users page by page.
func (c *Client) Users(ctx context.Context, q UserQuery) iter.Seq2[User, error] {
	return listPaged[User](ctx, c, "/Users", "users", q.values())
}

// User reads one user with details and custom fields.
func (c *Client) User(ctx context.Context, id ID) (User, error) {
	var u User
	if err := c.get(ctx, idRoute("/Users", id), url.Values{"includedetails": {"true"}}, &u); err != nil {
		return User{}, fmt.Errorf("reading user %d: %w", id, err)
	}
	return u, nil
}

// SaveUsers creates or partially updates users (see save.go) and returns them in input order
// with their ids. Natural key: e-mail address (case-insensitive; the name when there is none)
// + client_id.
func (c *Client) SaveUsers(ctx context.Context, users []User) ([]User, error) {
	return saveAll(ctx, c, userBulk, users)
}

// UpsertUsers is SaveUsers after looking every id-less user up by natural key.
func (c *Client) UpsertUsers(ctx context.Context, users []User) ([]User, error) {
	return upsertAll(ctx, c, userBulk, users)
}

// DeleteUser deletes a user.
func (c *Client) DeleteUser(ctx context.Context, id ID) error {
	if err := c.del(ctx, idRoute("/Users", id), nil); err != nil {
		return fmt.Errorf("deleting user %d: %w", id, err)
	}
	return nil
}

var userBulk = bulk[User]{
	route: "/Users", what: "users",
	id:   func(u *User) *ID { return &u.ID },
	key:  userKey,
	same: func(in, got User) bool { return sameID(in.ClientID, got.ClientID) },
	find: func(ctx context.Context, c *Client, pending []User) iter.Seq2[User, error] {
		return c.Users(ctx, UserQuery{
			ClientID: common(pending, func(u User) ID { return u.ClientID }), NewestFirst: true})
	},
	isolate: true,
}

// userKey is a user's natural key: the e-mail address, or for a user without one the name,
// so that a create whose answer was lost is found by read-back and never sent twice.
func userKey(u User) string {
	if em := fold(u.EmailAddress); em != "" {
		return em
	}
	if n := fold(u.Name); n != "" {
		return "name:" + n
	}
	return ""
}

// fold normalises a natural-key string: trimmed and lower-cased.
func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
