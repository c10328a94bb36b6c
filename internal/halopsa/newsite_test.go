package halopsa

import (
	"context"
	"slices"
	"testing"

	"haloleads/internal/halosandbox"
)

// TestCustomersWithMainSite creates clients with their main sites in the client POST
// (newclient_sitename) under each reading of what HaloPSA does with it, and checks what the
// answer says, what MainSitesAbove finds, and that a retried upsert creates no second site.
func TestCustomersWithMainSite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mode     halosandbox.NewClientSite
		answered bool // the POST's answer names the main site
		created  bool // HaloPSA created the site
	}{
		{"answered", halosandbox.NewClientSiteAnswered, true, true},
		{"unanswered", halosandbox.NewClientSiteUnanswered, false, true},
		{"ignored", halosandbox.NewClientSiteIgnored, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rec recorder
			sb, c, _ := sandbox(t, halosandbox.Options{}, func(cfg *Config) { cfg.OnRequest = rec.add })
			sb.SetNewClientSite(tc.mode)
			ctx := context.Background()
			floors, err := c.ReadFloors(ctx)
			if err != nil {
				t.Fatal(err)
			}
			in := []Customer{{Name: "Acme", NewSiteName: "Main", NewSitePhone: "0100"}, {Name: "Beta", NewSiteName: "Main"}}
			saved, err := c.SaveCustomersAbove(ctx, floors.Customers, in)
			if err != nil {
				t.Fatal(err)
			}
			ids := []ID{saved[0].ID, saved[1].ID}
			found, err := c.MainSitesAbove(ctx, floors.Sites, ids)
			if err != nil {
				t.Fatal(err)
			}
			sites := sb.Sites()
			if tc.created != (len(sites) == 2) || !tc.created && len(sites) != 0 {
				t.Fatalf("sandbox holds %d sites, want %d", len(sites), map[bool]int{true: 2, false: 0}[tc.created])
			}
			for j, cu := range saved {
				if got := cu.MainSiteID != 0; got != tc.answered {
					t.Errorf("client %s answered with main_site_id %d, want one: %v", cu.Name, cu.MainSiteID, tc.answered)
				}
				if !tc.created {
					if found[cu.ID] != 0 {
						t.Errorf("MainSitesAbove found site %d of client %s, which has none", found[cu.ID], cu.Name)
					}
					continue
				}
				site := sites[j]
				if found[cu.ID] != ID(site.ID()) || ID(site.Int("client_id")) != cu.ID || site.String("name") != "Main" {
					t.Errorf("client %s: MainSitesAbove found %d; the sandbox's site %v", cu.Name, found[cu.ID], site)
				}
				if tc.answered && cu.MainSiteID != found[cu.ID] {
					t.Errorf("client %s answered main_site_id %d, its site is %d", cu.Name, cu.MainSiteID, found[cu.ID])
				}
			}
			if tc.created && sites[0].String("phonenumber") != "0100" {
				t.Errorf("Acme's main site has phone %q, want 0100", sites[0].String("phonenumber"))
			}
			// A retry finds the clients and updates them: the helpers are not sent again.
			if _, err := c.UpsertCustomersAbove(ctx, floors.Customers, in); err != nil {
				t.Fatal(err)
			}
			if n := len(sb.Sites()); n != len(sites) {
				t.Errorf("the retried upsert left %d sites, want %d", n, len(sites))
			}
			reqs := rec.all()
			last := reqs[len(reqs)-1]
			if last.Method != "POST" || last.Path != "/Client" || slices.Contains(last.BodyFields, "newclient_sitename") ||
				slices.Contains(last.BodyFields, "newclient_phonenumber") {
				t.Errorf("the retry's update sent %s %s with fields %v, want no newclient_* helper", last.Method, last.Path, last.BodyFields)
			}
		})
	}
}
