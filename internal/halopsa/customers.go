package halopsa

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"
)

// Customer is a HaloPSA client, i.e. a company (schema Area, route /api/Client).
type Customer struct {
	ID          ID     `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	TopLevelID  ID     `json:"toplevel_id,omitempty"`
	Website     string `json:"website,omitempty"`
	Notes       string `json:"notes,omitempty"`
	MainSiteID  ID     `json:"main_site_id,omitempty"`
	Inactive    *bool  `json:"inactive,omitempty"`
	DateCreated Time   `json:"datecreated,omitzero"`
	// LastUpdate is when the client last changed (Halo's alastupdate).
	LastUpdate   Time          `json:"alastupdate,omitzero"`
	CustomFields []CustomField `json:"customfields,omitempty"`
	// NewSiteName and NewSitePhone create the client's main site with the client (Halo's
	// newclient_sitename and newclient_phonenumber, write-only): one POST for both. They are
	// sent on a create only (an update drops them). Whether HaloPSA answers the POST with the
	// new site's main_site_id is unconfirmed: see MainSitesAbove.
	NewSiteName  string `json:"newclient_sitename,omitempty"`
	NewSitePhone string `json:"newclient_phonenumber,omitempty"`
}

// CustomerQuery filters Customers. Zero fields do not filter.
type CustomerQuery struct {
	Search          string
	IncludeInactive bool
	NewestFirst     bool // order by descending id
	// UpdatedSince lists only clients changed at or after it (lastupdatefromdate).
	UpdatedSince time.Time
}

func (q CustomerQuery) values() url.Values {
	v := url.Values{}
	setSince(v, q.UpdatedSince)
	setString(v, "search", q.Search)
	setBool(v, "includeinactive", q.IncludeInactive)
	setNewestFirst(v, q.NewestFirst)
	return v
}

// Customers lists clients page by page.
func (c *Client) Customers(ctx context.Context, q CustomerQuery) iter.Seq2[Customer, error] {
	return listPaged[Customer](ctx, c, "/Client", "clients", q.values())
}

// Customer reads one client.
func (c *Client) Customer(ctx context.Context, id ID) (Customer, error) {
	var cu Customer
	if err := c.get(ctx, idRoute("/Client", id), url.Values{"includedetails": {"true"}}, &cu); err != nil {
		return Customer{}, fmt.Errorf("reading client %d: %w", id, err)
	}
	return cu, nil
}

// SaveCustomers creates or partially updates clients (see save.go) and returns them in input
// order with their ids. Natural key: name (case-insensitive).
func (c *Client) SaveCustomers(ctx context.Context, customers []Customer) ([]Customer, error) {
	return saveAll(ctx, c, customerBulk, customers)
}

// UpsertCustomers is SaveCustomers after looking every id-less client up by name.
func (c *Client) UpsertCustomers(ctx context.Context, customers []Customer) ([]Customer, error) {
	return upsertAll(ctx, c, customerBulk, customers)
}

// DeleteCustomer deletes a client.
func (c *Client) DeleteCustomer(ctx context.Context, id ID) error {
	if err := c.del(ctx, idRoute("/Client", id), nil); err != nil {
		return fmt.Errorf("deleting client %d: %w", id, err)
	}
	return nil
}

var customerBulk = bulk[Customer]{
	route: "/Client", what: "clients",
	id:  func(cu *Customer) *ID { return &cu.ID },
	key: func(cu Customer) string { return fold(cu.Name) },
	// Distinct companies may share a name: a client with another website is not this one.
	same: func(in, got Customer) bool { return in.Website == "" || site(in.Website) == site(got.Website) },
	find: func(ctx context.Context, c *Client, _ []Customer) iter.Seq2[Customer, error] {
		return c.Customers(ctx, CustomerQuery{NewestFirst: true})
	},
	isolate: true,
	// The newclient_* helpers create a site: never on an update.
	update: func(cu Customer) Customer { cu.NewSiteName, cu.NewSitePhone = "", ""; return cu },
}

// site reduces a website to its host for comparison: no scheme, "www." or trailing slash.
func site(u string) string {
	u = fold(u)
	for _, p := range []string{"https://", "http://", "www."} {
		u = strings.TrimPrefix(u, p)
	}
	return strings.TrimRight(u, "/")
}
