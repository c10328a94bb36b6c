package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"haloleads/internal/dryrun"
	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// TestNewClientSiteReadings imports new companies under each reading of what HaloPSA does with
// a client POST carrying newclient_sitename (HALO_NEW_CLIENT_SITE=with-client, the default):
// the answer names the main site (no site request at all), it does not (one read of the
// sites finds them), HaloPSA ignores the helper (the read finds none, one POST creates them);
// and with separate sites (one POST, no read). Every time, each client has exactly one site and
// every lead's user is at its client's site.
func TestNewClientSiteReadings(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	tests := []struct {
		name                string
		mode                halosandbox.NewClientSite
		separate            bool
		sitePosts, siteGets int
	}{
		{"answered", halosandbox.NewClientSiteAnswered, false, 0, 0},
		{"unanswered", halosandbox.NewClientSiteUnanswered, false, 0, 1},
		{"ignored", halosandbox.NewClientSiteIgnored, false, 1, 1},
		{"separate", halosandbox.NewClientSiteAnswered, true, 1, 0},
	}
	with := newEnvWith(t, envOptions{RateLimit: 3000})
	var separate *env
	for _, tc := range tests {
		e := with
		if tc.separate {
			if separate == nil {
				separate = newEnvWith(t, envOptions{RateLimit: 3000, SeparateSites: true})
			}
			e = separate
		}
		e.sandbox.SetNewClientSite(tc.mode)
		e.sandbox.ResetStats()
		sum := e.importFiles(t, tc.name, companyList(t, tc.name, 12, 4))
		by := e.sandbox.Stats().ByRoute
		if sum.LeadsCreated != 12 || by["POST /api/Client"] != 1 || by["POST /api/Site"] != tc.sitePosts || by["GET /api/Site"] != tc.siteGets {
			t.Errorf("%s: created %d leads; requests %v; want 12 leads, 1 client POST, %d site POSTs, %d site reads",
				tc.name, sum.LeadsCreated, by, tc.sitePosts, tc.siteGets)
		}
	}
	for _, e := range []*env{with, separate} {
		checkOneSitePerClient(t, e.sandbox)
	}
}

// companyList writes a contact list of people at companies named after prefix.
func companyList(t *testing.T, prefix string, people, companies int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,Company,Website,Title,Company Phone\n")
	for i := range people {
		c := i % companies
		fmt.Fprintf(&b, "%sP%d,Tester%d,p%d@%s%d.example.com,%s %d Ltd,https://%s%d.example.com,IT Manager,+44 20 7946 0%03d\n",
			prefix, i, i, i, prefix, c, prefix, c, prefix, c, c)
	}
	path := filepath.Join(t.TempDir(), prefix+".csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkOneSitePerClient checks that every client of the sandbox has exactly one site and every
// user is at a site of its own client.
func checkOneSitePerClient(t *testing.T, sb *halosandbox.Server) {
	t.Helper()
	siteClient, perClient := map[int]int{}, map[int]int{}
	for _, s := range sb.Sites() {
		siteClient[s.ID()] = s.Int("client_id")
		perClient[s.Int("client_id")]++
	}
	for c, n := range perClient {
		if n != 1 {
			t.Errorf("client %d has %d sites, want 1", c, n)
		}
	}
	users := sb.Users()
	if len(users) == 0 {
		t.Fatal("no users")
	}
	for _, u := range users {
		if c, ok := siteClient[u.Int("site_id")]; !ok || c != u.Int("client_id") {
			t.Errorf("user %d is at site %d (of client %d), want a site of its client %d", u.ID(), u.Int("site_id"), c, u.Int("client_id"))
		}
	}
}

// TestDryRunCountsClientSiteWrites: a dry run of new leads at new companies predicts exactly the
// writes the import then makes, a new client's main site coming with it (no site POST counted).
func TestDryRunCountsClientSiteWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{RateLimit: 3000})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	file := companyList(t, "dry", 12, 4)
	if _, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: "dry", Files: []string{file}, DryRun: true}, true); err != nil {
		t.Fatal(err)
	}
	raw, err := e.store.DryRunBatches(ctx, "dry")
	if err != nil {
		t.Fatal(err)
	}
	predicted := 0
	for _, r := range raw {
		var b dryrun.Batch
		if err := json.Unmarshal(r, &b); err != nil {
			t.Fatal(err)
		}
		predicted += b.Cost.Writes
	}
	writes := e.halo.WriteRequests()
	e.importFiles(t, "real", file)
	if got := int(e.halo.WriteRequests() - writes); got != predicted || predicted == 0 {
		t.Errorf("the dry run predicted %d writes, the import made %d (%v)", predicted, got, e.sandbox.Stats().ByRoute)
	}
}
