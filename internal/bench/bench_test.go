package bench

import (
	"context"
	"slices"
	"testing"
	"time"

	"haloleads/internal/landing"
	"haloleads/internal/lead"
)

// TestThroughput imports about 500 leads under HaloPSA's budget (300 requests per time-scaled
// 5-second window, the sandbox's limit and the client's alike) and checks the counts: at most
// 0.09 requests per lead (the import's reads and one POST per resource and batch, clients with
// their main sites: a first attempt's writes are fenced and need no read-backs, and batches read
// no floors of their own; 35 requests measured, 0.070; the margin is two batches retried and
// read back), no site POST at all (new clients are created with their main site), at most 16
// history events per lead (12.6 measured: a new lead's update-with-start and Landed signal; a
// retried batch signals its leads again), no 429, and a re-import that writes nothing and reads
// at most 0.05 requests per lead, none of them a read of one user or ticket by id.
func TestThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	rep, err := Run(context.Background(), Config{Leads: 500, SkipBaseline: true, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	h := rep.Haloleads
	t.Logf("%d leads: %+v", rep.Leads, h)
	if rep.Summary.Import.LeadsCreated != rep.Leads || rep.Leads == 0 {
		t.Errorf("created %d of %d leads", rep.Summary.Import.LeadsCreated, rep.Leads)
	}
	if h.RequestsPerLead > 0.09 {
		t.Errorf("%.3f requests per lead, want at most 0.09 (by route: %v)", h.RequestsPerLead, h.ByRoute)
	}
	if n := h.ByRoute["POST /api/Site"]; n != 0 {
		t.Errorf("%d site POSTs, want none: new clients are created with their main sites", n)
	}
	if perLead := float64(h.ReimportRequests) / float64(rep.Leads); perLead > 0.05 {
		t.Errorf("re-import: %.3f requests per lead, want at most 0.05 (by route: %v)", perLead, h.ReimportByRoute)
	}
	if n := h.ReimportByRoute["GET /api/Users/{id}"] + h.ReimportByRoute["GET /api/Tickets/{id}"]; n != 0 {
		t.Errorf("re-import read %d users or tickets by id, want none: the mirror holds them (by route: %v)", n, h.ReimportByRoute)
	}
	if h.Responses429 != 0 {
		t.Errorf("%d answers 429, want none within the budget", h.Responses429)
	}
	if h.ReimportWriteRequests != 0 {
		t.Errorf("re-import made %d write requests, want 0", h.ReimportWriteRequests)
	}
	if re := rep.Summary.Reimport; re.LeadsCreated != 0 || re.LeadsUpdated != 0 {
		t.Errorf("re-import created %d and updated %d leads, want none", re.LeadsCreated, re.LeadsUpdated)
	}
	// A lead workflow started landed records at least four events: started, and its first
	// workflow task scheduled, started and completed. Fewer means the sampled lead
	// workflows were not counted.
	if h.HistoryEventsPerLead < 4 || h.HistoryEventsPerLead > 16 {
		t.Errorf("%.1f history events per lead, want the sampled lead workflows' events counted and at most 16", h.HistoryEventsPerLead)
	}
}

// TestBaseline checks the baseline writes one record per request: a search and four creates
// per lead, plus one request per distribution list; leads without a company included.
func TestBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the HaloPSA sandbox over HTTP")
	}
	t.Parallel()
	in, err := Generate(t.TempDir(), 300, 4)
	if err != nil {
		t.Fatal(err)
	}
	leads, err := mergedLeads(in.Files)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(leads, func(l lead.Lead) bool { return landing.Customer(l.Values).Name == "" }) {
		t.Fatal("the input has no lead without a company: pick another seed")
	}
	b, err := RunBaseline(context.Background(), Config{Limit: 1000, Window: time.Second}, in.Files)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(5 * len(leads)); b.HaloRequests < want {
		t.Errorf("baseline made %d requests for %d leads, want at least %d", b.HaloRequests, len(leads), want)
	}
	if b.Windows != float64(b.HaloRequests)/1000 {
		t.Errorf("windows %.3f, want requests / limit", b.Windows)
	}
}

// BenchmarkImport reports haloleads' and the baseline's figures on 1,000 leads. The window is
// one second (300 requests per second) so the baseline finishes in about 20 s; the request
// counts do not depend on it. Run with -benchtime=1x.
func BenchmarkImport(b *testing.B) {
	var rep Report
	for b.Loop() {
		var err error
		rep, err = Run(context.Background(), Config{Leads: 1000, Window: time.Second, Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
	}
	h := rep.Haloleads
	b.ReportMetric(h.RequestsPerLead, "requests/lead")
	b.ReportMetric(h.Windows, "windows")
	b.ReportMetric(float64(h.Responses429), "429s")
	b.ReportMetric(float64(h.ReimportWriteRequests), "reimport-writes")
	b.ReportMetric(h.HistoryEventsPerLead, "events/lead")
	b.ReportMetric(h.WallSPer1000, "wall-s/1000leads")
	b.ReportMetric(h.CPUSPer1000, "cpu-s/1000leads")
	b.ReportMetric(rep.Baseline.RequestsPerLead, "baseline-requests/lead")
	b.ReportMetric(rep.Ratio, "ratio")
}

// TestTenantReimportReadsWhatChanged: against a tenant of 5,200 records (2,500 people and 100
// clients with their sites), after an agent changed 50 of its people (their users and tickets,
// 100 records), a re-import reads only what changed: 2 × ceil(50/100) pages plus one request
// per kind and ticket type and one page read again at each boundary (the read is inclusive),
// 6 in all; nothing else is read (measured: 7 requests), and no more requests than the
// re-import before the change plus those pages. The
// same re-import reading the whole tenant costs more (52+ pages). Neither writes anything.
func TestTenantReimportReadsWhatChanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	const people, changed = 2500, 50
	rep, err := Run(context.Background(), Config{Leads: 100, SkipBaseline: true, Dir: t.TempDir(),
		Tenant: people, TenantChanged: changed, CompareFullRead: true})
	if err != nil {
		t.Fatal(err)
	}
	h := rep.Haloleads
	tf := h.Tenant
	if tf == nil || tf.Incremental == nil || tf.FullRead == nil {
		t.Fatalf("tenant figures missing: %+v", tf)
	}
	t.Logf("tenant %+v; unchanged re-import %d requests; changed: %+v; whole tenant: %+v", *tf, h.ReimportRequests, *tf.Incremental, *tf.FullRead)
	if tf.Records != 2*people+2*100 || tf.ChangedRecords != 2*changed {
		t.Errorf("tenant of %d records, %d changed; want %d and %d", tf.Records, tf.ChangedRecords, 2*people+200, 2*changed)
	}
	pages := 2 * ((changed + 99) / 100)
	if inc := tf.Incremental; inc.TenantReads > pages+6 || inc.HaloRequests > int64(pages)+6 || inc.HaloRequests > h.ReimportRequests+int64(pages)+2 {
		t.Errorf("re-import after %d people changed: %d requests, %d of them tenant reads; want at most %d reads and %d requests (by route %v)",
			changed, inc.HaloRequests, inc.TenantReads, pages+6, min(pages+6, int(h.ReimportRequests)+pages+2), inc.ByRoute)
	}
	full := tf.FullRead
	if full.TenantReads < 2*people/100 || full.HaloRequests <= tf.Incremental.HaloRequests {
		t.Errorf("re-import reading the whole tenant: %d requests, %d tenant reads; want more than the incremental %d and at least %d reads",
			full.HaloRequests, full.TenantReads, tf.Incremental.HaloRequests, 2*people/100)
	}
	for _, r := range []*Reimport{tf.Incremental, full} {
		if r.WriteRequests != 0 || r.Responses429 != 0 {
			t.Errorf("a re-import made %d writes and drew %d answers 429, want none", r.WriteRequests, r.Responses429)
		}
	}
}
