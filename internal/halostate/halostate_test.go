package halostate_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/halostate"
	"haloleads/internal/store"
)

// tenantOf starts a sandbox holding n users (with one client and site) and returns a client.
func tenantOf(t *testing.T, n int) (*halopsa.Client, []halopsa.User) {
	t.Helper()
	ctx := context.Background()
	sb, err := halosandbox.New(halosandbox.Options{RateLimit: 1000000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	c, err := halopsa.New(halopsa.Config{BaseURL: hs.URL, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret, RateLimit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := c.SaveCustomers(ctx, []halopsa.Customer{{Name: "Acme Ltd"}})
	if err != nil {
		t.Fatal(err)
	}
	sites, err := c.SaveSites(ctx, []halopsa.Site{{Name: "Main", ClientID: cs[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	var users []halopsa.User
	for start := 0; start < n; start += 100 {
		var batch []halopsa.User
		for i := start; i < min(start+100, n); i++ {
			batch = append(batch, halopsa.User{FirstName: "P", Surname: fmt.Sprint(i), EmailAddress: fmt.Sprintf("p%d@acme.example", i), SiteID: sites[0].ID})
		}
		saved, err := c.SaveUsers(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, saved...)
	}
	return c, users
}

// TestSyncReadsOnlyWhatChanged: the first read lists the tenant whole; after 150 of 3,000
// users change, the next read costs requests in proportion to them (2 pages of users plus one
// request each for clients and tickets), and the mirror holds the new values.
// HALOSTATE_USERS sets the tenant's size (BENCHMARKS.md measures 20,000).
func TestSyncReadsOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := 3000
	if v, err := strconv.Atoi(os.Getenv("HALOSTATE_USERS")); err == nil && v >= 1200 {
		n = v
	}
	c, users := tenantOf(t, n)
	st, err := store.Open(filepath.Join(t.TempDir(), "haloleads.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rd := &halostate.Reader{Client: c, Store: st}
	types := []halopsa.ID{1}

	before := c.Requests()
	ch, err := rd.Sync(ctx, halostate.Mirror, types)
	if err != nil {
		t.Fatal(err)
	}
	full := c.Requests() - before
	if len(ch.Users) != n || len(ch.Full) != 3 {
		t.Fatalf("first read: %d users, full %v; want %d and every kind", len(ch.Users), ch.Full, n)
	}

	var changed []halopsa.User
	for _, u := range users[1000:1150] {
		changed = append(changed, halopsa.User{ID: u.ID, Title: "CTO"})
	}
	for start := 0; start < len(changed); start += 100 {
		if _, err := c.SaveUsers(ctx, changed[start:min(start+100, len(changed))]); err != nil {
			t.Fatal(err)
		}
	}
	before = c.Requests()
	ch, err = rd.Sync(ctx, halostate.Mirror, types)
	if err != nil {
		t.Fatal(err)
	}
	incremental := c.Requests() - before
	t.Logf("%d users: full read %d requests; after 150 changed, %d requests (%d users read)", n, full, incremental, len(ch.Users))
	if slices.Contains(ch.Full, halostate.KindUser) || len(ch.Users) < 150 || len(ch.Users) > 250 {
		t.Errorf("incremental read: %d users, full %v; want the 150 changed (and at most a page more)", len(ch.Users), ch.Full)
	}
	if limit := int64(2*(150/100+1) + 3); incremental > limit {
		t.Errorf("incremental read cost %d requests, want at most %d", incremental, limit)
	}
	m, err := rd.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Users) != n || m.Users[int(users[1100].ID)].Title != "CTO" {
		t.Errorf("mirror: %d users, changed title %q", len(m.Users), m.Users[int(users[1100].ID)].Title)
	}

	// A new reader starts from the mirror's watermarks, not from the whole tenant.
	if _, err := rd.Start(ctx, "reconcile"); err != nil {
		t.Fatal(err)
	}
	ch, err = rd.Sync(ctx, "reconcile", types)
	if err != nil || slices.Contains(ch.Full, halostate.KindUser) || len(ch.Users) > 250 {
		t.Errorf("a new reader's first read: %d users, full %v, %v", len(ch.Users), ch.Full, err)
	}

	// A reader whose watermarks are forgotten reads the tenant whole again; others keep theirs.
	if err := rd.Forget(ctx, halostate.Mirror); err != nil {
		t.Fatal(err)
	}
	before = c.Requests()
	if ch, err = rd.Sync(ctx, halostate.Mirror, types); err != nil || len(ch.Users) != n || len(ch.Full) != 3 {
		t.Errorf("read after a forget: %d users, full %v, %v; want %d and every kind", len(ch.Users), ch.Full, err, n)
	}
	if again := c.Requests() - before; again != full {
		t.Errorf("read after a forget cost %d requests, the first read %d", again, full)
	}
	if ch, err = rd.Sync(ctx, "reconcile", types); err != nil || slices.Contains(ch.Full, halostate.KindUser) {
		t.Errorf("another reader after a forget: full %v, %v", ch.Full, err)
	}
}
