package store_test

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"testing"
	"time"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/store"
	"haloleads/internal/store/storetest"
)

// TestHaloPSAClientTellsTheSharedBudgetItsAnswers: a HaloPSA client drawing from the shared
// budget counts every request it sends (the token request, the writes, the reads, a 429 and its
// re-send), each until a window after its answer: no row is left in flight once the calls have
// returned.
func TestHaloPSAClientTellsTheSharedBudgetItsAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	st, err := store.OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	budget, err := st.NewBudget(ctx, halopsa.LimiterKey(srv.URL, ""), 1000, time.Hour, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	c, err := halopsa.New(halopsa.Config{BaseURL: srv.URL, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret, Budget: budget, MaxRateLimitRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	customers, err := c.SaveCustomers(ctx, []halopsa.Customer{{Name: "Acme"}})
	if err != nil {
		t.Fatal(err)
	}
	sb.FailNth(1, 429) // the next read is answered 429 once and re-sent
	for _, err := range c.Users(ctx, halopsa.UserQuery{ClientID: customers[0].ID}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	sent := sb.Stats().Requests
	if n, err := budget.InUse(ctx); err != nil || n != sent {
		t.Fatalf("the budget counts %d requests (%v), HaloPSA saw %d", n, err, sent)
	}
	if n, err := budget.Granted(ctx); err != nil || n != int64(sent) {
		t.Fatalf("the budget granted %d requests (%v), HaloPSA saw %d", n, err, sent)
	}
	// Another process's client (its limiter never used) reads the same figure: the gauge
	// haloleads_halopsa_budget_in_use shows the shared budget.
	other, err := halopsa.New(halopsa.Config{BaseURL: srv.URL, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret, Budget: budget})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := other.BudgetInUse(ctx); err != nil || n != sent {
		t.Fatalf("another client reads %d requests in use (%v), want the shared %d", n, err, sent)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var inFlight int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM halo_requests WHERE until - at = interval '2 hours'`).Scan(&inFlight); err != nil {
		t.Fatal(err)
	}
	if inFlight != 0 || sent < 4 {
		t.Fatalf("%d of %d requests still counted as in flight after their answers", inFlight, sent)
	}
}
