package pipeline_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"haloleads/internal/cli"
	"haloleads/internal/dedupe"
	"haloleads/internal/dedupe/gen"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/normalize"
	"haloleads/internal/sources"
	"haloleads/internal/store"
)

// The unseen exports (testdata/unseen) are five provider exports with their real column sets
// and messy values (nicknames, accents, capitals, Excel apostrophes, legal suffixes, an invalid
// address, a duplicate row, a person without e-mail, namesakes at one company and at two) that
// the dedupe was not tuned on. truth.csv says which person and company each row is; people.csv
// and companies.csv describe them.
var unseenExports = []string{"apollo.csv", "zoominfo.csv", "hunter.csv", "uplead.csv", "lusha.csv"}

// unseen returns the paths of files under testdata/unseen.
func unseen(t *testing.T, names ...string) []string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "unseen")
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(root, n)
		if _, err := os.Stat(out[i]); err != nil {
			t.Fatalf("unseen export %s: %v", n, err)
		}
	}
	return out
}

// rowRef names one data row of an export.
type rowRef struct {
	file string // base name
	line int
}

// person is one real person of the ground truth.
type person struct {
	company, first, last string
	dnc                  bool
}

// groundTruth is what testdata/unseen says the exports hold.
type groundTruth struct {
	rows      map[rowRef]string // row → person
	persons   map[string]person
	companies map[string]string // company → name
}

// readTable reads a CSV file's data rows (the header dropped).
func readTable(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("reading ground truth: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("reading %s: %v", path, err)
	}
	return rows[1:]
}

func loadTruth(t *testing.T) groundTruth {
	t.Helper()
	paths := unseen(t, "truth.csv", "people.csv", "companies.csv")
	g := groundTruth{rows: map[rowRef]string{}, persons: map[string]person{}, companies: map[string]string{}}
	for _, r := range readTable(t, paths[0]) {
		line, err := strconv.Atoi(r[1])
		if err != nil {
			t.Fatalf("truth.csv: line %q: %v", r[1], err)
		}
		g.rows[rowRef{r[0], line}] = r[2]
	}
	for _, r := range readTable(t, paths[1]) {
		g.persons[r[0]] = person{company: r[1], first: r[2], last: r[3], dnc: r[4] == "true"}
	}
	for _, r := range readTable(t, paths[2]) {
		g.companies[r[0]] = r[1]
	}
	return g
}

// readRows reads the records of files as the importer does.
func readRows(t *testing.T, files []string) map[rowRef]lead.Record {
	t.Helper()
	out := map[rowRef]lead.Record{}
	for _, path := range files {
		r, err := sources.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, rej, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("reading %s: %v", path, err)
			}
			if rej != nil {
				t.Errorf("%s line %d rejected: %s", filepath.Base(path), rej.Line, rej.Reason)
				continue
			}
			out[rowRef{filepath.Base(path), rec.Line}] = rec
		}
		r.Close()
	}
	return out
}

// leadsOfRows finds each row's lead through the identity keys the import saved.
func (e *env) leadsOfRows(t *testing.T, rows map[rowRef]lead.Record) map[rowRef]string {
	t.Helper()
	ctx := context.Background()
	out := map[rowRef]string{}
	for ref, rec := range rows {
		for _, key := range dedupe.IdentityKeys(rec.Values) {
			if id, ok, err := e.store.LookupIdentity(ctx, key); err != nil {
				t.Fatal(err)
			} else if ok {
				out[ref] = id
				break
			}
		}
		if out[ref] == "" {
			t.Errorf("%s line %d: no lead holds its identity keys", ref.file, ref.line)
		}
	}
	return out
}

// usersOfLeads maps each lead to the HaloPSA user of its lead ticket, as the sandbox holds it.
func (e *env) usersOfLeads(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tk := range e.sandbox.Tickets() {
		id, ok, err := e.store.LeadOfTicket(context.Background(), tk.ID())
		if err != nil {
			t.Fatal(err)
		}
		if ok && tk.Int("user_id") != 0 {
			out[id] = tk.Int("user_id")
		}
	}
	return out
}

// usersOfRows maps each row of files to the HaloPSA user it landed in.
func (e *env) usersOfRows(t *testing.T, files []string) map[rowRef]int {
	t.Helper()
	leads, users := e.leadsOfRows(t, readRows(t, files)), e.usersOfLeads(t)
	out := map[rowRef]int{}
	for ref, id := range leads {
		if users[id] == 0 {
			t.Errorf("%s line %d: lead %s has no HaloPSA user", ref.file, ref.line, id)
		}
		out[ref] = users[id]
	}
	return out
}

// checkOneUserPerPerson fails unless every person of the rows landed in exactly one user and no
// user holds rows of two people. It returns person → user.
func checkOneUserPerPerson(t *testing.T, g groundTruth, userOf map[rowRef]int) map[string]int {
	t.Helper()
	usersOf, personsOf := map[string][]int{}, map[int][]string{}
	for ref, u := range userOf {
		p, ok := g.rows[ref]
		if !ok {
			t.Fatalf("%s line %d is not in truth.csv", ref.file, ref.line)
		}
		if !slices.Contains(usersOf[p], u) {
			usersOf[p] = append(usersOf[p], u)
		}
		if !slices.Contains(personsOf[u], p) {
			personsOf[u] = append(personsOf[u], p)
		}
	}
	out := map[string]int{}
	for p, us := range usersOf {
		if len(us) != 1 {
			t.Errorf("person %s landed in %d HaloPSA users %v, want 1", p, len(us), us)
		}
		out[p] = us[0]
	}
	for u, ps := range personsOf {
		if len(ps) != 1 {
			t.Errorf("HaloPSA user %d holds rows of %d people %v: wrong merge", u, len(ps), ps)
		}
	}
	return out
}

// pairwise scores the users as clusters of rows against the truth (see gen.Evaluate).
func pairwise(g groundTruth, userOf map[rowRef]int) gen.Metrics {
	refs := make([]rowRef, 0, len(userOf))
	for ref := range userOf {
		refs = append(refs, ref)
	}
	ids := map[string]int{}
	truth := make([]int, len(refs))
	members := map[string][]int{}
	for i, ref := range refs {
		p := g.rows[ref]
		if _, ok := ids[p]; !ok {
			ids[p] = len(ids)
		}
		truth[i] = ids[p]
		u := strconv.Itoa(userOf[ref])
		members[u] = append(members[u], i)
	}
	return gen.Evaluate(members, truth)
}

// TestQualityUnseenExports imports the five unseen exports in one run and checks HaloPSA
// against the ground truth: one user per person, one client per company, no wrong merge, the
// right names and companies, and opted-out people with status Do Not Contact and in no list.
func TestQualityUnseenExports(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnv(t)
	g := loadTruth(t)
	files := unseen(t, unseenExports...)
	clientsBefore := len(e.sandbox.Customers())
	sum := e.importFiles(t, "unseen", files...)
	t.Logf("import: rows %d, leads %d, created %d, merged %d, suppressed %d, review %d, rejected %d",
		sum.Rows, sum.Leads, sum.LeadsCreated, sum.Merged, sum.Suppressed, sum.Review, sum.RejectedCount)
	if sum.LeadsCreated != len(g.persons) {
		t.Errorf("leads created %d, want %d (one per person)", sum.LeadsCreated, len(g.persons))
	}
	if n := len(e.sandbox.Users()); n != len(g.persons) {
		t.Errorf("sandbox holds %d users, want %d", n, len(g.persons))
	}
	userOf := e.usersOfRows(t, files)
	if len(userOf) != len(g.rows) {
		t.Errorf("%d rows landed, truth lists %d", len(userOf), len(g.rows))
	}
	m := pairwise(g, userOf)
	t.Logf("rows → HaloPSA users against the truth: %s", m)
	if m.Precision != 1 || m.Recall != 1 {
		t.Errorf("pairwise precision %.3f recall %.3f, want 1 and 1", m.Precision, m.Recall)
	}
	userOfPerson := checkOneUserPerPerson(t, g, userOf)
	checkCompanies(t, e, g, userOfPerson, clientsBefore)
	checkPeople(t, e, g, userOfPerson)
	checkOptOuts(t, e, g, userOfPerson)
}

// checkCompanies fails unless each company's people share one client, named as the company,
// that no other company uses, and the import created no other client.
func checkCompanies(t *testing.T, e *env, g groundTruth, userOfPerson map[string]int, clientsBefore int) {
	t.Helper()
	users := byID(e.sandbox.Users())
	clients := byID(e.sandbox.Customers())
	clientOf := map[string]int{}
	companyOf := map[int]string{}
	for p, u := range userOfPerson {
		c, client := g.persons[p].company, users[u].Int("client_id")
		if old, ok := clientOf[c]; ok && old != client {
			t.Errorf("company %s has clients %d and %d, want one", c, old, client)
		}
		if old, ok := companyOf[client]; ok && old != c {
			t.Errorf("client %d holds people of companies %s and %s", client, old, c)
		}
		clientOf[c], companyOf[client] = client, c
	}
	for c, client := range clientOf {
		got, want := normalize.CompanyKey(clients[client].String("name")), normalize.CompanyKey(g.companies[c])
		if got != want {
			t.Errorf("company %s landed as client %q, want %q", c, clients[client].String("name"), g.companies[c])
		}
	}
	if n := len(e.sandbox.Customers()) - clientsBefore; n != len(g.companies) {
		t.Errorf("import created %d clients, want %d (one per company)", n, len(g.companies))
	}
}

// checkPeople fails unless each person's user carries the person's name.
func checkPeople(t *testing.T, e *env, g groundTruth, userOfPerson map[string]int) {
	t.Helper()
	users := byID(e.sandbox.Users())
	for p, u := range userOfPerson {
		want, got := g.persons[p], users[u]
		if normalize.FoldName(got.String("firstname")) != normalize.FoldName(want.first) ||
			normalize.FoldName(got.String("surname")) != normalize.FoldName(want.last) {
			t.Errorf("person %s landed as %q %q, want %q %q", p, got.String("firstname"), got.String("surname"), want.first, want.last)
		}
	}
}

// checkOptOuts fails unless opted-out people have status Do Not Contact and are in no
// distribution list, and the others do not have that status.
func checkOptOuts(t *testing.T, e *env, g groundTruth, userOfPerson map[string]int) {
	t.Helper()
	ctx := context.Background()
	dnc, err := e.workers.Tenant.StatusID(ctx, lifecycle.DoNotContact)
	if err != nil {
		t.Fatal(err)
	}
	statusOf := map[int]int{}
	for _, tk := range e.sandbox.Tickets() {
		statusOf[tk.Int("user_id")] = tk.Int("status_id")
	}
	listed := listedUsers(t, e)
	for p, u := range userOfPerson {
		want := g.persons[p].dnc
		if got := statusOf[u] == int(dnc); got != want {
			t.Errorf("person %s: status Do Not Contact %v, want %v", p, got, want)
		}
		if want && len(listed[u]) > 0 {
			t.Errorf("opted-out person %s is in distribution lists %v", p, listed[u])
		}
	}
}

// listedUsers returns, for each user, the distribution lists that hold them.
func listedUsers(t *testing.T, e *env) map[int][]string {
	t.Helper()
	ctx := context.Background()
	lists, err := e.halo.DistributionLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][]string{}
	for _, l := range lists {
		full, err := e.halo.DistributionList(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range full.Members {
			out[int(m.UserID)] = append(out[int(m.UserID)], l.Name)
		}
	}
	return out
}

func byID[R interface{ ID() int }](recs []R) map[int]R {
	out := make(map[int]R, len(recs))
	for _, r := range recs {
		out[r.ID()] = r
	}
	return out
}

// TestQualitySecondProviderUpdates imports one provider's export, then another provider's
// export of the same people: the second run updates the existing leads and creates none. The
// remaining exports then still give one user per person.
func TestQualitySecondProviderUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnv(t)
	g := loadTruth(t)
	first := e.importFiles(t, "apollo", unseen(t, "apollo.csv")...)
	users := len(e.sandbox.Users())
	second := e.importFiles(t, "uplead", unseen(t, "uplead.csv")...)
	t.Logf("apollo: created %d; uplead: created %d, updated %d, unchanged %d",
		first.LeadsCreated, second.LeadsCreated, second.LeadsUpdated, second.Unchanged)
	if second.LeadsCreated != 0 || second.LeadsUpdated == 0 {
		t.Errorf("second provider created %d and updated %d leads, want 0 created and some updated",
			second.LeadsCreated, second.LeadsUpdated)
	}
	if n := len(e.sandbox.Users()); n != users {
		t.Errorf("second provider changed the user count from %d to %d", users, n)
	}
	checkOneUserPerPerson(t, g, e.usersOfRows(t, unseen(t, "apollo.csv", "uplead.csv")))

	e.importFiles(t, "rest", unseen(t, "zoominfo.csv", "hunter.csv", "lusha.csv")...)
	checkOneUserPerPerson(t, g, e.usersOfRows(t, unseen(t, unseenExports...)))
	if n := len(e.sandbox.Users()); n != len(g.persons) {
		t.Errorf("after three runs the sandbox holds %d users, want %d", n, len(g.persons))
	}
}

// reviewCLI runs the starter's command line against the env's store and returns its output.
func (e *env) reviewCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	getenv := func(k string) string {
		if k == "HALOLEADS_DATA" {
			return filepath.Dir(e.store.Path())
		}
		return ""
	}
	if code := cli.Run(args, cli.IO{Stdout: &out, Stderr: &errs, Getenv: getenv}); code != 0 {
		t.Fatalf("starter %v: exit %d: %s", args, code, errs.String())
	}
	return out.String()
}

// pendingReviews lists the pending pairs as `starter review --json` prints them.
func (e *env) pendingReviews(t *testing.T) []store.ReviewItem {
	t.Helper()
	var items []store.ReviewItem
	if err := json.Unmarshal([]byte(e.reviewCLI(t, "review", "--json")), &items); err != nil {
		t.Fatalf("decoding review list: %v", err)
	}
	return items
}

// TestQualityReviewDecisions imports two exports holding two pairs just below the automatic
// threshold, decides them with `starter review decide` (Dana Whitlock and "Dana Whitlam" are one
// person, Sam Porter and Sam Potter are two), and imports again with a third export whose row
// resembles both Sams: the "same" pair is now one lead under the surviving ID, the "different"
// pair stays two leads, and neither pair is queued again.
func TestQualityReviewDecisions(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnv(t)
	files := unseen(t, "review/apollo.csv", "review/uplead.csv")
	first := e.importFiles(t, "review-1", files...)
	if first.LeadsCreated != 4 || first.Review != 2 {
		t.Fatalf("first import created %d leads and queued %d pairs, want 4 and 2", first.LeadsCreated, first.Review)
	}
	leads := e.leadsOfRows(t, readRows(t, files))
	dana := sortedPair(leads[rowRef{"apollo.csv", 2}], leads[rowRef{"uplead.csv", 2}])
	sams := sortedPair(leads[rowRef{"apollo.csv", 3}], leads[rowRef{"uplead.csv", 3}])
	ids := map[[2]string]int64{}
	for _, it := range e.pendingReviews(t) {
		ids[[2]string{it.LeftID, it.RightID}] = it.ID
	}
	if ids[dana] == 0 || ids[sams] == 0 {
		t.Fatalf("pending pairs %v, want %v and %v", ids, dana, sams)
	}
	out := e.reviewCLI(t, "review", "decide", strconv.FormatInt(ids[dana], 10), "same")
	out += e.reviewCLI(t, "review", "decide", strconv.FormatInt(ids[sams], 10), "different")
	t.Logf("starter review decide:\n%s", out)

	users := len(e.sandbox.Users())
	second := e.importFiles(t, "review-2", unseen(t, "review/apollo.csv", "review/uplead.csv", "review/lusha.csv")...)
	t.Logf("second import: leads %d, created %d, updated %d, review %d", second.Leads, second.LeadsCreated, second.LeadsUpdated, second.Review)
	if second.LeadsCreated != 0 || second.Leads != 3 {
		t.Errorf("second import: %d leads, %d created; want 3 leads (Dana once, both Sams) and none created",
			second.Leads, second.LeadsCreated)
	}
	if n := len(e.sandbox.Users()); n != users {
		t.Errorf("user count went from %d to %d", users, n)
	}
	checkSurvivor(t, e, dana)
	after := e.leadsOfRows(t, readRows(t, unseen(t, "review/apollo.csv", "review/uplead.csv")))
	if got := sortedPair(after[rowRef{"apollo.csv", 3}], after[rowRef{"uplead.csv", 3}]); got != sams {
		t.Errorf("Sam Porter and Sam Potter are leads %v after the decision, want %v", got, sams)
	}
	if pending := e.pendingReviews(t); len(pending) != 0 {
		t.Errorf("pending after the second import: %+v, want none (decided pairs are not queued again)", pending)
	}
}

func sortedPair(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

// checkSurvivor fails unless both leads of pair now resolve to the survivor (the smaller ID:
// both were first seen in one import), whose workflow holds both providers' records, while
// the other lead keeps its ID and workflow.
func checkSurvivor(t *testing.T, e *env, pair [2]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	survivor := pair[0]
	for _, id := range pair {
		if got, err := e.store.SurvivorOf(ctx, id); err != nil || got != survivor {
			t.Errorf("SurvivorOf(%s) = %q %v, want %s", id, got, err, survivor)
		}
	}
	for _, id := range pair {
		v, err := e.temporal.QueryWorkflow(ctx, leadflow.LeadWorkflowID(id), "", leadflow.QueryState)
		if err != nil {
			t.Fatalf("querying lead %s: %v", id, err)
		}
		var st leadflow.LeadState
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		merged := slices.Contains(st.Lead.Sources, lead.Apollo) && slices.Contains(st.Lead.Sources, lead.UpLead)
		if want := id == survivor; merged != want {
			t.Errorf("lead %s holds sources %v; want both providers merged: %v", id, st.Lead.Sources, want)
		}
	}
}
