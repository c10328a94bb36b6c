package halosandbox

import (
	"net/http"
	"strconv"
	"testing"
)

// TestNewClientSite: a client created with newclient_sitename gets its main site in the same
// POST, as the swagger's Client schema describes, under each knob setting; an update never
// creates one, and a POST that fails creates none.
func TestNewClientSite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mode     NewClientSite
		created  bool
		answered bool
	}{
		{"answered", NewClientSiteAnswered, true, true},
		{"unanswered", NewClientSiteUnanswered, true, false},
		{"ignored", NewClientSiteIgnored, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, Options{})
			h.sb.SetNewClientSite(tc.mode)
			got := h.create("/api/Client", map[string]any{"name": "Acme Ltd", "newclient_sitename": "Main", "newclient_phonenumber": "0100"})
			if _, ok := got["main_site_id"]; ok != tc.answered {
				t.Errorf("answer %v: main_site_id present %v, want %v", got, ok, tc.answered)
			}
			stored := Record(h.must(http.StatusOK, http.MethodGet, "/api/Client/"+strconv.Itoa(got.ID()), nil).(map[string]any))
			for _, f := range newClientFields {
				if _, ok := stored[f]; ok {
					t.Errorf("the client stores the helper %s", f)
				}
			}
			sites := h.sb.Sites()
			if !tc.created {
				if len(sites) != 0 || stored.Int("main_site_id") != 0 {
					t.Errorf("helpers ignored, yet %d sites and main_site_id %d", len(sites), stored.Int("main_site_id"))
				}
				return
			}
			if len(sites) != 1 {
				t.Fatalf("%d sites, want the client's main site", len(sites))
			}
			s := sites[0]
			if s.String("name") != "Main" || s.Int("client_id") != got.ID() || s.String("client_name") != "Acme Ltd" ||
				s.String("phonenumber") != "0100" || stored.Int("main_site_id") != s.ID() || stored.String("main_site_name") != "Main" {
				t.Errorf("site %v, client %v", s, stored)
			}
			if tc.answered && got.Int("main_site_id") != s.ID() {
				t.Errorf("answered main_site_id %d, the site is %d", got.Int("main_site_id"), s.ID())
			}
			h.must(http.StatusCreated, http.MethodPost, "/api/Client", []any{map[string]any{"id": got.ID(), "newclient_sitename": "Second"}})
			resp, _ := h.do(http.MethodPost, "/api/Client", []any{map[string]any{"name": "Beta", "newclient_sitename": "Main"}, map[string]any{"notes": "no name"}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("a POST with a nameless client answered %d, want 400", resp.StatusCode)
			}
			if n := len(h.sb.Sites()); n != 1 {
				t.Errorf("%d sites after an update and a refused POST, want 1", n)
			}
		})
	}
}
