package halosandbox

import (
	"fmt"
	"net/http"
	"testing"
)

// TestEveryAcknowledgedWriteIsOnDisk writes through the API and, without Close or Save (as
// after a kill -9), starts a second sandbox on the same data directory: every write that was
// answered is there, and a delete too.
func TestEveryAcknowledgedWriteIsOnDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := start(t, Options{DataDir: dir})
	client, site, _ := h.seedLead()
	var users []any
	for i := range 25 {
		users = append(users, map[string]any{"name": fmt.Sprint("Person ", i), "site_id": site,
			"emailaddress": fmt.Sprintf("p%d@durable.example.com", i)})
	}
	h.must(http.StatusCreated, "POST", "/api/Users", users)
	gone := h.create("/api/Users", map[string]any{"name": "Gone", "site_id": site})
	h.must(http.StatusOK, "DELETE", fmt.Sprint("/api/Users/", gone.ID()), nil)

	again, err := New(Options{DataDir: dir, Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(again.Users()); n != 26 {
		t.Errorf("after a crash the sandbox holds %d users, want the 26 acknowledged", n)
	}
	if n := len(again.Customers()); n != 1 || client == 0 {
		t.Errorf("after a crash the sandbox holds %d clients, want 1", n)
	}
}
