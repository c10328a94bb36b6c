package halopsa_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
)

func TestCounterCountsOnlyItsContext(t *testing.T) {
	t.Parallel()
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	c, err := halopsa.New(halopsa.Config{BaseURL: srv.URL, ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.TicketTypes(ctx); err != nil { // fetches the token too, outside the counter
		t.Fatal(err)
	}
	var n halopsa.Counter
	cctx := halopsa.WithCounter(ctx, &n)
	if _, err := c.SaveCustomers(cctx, []halopsa.Customer{{Name: "Example Ltd"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TicketTypes(cctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TicketTypes(ctx); err != nil {
		t.Fatal(err)
	}
	if n.Requests() != 2 || n.Writes() != 1 {
		t.Fatalf("counter saw %d requests and %d writes, want 2 and 1", n.Requests(), n.Writes())
	}
}

// TestWritesCountWhatMayHaveBeenApplied checks that a write answered 429 or refused is not
// counted as a write, and one that landed is.
func TestWritesCountWhatMayHaveBeenApplied(t *testing.T) {
	t.Parallel()
	c := unlimitedSandbox(t)
	var n halopsa.Counter
	ctx := halopsa.WithCounter(context.Background(), &n)
	if _, err := c.SaveStatuses(ctx, []halopsa.Status{{Name: ""}}); err == nil {
		t.Fatal("a status without a name was saved")
	}
	if _, err := c.SaveCustomers(ctx, []halopsa.Customer{{Name: "Example Ltd"}}); err != nil {
		t.Fatal(err)
	}
	if n.Writes() != 1 || c.WriteRequests() != 1 {
		t.Fatalf("counted %d writes (client: %d), want 1: the refused POST applied nothing", n.Writes(), c.WriteRequests())
	}
}

// unlimitedSandbox serves a HaloPSA sandbox without a rate limit for the test and returns a
// client of it.
func unlimitedSandbox(t *testing.T) *halopsa.Client {
	t.Helper()
	sb, err := halosandbox.New(halosandbox.Options{RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := halopsa.New(halopsa.Config{BaseURL: srv.URL, ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
