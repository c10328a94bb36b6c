package halopsa

import (
	"context"
	"fmt"
	"iter"
	"net/url"
)

// Address is a postal address (schema AddressStore).
type Address struct {
	Line1    string `json:"line1,omitempty"`
	Line2    string `json:"line2,omitempty"`
	Line3    string `json:"line3,omitempty"`
	Line4    string `json:"line4,omitempty"`
	Postcode string `json:"postcode,omitempty"`
}

// Site is a client's site (schema Site). Users belong to sites.
type Site struct {
	ID              ID            `json:"id,omitempty"`
	Name            string        `json:"name,omitempty"`
	ClientID        ID            `json:"client_id,omitempty"`
	ClientName      string        `json:"client_name,omitempty"`
	PhoneNumber     string        `json:"phonenumber,omitempty"`
	Notes           string        `json:"notes,omitempty"`
	Inactive        *bool         `json:"inactive,omitempty"`
	DeliveryAddress *Address      `json:"delivery_address,omitempty"`
	CustomFields    []CustomField `json:"customfields,omitempty"`
}

// SiteQuery filters Sites. Zero fields do not filter.
type SiteQuery struct {
	ClientID        ID
	Search          string
	IncludeInactive bool
	NewestFirst     bool // order by descending id
}

func (q SiteQuery) values() url.Values {
	v := url.Values{}
	setID(v, "client_id", q.ClientID)
	setString(v, "search", q.Search)
	setBool(v, "includeinactive", q.IncludeInactive)
	setNewestFirst(v, q.NewestFirst)
	return v
}

// Sites lists sites page by page.
func (c *Client) Sites(ctx context.Context, q SiteQuery) iter.Seq2[Site, error] {
	return listPaged[Site](ctx, c, "/Site", "sites", q.values())
}

// Site reads one site.
func (c *Client) Site(ctx context.Context, id ID) (Site, error) {
	var s Site
	if err := c.get(ctx, idRoute("/Site", id), nil, &s); err != nil {
		return Site{}, fmt.Errorf("reading site %d: %w", id, err)
	}
	return s, nil
}

// SaveSites creates or partially updates sites (see save.go) and returns them in input order
// with their ids. Natural key: client_id + name (case-insensitive).
func (c *Client) SaveSites(ctx context.Context, sites []Site) ([]Site, error) {
	return saveAll(ctx, c, siteBulk, sites)
}

// UpsertSites is SaveSites after looking every id-less site up by natural key.
func (c *Client) UpsertSites(ctx context.Context, sites []Site) ([]Site, error) {
	return upsertAll(ctx, c, siteBulk, sites)
}

// DeleteSite deletes a site.
func (c *Client) DeleteSite(ctx context.Context, id ID) error {
	if err := c.del(ctx, idRoute("/Site", id), nil); err != nil {
		return fmt.Errorf("deleting site %d: %w", id, err)
	}
	return nil
}

var siteBulk = bulk[Site]{
	route: "/Site", what: "sites",
	id:   func(s *Site) *ID { return &s.ID },
	key:  func(s Site) string { return fold(s.Name) },
	same: func(in, got Site) bool { return sameID(in.ClientID, got.ClientID) },
	find: func(ctx context.Context, c *Client, pending []Site) iter.Seq2[Site, error] {
		return c.Sites(ctx, SiteQuery{
			ClientID: common(pending, func(s Site) ID { return s.ClientID }), NewestFirst: true})
	},
	isolate: true,
}

// MainSitesAbove finds the sites of clients among the sites above floor, newest first, and
// returns each client's first (lowest id) site: for clients created with their main site
// (Customer.NewSiteName) whose answer did not say which it is. The read stops at floor once
// the server is seen to answer newest first (usually one page); floor 0 reads every site.
// Clients with no site above floor are not in the map.
func (c *Client) MainSitesAbove(ctx context.Context, floor ID, clients []ID) (map[ID]ID, error) {
	want := make(map[ID]bool, len(clients))
	for _, id := range clients {
		want[id] = true
	}
	find := siteBulk.find
	if floor > 0 {
		find = aboveFloor(siteBulk, floor)
	}
	out := map[ID]ID{}
	for s, err := range find(ctx, c, nil) {
		if err != nil {
			return nil, fmt.Errorf("reading the sites of %d new clients: %w", len(clients), err)
		}
		if want[s.ClientID] && (out[s.ClientID] == 0 || s.ID < out[s.ClientID]) {
			out[s.ClientID] = s.ID
		}
	}
	return out, nil
}
