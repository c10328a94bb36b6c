package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"haloleads/internal/dedupe"
	"haloleads/internal/halopsa"
	"haloleads/internal/halostate"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/score"
	"haloleads/internal/sources"
	"haloleads/internal/store"
	"haloleads/internal/suppress"
	"haloleads/internal/tenant"
	"haloleads/internal/visibility"
)

// BatchSize is the number of leads landed per bulk batch: HaloPSA's array POSTs take up to 100.
const BatchSize = 100

// Importer holds the import workflow's activities.
type Importer struct {
	Client   *halopsa.Client
	Tenant   *Tenant
	Store    *store.Store
	Temporal client.Client
	Logger   *zap.Logger
	Dedupe   dedupe.Config
	Fit      score.FitConfig
	// Parallel bounds the concurrent workflow updates of one batch (default 16).
	Parallel int
	// SeparateSites creates a new client's main site with a POST of its own (HALO_NEW_CLIENT_SITE=
	// separate) instead of in the client's POST (newclient_sitename, the default: one request
	// per batch of new companies less; see writer.customer).
	SeparateSites bool
	// SpillDir holds Prepare's de-duplication spill file while it runs ("": the system's
	// temporary directory).
	SpillDir string
}

// PrepareResult is what Prepare found.
type PrepareResult struct {
	Rows    int `json:"rows"`
	Leads   int `json:"leads"`
	Batches int `json:"batches"`
	// Barriers are the batches that continue a company from the batch before them: they must
	// land after every earlier batch (leadflow.ImportCursor).
	Barriers      []int           `json:"barriers,omitempty"`
	Merged        int             `json:"merged"`
	Suppressed    int             `json:"suppressed"`
	Review        int             `json:"review"`
	RejectedCount int             `json:"rejected_count"`
	Rejected      []lead.Rejected `json:"rejected"`
	HaloRequests  int64           `json:"halo_requests"`
	// Floors are the highest HaloPSA ids Prepare read, before the import writes anything (no
	// request of their own): the read-backs of a retried batch stop there.
	Floors halopsa.Floors `json:"floors,omitzero"`
	// Sources says how each file was read (a file that could not be read is reported there and
	// its rows are not used).
	Sources []leadflow.FileReport `json:"sources,omitempty"`
}

// staged is one lead staged for landing.
type staged struct {
	Offer      leadflow.Offer `json:"offer"`
	CompanyKey string         `json:"company_key,omitempty"`
	Company    lead.Values    `json:"company,omitempty"`
	// New is set when no earlier import knew the lead (the store holds no record of it), so it
	// has no workflow yet: its batch may land it itself and start its workflow landed
	// (LandInput.StartNew), if it claims it first.
	New bool `json:"new,omitempty"`
}

// Prepare reads the files, de-duplicates their rows against each other and against the leads
// haloleads and HaloPSA already hold, and stages the merged leads in batches. It reads HaloPSA
// once, in bulk; it writes nothing there.
func (a *Importer) Prepare(ctx context.Context, in leadflow.ImportInput) (PrepareResult, error) {
	var cnt halopsa.Counter // this activity's requests, whatever else shares the client
	ctx = halopsa.WithCounter(ctx, &cnt)
	hb := startHeartbeat(ctx, "reading files") // throughout: dedupe and the tenant read are long
	defer hb.end()
	var res PrepareResult
	known, err := a.Store.Identities(ctx)
	if err != nil {
		return res, err
	}
	// Records are normalised as they are read and spilled to a file, so memory grows with the
	// leads, not with every row and its normalised copy (dedupe.Stream).
	stream, err := dedupe.NewStream(a.SpillDir, dedupe.MapIndex(known), a.Dedupe)
	if err != nil {
		return res, temporal.NewNonRetryableApplicationError(err.Error(), "Dedupe", err)
	}
	defer stream.Close()
	records, rejected, reports, err := a.readFiles(ctx, in, hb, stream)
	if err != nil {
		return res, err
	}
	res.Sources = reports
	res.Rows = len(records) + len(rejected)
	res.RejectedCount = len(rejected)
	res.Rejected = rejected[:min(len(rejected), leadflow.MaxRejectedListed)]
	hb.progress("de-duplicating")
	resolved, err := stream.Collect()
	if err != nil {
		return res, err
	}
	erased, err := a.dropErased(ctx, &resolved)
	if err != nil {
		return res, err
	}
	hb.progress("reading HaloPSA")
	res.Leads, res.Merged = len(resolved.Leads), len(records)-len(resolved.Leads)
	hadKnown, err := a.withKnown(ctx, resolved.Leads)
	if err != nil {
		return res, err
	}
	hb.progress("building offers")
	var invalid map[string]string
	var refused []lead.Rejected
	resolved.Leads, invalid, refused = checkRequired(resolved, hadKnown, records)
	// Rows of a rejected lead count as rejected, not merged: rows = leads + merged + rejected.
	res.Leads, res.Merged = len(resolved.Leads), len(records)-len(refused)-len(resolved.Leads)
	res.RejectedCount += len(refused)
	res.Rejected = append(res.Rejected, refused[:min(len(refused), max(0, leadflow.MaxRejectedListed-len(res.Rejected)))]...)
	halo, err := a.readHalo(ctx)
	if err != nil {
		return res, a.setupChanged(err)
	}
	res.Floors = halo.floors
	items, suppressed, err := a.offers(ctx, in.RunID, resolved.Leads, halo, invalid)
	if err != nil {
		return res, err
	}
	refusedRows := len(refused)
	items, suppressed, refused, err = a.checkTicketType(ctx, items, suppressed, resolved, records)
	if err != nil {
		return res, err
	}
	if len(refused) > 0 {
		resolved.Leads = keptLeads(resolved.Leads, items)
		refusedRows += len(refused)
		res.Leads, res.Merged = len(resolved.Leads), len(records)-refusedRows-len(resolved.Leads)
		res.RejectedCount += len(refused)
		res.Rejected = append(res.Rejected, refused[:min(len(refused), max(0, leadflow.MaxRejectedListed-len(res.Rejected)))]...)
	}
	res.Suppressed = suppressed + erased
	if err := a.saveIdentities(ctx, resolved.Leads); err != nil {
		return res, err
	}
	if !in.DryRun {
		if err := a.Store.SaveKnownLeads(ctx, resolved.Leads); err != nil {
			return res, err
		}
	}
	if res.Review, err = a.queueReview(ctx, resolved.Review); err != nil {
		return res, err
	}
	for i := range items {
		items[i].New = !hadKnown[items[i].Offer.Lead.ID]
	}
	hb.progress("staging")
	size := BatchSize
	if in.BatchSize > 0 && in.BatchSize < size {
		size = in.BatchSize
	}
	res.Batches, res.Barriers, err = a.stage(ctx, in.RunID, items, size)
	res.HaloRequests = cnt.Requests()
	return res, err
}

// checkRequired judges the leads first seen in this import on the design doc's required Lead
// fields (lifecycle.CheckLead): it drops those to reject, reporting each of their rows with the
// reason, and returns the reasons of those that land as Invalid Data. A lead already known from
// an earlier import is not judged again: it landed then. Every lead, known or not, with a value
// longer than HaloPSA takes (landing.TooLong) is rejected the same way: HaloPSA would refuse it.
func checkRequired(res dedupe.Result, known map[string]bool, records []recordRef) ([]lead.Lead, map[string]string, []lead.Rejected) {
	keep := res.Leads[:0]
	invalid := map[string]string{}
	var refused []lead.Rejected
	reject := func(l lead.Lead, reason string) {
		for _, i := range res.Members[l.ID] {
			if i >= 0 && i < len(records) {
				refused = append(refused, lead.Rejected{File: records[i].File, Line: records[i].Line, Reason: reason})
			}
		}
	}
	for _, l := range res.Leads {
		if long := landing.TooLong(l.Values); len(long) > 0 {
			// HaloPSA would refuse the record, known lead or new (landing.TooLong).
			reject(l, "too long for HaloPSA: "+strings.Join(long, "; "))
			continue
		}
		if known[l.ID] {
			keep = append(keep, l)
			continue
		}
		switch c := lifecycle.CheckLead(l.Values); c.Verdict {
		case lifecycle.Reject:
			reject(l, c.Reason)
			continue
		case lifecycle.LandInvalid:
			invalid[l.ID] = c.Reason
		}
		keep = append(keep, l)
	}
	return keep, invalid, refused
}

// checkTicketType rejects the leads whose new lead ticket HaloPSA would refuse because it
// leaves a field the Lead ticket type requires empty (tenant.Result.Required, read from
// HaloPSA): each of their rows is reported with the fields' names, and the other leads land.
// haloleads fills the custom fields it owns, and a text field labelled as a lead field
// (tenant.RequiredField.From), from the lead's data, so a lead is rejected only
// when its data has no value for such a field, or when the field is one haloleads does not
// write. A lead whose ticket HaloPSA holds is not judged: HaloPSA checks mandatory fields on
// new tickets (a refusal of another write is isolated and reported when landing).
func (a *Importer) checkTicketType(ctx context.Context, items []staged, suppressed int, res dedupe.Result, records []recordRef) ([]staged, int, []lead.Rejected, error) {
	tres, err := a.Tenant.Result(ctx)
	if err != nil {
		return nil, 0, nil, err
	}
	required := tres.Required[tenant.Lead]
	if len(required) == 0 {
		return items, suppressed, nil, nil
	}
	typeName := tenant.Lead
	for _, tt := range a.Tenant.Spec.TicketTypes {
		if tt.Key == tenant.Lead {
			typeName = tt.Name
		}
	}
	keep := items[:0]
	var refused []lead.Rejected
	for _, it := range items {
		o := it.Offer
		missing := tenant.Missing(required, landing.TicketFieldValues(o.Lead.Values, o.Lead.Quality, o.Fit), o.Lead.Values)
		if o.Halo.TicketID != 0 || len(missing) == 0 {
			keep = append(keep, it)
			continue
		}
		names := make([]string, len(missing))
		for i, f := range missing {
			names[i] = f.String()
		}
		reason := fmt.Sprintf("HaloPSA's %s ticket type requires %s, which this row does not give", typeName, strings.Join(names, ", "))
		for _, i := range res.Members[o.Lead.ID] {
			if i >= 0 && i < len(records) {
				refused = append(refused, lead.Rejected{File: records[i].File, Line: records[i].Line, Reason: reason})
			}
		}
		if o.Suppressed {
			suppressed--
		}
	}
	return keep, suppressed, refused, nil
}

// keptLeads returns the leads that have an item.
func keptLeads(leads []lead.Lead, items []staged) []lead.Lead {
	ids := make(map[string]bool, len(items))
	for _, it := range items {
		ids[it.Offer.Lead.ID] = true
	}
	return slices.DeleteFunc(leads, func(l lead.Lead) bool { return !ids[l.ID] })
}

// withKnown merges each lead with what earlier imports learnt about it (its known record), so
// that re-importing files already imported, alone or together, offers the same record again,
// and scores the merged record. It returns the IDs of the leads that had a known record.
func (a *Importer) withKnown(ctx context.Context, leads []lead.Lead) (map[string]bool, error) {
	ids := make([]string, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	known, err := a.Store.KnownLeads(ctx, ids)
	if err != nil {
		return nil, err
	}
	prec := a.Dedupe.Precedence
	if prec == nil {
		prec = dedupe.DefaultPrecedence()
	}
	had := make(map[string]bool, len(known))
	for i, l := range leads {
		if k, ok := known[l.ID]; ok {
			leads[i] = dedupe.MergeKnown(k, l, prec)
			leads[i].Quality = score.QualityBy(a.Dedupe.Quality, leads[i].Values, nil)
			had[l.ID] = true
		}
	}
	return had, nil
}

// readFiles reads every file. A file that cannot be read (no provider's header, the wrong
// provider, past the size limit, cut short) is reported on its own and its rows are not used;
// the other files are read whatever happens to one.
//
// An uploaded file that is not in the store, or a store that cannot be read, fails Prepare
// instead: the first for good (MissingUpload), the second to be retried.
func (a *Importer) readFiles(ctx context.Context, in leadflow.ImportInput, hb *heartbeat, s *dedupe.Stream) ([]recordRef, []lead.Rejected, []leadflow.FileReport, error) {
	var records []recordRef
	var rejected []lead.Rejected
	reports := make([]leadflow.FileReport, 0, len(in.Files))
	for i, path := range in.Files {
		recs, rejs, rep, err := a.readFile(ctx, path, in.SourceOf(i), in.SkipUnknown)
		if err != nil {
			return nil, nil, nil, err
		}
		if rep.Error == "" { // a file that failed part-way gives none of its rows
			for _, r := range recs {
				records = append(records, recordRef{File: r.File, Line: r.Line})
				if err := s.Add(r); err != nil {
					return nil, nil, nil, err
				}
			}
			rejected = append(rejected, rejs...)
		}
		reports = append(reports, rep)
		hb.progress("read " + filepath.Base(path))
	}
	return records, rejected, reports, nil
}

// recordRef is where a record came from, kept to report its row if its lead is rejected.
type recordRef struct {
	File string
	Line int
}

// readFile reads one export whole; on a failure the report says why and the rows are dropped.
//
// Its status says what was made of it: a provider's export (imported), a generic contact list
// (generic), a file whose header nothing fits (unrecognised: an error, or skipped when
// skipUnknown is set), or a file that could not be read (unreadable). The error is the store's
// (see readFiles).
func (a *Importer) readFile(ctx context.Context, path string, want lead.Source, skipUnknown bool) ([]lead.Record, []lead.Rejected, leadflow.FileReport, error) {
	rep := leadflow.FileReport{File: path, Status: leadflow.FileUnreadable}
	r, err, storeErr := a.openExport(ctx, path, &rep.File)
	if storeErr != nil {
		return nil, nil, rep, storeErr
	}
	var unknown *sources.UnknownProviderError
	switch {
	case errors.As(err, &unknown) && skipUnknown:
		rep.Status, rep.Skipped, rep.Warnings = leadflow.FileUnrecognised, true, []string{"skipped: " + err.Error()}
		return nil, nil, rep, nil
	case errors.As(err, &unknown):
		rep.Status, rep.Error = leadflow.FileUnrecognised, err.Error()
		return nil, nil, rep, nil
	case err != nil:
		rep.Error = err.Error()
		return nil, nil, rep, nil
	}
	defer r.Close()
	rep.Provider, rep.Encoding, rep.Warnings = r.Source(), r.Encoding(), r.Warnings()
	if want != "" && r.Source() != want {
		rep.Error = fmt.Sprintf("%s looks like a %s export, not %s", rep.File, r.Source().DisplayName(), want.DisplayName())
		return nil, nil, rep, nil
	}
	rep.Status = leadflow.FileImported
	if r.Source() == lead.CSV {
		rep.Status = leadflow.FileGeneric
	}
	var records []lead.Record
	var rejected []lead.Rejected
	for {
		rec, rej, err := r.Next()
		switch {
		case errors.Is(err, io.EOF):
			rep.Encoding = r.Encoding() // now with the rows read as Windows-1252, if any
			rep.Warnings = append(rep.Warnings, r.ValueWarnings()...)
			return records, rejected, rep, nil
		case err != nil:
			rep.Status = leadflow.FileUnreadable
			rep.Error = fmt.Sprintf("%v; none of the file's %d rows read so far is used", err, rep.Rows)
			return nil, nil, rep, nil
		case rej != nil:
			rejected = append(rejected, *rej)
			rep.Rejected++
		default:
			records = append(records, rec)
		}
		rep.Rows++
	}
}

// openExport opens one file of an import: an upload reference (the CLI streams every export
// into the store before it starts the import, so any worker can read it) or a path on this
// worker (the exports pulls write). For an upload it sets *name to the file's name on the
// operator's machine. fileErr is the file's own fault (reported with the file); err is the
// store's: an upload that is not in the store (the files were dropped, or the import was started
// without uploading them) fails the import for good.
func (a *Importer) openExport(ctx context.Context, ref string, name *string) (r *sources.Reader, fileErr, err error) {
	id, ok := store.UploadID(ref)
	if !ok {
		r, err := sources.Open(ref)
		return r, err, nil
	}
	up, rd, err := a.Store.OpenUpload(ctx, id)
	if errors.Is(err, store.ErrUploadMissing) {
		msg := err.Error() + " (the CLI and the workers must share one store: set HALOLEADS_DATABASE_URL for both, or run the CLI beside the worker)"
		return nil, nil, temporal.NewNonRetryableApplicationError(msg, "MissingUpload", err)
	}
	if err != nil {
		return nil, nil, err
	}
	*name = up.Name
	r, fileErr = sources.NewReader(rd, up.Name, sources.WithSeenAt(up.Modified))
	return r, fileErr, nil
}

// haloState is the store's mirror of HaloPSA, brought up to date once per import, and what
// the import asks it: the records matching its leads (never the whole mirror, which grows with
// the tenant).
type haloState struct {
	rd    *halostate.Reader
	types []halopsa.ID // the lead ticket types
	// floors are the highest ids of the mirror (halostate.Reader.Floors).
	floors halopsa.Floors
}

// readHalo brings the store's mirror of HaloPSA up to date, reading only what changed since
// the last import (the whole tenant the first time, see halostate), and keys any record saved
// without match keys (a mirror from before the keys, or keyed by other rules).
func (a *Importer) readHalo(ctx context.Context) (*haloState, error) {
	res, err := a.Tenant.Result(ctx)
	if err != nil {
		return nil, err
	}
	st := &haloState{rd: &halostate.Reader{Client: a.Client, Store: a.Store},
		types: []halopsa.ID{res.TicketTypes[tenant.Lead], res.TicketTypes[tenant.Prospect], res.TicketTypes[tenant.Opportunity]}}
	if _, err := st.rd.Sync(ctx, halostate.Mirror, st.types); err != nil {
		return nil, classify(fmt.Errorf("reading HaloPSA: %w", err))
	}
	if _, err := st.rd.Key(ctx); err != nil {
		return nil, err
	}
	if st.floors, err = st.rd.Floors(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// haloMatches are the HaloPSA records of an import's leads: the matches, and the matched users,
// clients and lead tickets (user id → ticket id).
type haloMatches struct {
	dedupe.HaloMatches
	users   map[int]halopsa.User
	clients map[int]halopsa.Customer
	tickets map[int]int
}

// match finds the leads' and companies' HaloPSA records in the mirror.
func (h *haloState) match(ctx context.Context, leads []lead.Lead, companies []dedupe.Company) (haloMatches, error) {
	var m haloMatches
	var err error
	if m.HaloMatches, err = h.rd.Match(ctx, leads, companies); err != nil {
		return m, err
	}
	userIDs := slices.Sorted(maps.Values(m.Users))
	if m.users, err = h.rd.Users(ctx, slices.Compact(userIDs)); err != nil {
		return m, err
	}
	if m.clients, err = h.rd.Clients(ctx, slices.Compact(slices.Sorted(maps.Values(m.Clients)))); err != nil {
		return m, err
	}
	m.tickets, err = h.rd.LeadTickets(ctx, userIDs, h.types)
	return m, err
}

// offers builds each lead's offer: its merged record, scores, what HaloPSA holds for it now,
// the HaloPSA ids found, and whether the person is on the suppression list.
func (a *Importer) offers(ctx context.Context, runID string, leads []lead.Lead, halo *haloState, invalid map[string]string) ([]staged, int, error) {
	companies := dedupe.GroupByCompany(leads)
	matches, err := halo.match(ctx, leads, companies)
	if err != nil {
		return nil, 0, err
	}
	companyOf := map[string]dedupe.Company{}
	for _, c := range companies {
		for _, id := range c.LeadIDs {
			companyOf[id] = c
		}
	}
	known := map[string]store.Company{}
	for key, id := range matches.Clients {
		known[key] = store.Company{Key: key, ClientID: id, SiteID: int(matches.clients[id].MainSiteID)}
	}
	items := make([]staged, 0, len(leads))
	suppressed := 0
	for _, l := range leads {
		if l.Quality == 0 {
			l.Quality = score.Quality(l.Values)
		}
		o := leadflow.Offer{RunID: runID, Lead: l, Fit: score.Fit(l.Values, a.Fit), Current: lead.Values{}, Invalid: invalid[l.ID]}
		c := companyOf[l.ID]
		// The client is shared by a company's leads and never rewritten, so its values are
		// not this lead's to compare.
		if k, ok := known[c.Key]; ok {
			o.Halo.ClientID, o.Halo.SiteID = k.ClientID, k.SiteID
		}
		if uid, ok := matches.Users[l.ID]; ok {
			u := matches.users[uid]
			o.Halo.UserID, o.Halo.ClientID, o.Halo.SiteID = uid, int(u.ClientID), int(u.SiteID)
			o.Current = leadflow.Overlay(o.Current, landing.UserValues(u))
			if t, ok := matches.tickets[uid]; ok {
				o.Halo.TicketID = t
			}
		}
		// Every key the person has is checked: the list may know them by a phone number or a
		// LinkedIn profile only, and a differently cased address or reformatted number is the
		// same key.
		hits, err := a.Store.Suppressed(ctx, checkKeys(l))
		if err != nil {
			return nil, 0, err
		}
		if o.Suppressed = len(hits) > 0 || l.Values.DoNotContactFlag(); o.Suppressed {
			suppressed++
		}
		if len(hits) == 0 && l.Values.DoNotContactFlag() {
			// A provider's opt-out is recorded on our list: it holds for ever, even when a
			// later file about the same person carries no flag.
			if err := a.Store.Suppress(ctx, optOuts(l)...); err != nil {
				return nil, 0, err
			}
		}
		items = append(items, staged{Offer: o, CompanyKey: c.Key, Company: c.Values})
	}
	if err := a.Store.SaveCompanies(ctx, mapValues(known)...); err != nil {
		return nil, 0, err
	}
	return items, suppressed, nil
}

func (a *Importer) saveIdentities(ctx context.Context, leads []lead.Lead) error {
	keys := map[string]string{}
	for _, l := range leads {
		for _, k := range l.Keys {
			keys[k] = l.ID
		}
	}
	return a.Store.SaveIdentities(ctx, keys)
}

func (a *Importer) queueReview(ctx context.Context, pairs []dedupe.ReviewPair) (int, error) {
	items := make([]store.ReviewItem, 0, len(pairs))
	for _, p := range pairs {
		items = append(items, store.ReviewItem{LeftID: p.LeadA, RightID: p.LeadB, Score: p.Weight, Detail: p.Reason})
	}
	return len(items), a.Store.AddReview(ctx, items...)
}

// stage writes the offers in batches of size, keeping a company's leads together where
// they fit (pack), so a batch creates each client once and batches may land side by side. It
// returns the number of batches and the barriers (batches that must land after all earlier
// ones).
func (a *Importer) stage(ctx context.Context, runID string, items []staged, size int) (int, []int, error) {
	p := pack(items, size)
	for batches, chunk := range p.batches {
		rows := make([]store.Staged, 0, len(chunk))
		for _, it := range chunk {
			b, err := json.Marshal(it)
			if err != nil {
				return 0, nil, fmt.Errorf("encoding staged lead: %w", err)
			}
			rows = append(rows, store.Staged{LeadID: it.Offer.Lead.ID, Payload: b})
		}
		if err := a.Store.StageBatch(ctx, runID, batches, rows); err != nil {
			return 0, nil, err
		}
	}
	return len(p.batches), p.barriers, nil
}

// LandInput names one staged batch.
type LandInput struct {
	RunID    string            `json:"run_id"`
	Batch    int               `json:"batch"`
	DryRun   bool              `json:"dry_run,omitempty"`
	Settings leadflow.Settings `json:"settings"`
	// Floors are ids below every record this batch can create (the import's floors raised by
	// the batches landed before it); zero: LandBatch reads them itself.
	Floors halopsa.Floors `json:"floors,omitzero"`
	// StartNew lands the batch's new leads (staged New, claimed by this batch) without their
	// workflows: the batch plans them itself and then starts each workflow once, landed
	// (landedstart.go). Unset: every lead is offered to its workflow, as before.
	StartNew bool `json:"start_new,omitempty"`
}

// LandResult counts what one batch did.
type LandResult struct {
	Created      int      `json:"created"`
	Updated      int      `json:"updated"`
	Unchanged    int      `json:"unchanged"`
	HaloRequests int64    `json:"halo_requests"`
	HaloWrites   int64    `json:"halo_writes"`
	Errors       []string `json:"errors,omitempty"`
	// Top holds the highest HaloPSA ids of the batch's records: the next batch's floors.
	Top halopsa.Floors `json:"top,omitzero"`
}

// LandBatch lands one batch: each lead's workflow decides what to write (update-with-start, so
// the workflow exists afterwards whatever happens), the writes go to HaloPSA as array POSTs of
// up to 100 records per resource, and each lead learns its HaloPSA ids back by signal.
func (a *Importer) LandBatch(ctx context.Context, in LandInput) (res LandResult, err error) {
	var cnt halopsa.Counter
	earlier, err := a.countAttempts(ctx, in, &cnt)
	if err != nil {
		return res, err
	}
	ctx = halopsa.WithCounter(ctx, &cnt)
	defer func() {
		res.HaloRequests, res.HaloWrites = earlier.Requests+cnt.Requests(), earlier.Writes+cnt.Writes()
	}()
	var prev LandProgress
	if activity.IsActivity(ctx) && activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &prev) // unreadable progress: start over, safely
	}
	hb := startHeartbeat(ctx, LandProgress{Stage: "planning", Floors: prev.Floors, Done: prev.Done, IDs: prev.IDs})
	defer hb.end()
	var w *writer
	defer func() {
		if err != nil && !in.DryRun {
			a.keepProgress(ctx, in, w, prev)
		}
	}()
	rows, err := a.Store.Batch(ctx, in.RunID, in.Batch)
	if errors.Is(err, store.ErrBatchMissing) {
		// Never a silent zero: the batch was staged by Prepare, so its loss is a fault to see.
		return res, temporal.NewNonRetryableApplicationError(err.Error(), "MissingBatch", err)
	}
	if err != nil {
		return res, err
	}
	items := make([]staged, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal(r.Payload, &items[i]); err != nil {
			return res, temporal.NewNonRetryableApplicationError("decoding staged lead", "Staging", err)
		}
	}
	var plans []leadflow.Plan
	var starts []bool
	if in.DryRun {
		plans, err = a.dryRun(ctx, in, items)
	} else {
		plans, starts, err = a.plan(ctx, in, items)
	}
	if err != nil {
		return res, err
	}
	seen, err := a.mirrored(ctx, plans, items)
	if err != nil {
		return res, err
	}
	for i, p := range plans {
		a.Logger.Debug("lead plan", zap.String("lead", p.LeadID), zap.String("action", string(p.Action)),
			zap.Int("fields", len(p.Write)), zap.Int("preserved", len(p.Preserved)))
		switch p.Action {
		case leadflow.ActionCreate:
			res.Created++
		case leadflow.ActionUpdate:
			res.Updated++
		default:
			gone, err := a.deletedInHalo(ctx, p, items[i].Offer, seen)
			if err != nil {
				return res, err
			}
			if gone != "" {
				res.Errors = append(res.Errors, fmt.Sprintf("lead %s: its %s was deleted in HaloPSA, and this import changes nothing on the lead, so nothing was written (not counted as unchanged)", p.LeadID, gone))
				continue
			}
			res.Unchanged++
		}
	}
	if in.DryRun {
		return res, nil
	}
	w = newWriter(a, in.RunID, items, plans, hb)
	w.starts = starts
	w.first = activity.GetInfo(ctx).Attempt == 1
	w.prog.Floors = in.Floors
	w.resume(prev)
	if err := w.write(w.fenced(ctx)); err != nil {
		return res, a.setupChanged(err)
	}
	w.reportRefused(&res)
	res.Top = w.top()
	return res, a.tellLeads(ctx, in, w)
}

// countAttempts makes cnt record this attempt's requests and writes in the store after each
// write (before a crash can lose them), and returns what the batch's earlier attempts recorded:
// a batch's counts include the writes of an attempt whose worker died.
func (a *Importer) countAttempts(ctx context.Context, in LandInput, cnt *halopsa.Counter) (store.LandCount, error) {
	if in.DryRun || !activity.IsActivity(ctx) {
		return store.LandCount{}, nil
	}
	attempt := int(activity.GetInfo(ctx).Attempt)
	var earlier store.LandCount
	if attempt > 1 {
		var err error
		if earlier, err = a.Store.EarlierLandCounts(ctx, in.RunID, in.Batch, attempt); err != nil {
			return earlier, err
		}
	}
	var mu sync.Mutex
	cnt.OnWrite = func() {
		mu.Lock()
		defer mu.Unlock()
		c := store.LandCount{Requests: cnt.Requests(), Writes: cnt.Writes()}
		if err := a.Store.SaveLandCount(context.WithoutCancel(ctx), in.RunID, in.Batch, attempt, c); err != nil {
			a.Logger.Warn("recording a batch's HaloPSA writes", zap.Int("batch", in.Batch), zap.Error(err))
		}
	}
	return earlier, nil
}

// deletedInHalo names the HaloPSA record of an unchanged lead that no longer exists ("" when
// all do), so that a lead whose user or ticket was deleted in HaloPSA is not reported as
// unchanged. Prepare's read found the lead's records by matching (Offer.Halo) or holds them in
// its mirror (seen, see mirrored); only a record the lead holds that no read saw is looked up,
// by id.
func (a *Importer) deletedInHalo(ctx context.Context, p leadflow.Plan, o leadflow.Offer, seen mirroredIDs) (string, error) {
	check := []struct {
		what      string
		held, got int
		seen      map[int]bool
		read      func(context.Context, halopsa.ID) error
	}{
		{"user", p.Halo.UserID, o.Halo.UserID, seen.users, func(ctx context.Context, id halopsa.ID) error { _, err := a.Client.User(ctx, id); return err }},
		{"lead ticket", p.Halo.TicketID, o.Halo.TicketID, seen.tickets, func(ctx context.Context, id halopsa.ID) error { _, err := a.Client.Ticket(ctx, id); return err }},
	}
	for _, c := range check {
		if c.held == 0 || c.got == c.held || c.seen[c.held] {
			continue
		}
		err := c.read(ctx, halopsa.ID(c.held))
		if halopsa.IsNotFound(err) {
			return fmt.Sprintf("HaloPSA %s %d", c.what, c.held), nil
		}
		if err != nil {
			return "", classify(fmt.Errorf("reading HaloPSA %s %d: %w", c.what, c.held, err))
		}
	}
	return "", nil
}

// mirroredIDs are the users and tickets of a batch's unchanged leads that the store's mirror of
// HaloPSA holds.
type mirroredIDs struct{ users, tickets map[int]bool }

// mirrored returns which of the users and tickets the batch's unchanged leads hold, and that
// Prepare's matching did not find, the mirror holds: a read of HaloPSA saw them, as it saw
// the records matching finds (a lead without an e-mail address is matched by no key a HaloPSA
// user has). One store query per kind instead of a HaloPSA read per record.
func (a *Importer) mirrored(ctx context.Context, plans []leadflow.Plan, items []staged) (mirroredIDs, error) {
	var users, tickets []int
	for i, p := range plans {
		if p.Action != leadflow.ActionNone {
			continue
		}
		if h, o := p.Halo, items[i].Offer.Halo; h.UserID != 0 && h.UserID != o.UserID {
			users = append(users, h.UserID)
		}
		if h, o := p.Halo, items[i].Offer.Halo; h.TicketID != 0 && h.TicketID != o.TicketID {
			tickets = append(tickets, h.TicketID)
		}
	}
	var seen mirroredIDs
	var err error
	if seen.users, err = a.mirrorHolds(ctx, halostate.KindUser, users); err != nil {
		return seen, err
	}
	seen.tickets, err = a.mirrorHolds(ctx, halostate.KindTicket, tickets)
	return seen, err
}

func (a *Importer) mirrorHolds(ctx context.Context, kind string, ids []int) (map[int]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	recs, err := a.Store.MirrorRecords(ctx, kind, ids)
	if err != nil {
		return nil, err
	}
	held := make(map[int]bool, len(recs))
	for id := range recs {
		held[id] = true
	}
	return held, nil
}

// plan asks each lead's workflow for its plan, starting the workflow if it does not exist.
// The update ID is the run and lead, so a retried activity gets the same answers. With
// in.StartNew, a new lead this batch claims is planned here instead, as its workflow would
// (starts[i] is set: tellLeads starts its workflow once it has landed).
func (a *Importer) plan(ctx context.Context, in LandInput, items []staged) (plans []leadflow.Plan, starts []bool, err error) {
	plans = make([]leadflow.Plan, len(items))
	starts = make([]bool, len(items))
	errs := make([]error, len(items))
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.Offer.Lead.ID
	}
	ended, err := EndedInputs(ctx, a.Store, ids) // leads whose workflow ended start from their state
	if err != nil {
		return nil, nil, err
	}
	claims, err := a.claim(ctx, in, items, ended)
	if err != nil {
		return nil, nil, err
	}
	sem := make(chan struct{}, max(a.Parallel, 16))
	var wg sync.WaitGroup
	for i := range items {
		o := items[i].Offer
		o.Batch = in.Batch
		start := leadflow.LeadInput{LeadID: o.Lead.ID, Settings: in.Settings}
		if k, ok := ended[o.Lead.ID]; ok {
			start.State = k.State
		} else if c, ok := claims[o.Lead.ID]; ok && c.Start {
			if c.Owns(in.RunID, in.Batch) {
				plans[i], starts[i] = leadflow.PlanNewLead(o.Lead.ID, o), true
				continue
			}
			start.State = awaitingLanding(o.Lead.ID, c)
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			plans[i], errs[i] = a.offer(ctx, in, o, start)
		}()
	}
	wg.Wait()
	return plans, starts, errors.Join(errs...)
}

// offer asks the lead's workflow for its plan; start is the input that starts the workflow
// when it is not running (a new lead, or one that ended, with its kept state).
func (a *Importer) offer(ctx context.Context, in LandInput, o leadflow.Offer, startIn leadflow.LeadInput) (leadflow.Plan, error) {
	opts := client.StartWorkflowOptions{
		ID:                       leadflow.LeadWorkflowID(o.Lead.ID),
		TaskQueue:                leadflow.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
	if startIn.State == nil {
		// A new lead starts listed as its answer to this offer will list it, so that the
		// workflow upserts no search attribute or memo of its own (two history events and two
		// visibility writes per lead). Ignored when the workflow is running.
		l := leadflow.NewLeadListing(o.Lead.ID, o)
		opts.TypedSearchAttributes, opts.Memo = visibility.Attributes(l), map[string]any{"name": l.Name}
		startIn.Listed = &l
	}
	start := a.Temporal.NewWithStartWorkflowOperation(opts, leadflow.LeadWorkflow, startIn)
	h, err := a.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     in.RunID + "/" + o.Lead.ID,
			UpdateName:   leadflow.UpdateOffer,
			Args:         []any{o},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return leadflow.Plan{}, fmt.Errorf("offering lead %s to its workflow: %w", o.Lead.ID, err)
	}
	var p leadflow.Plan
	if err := h.Get(ctx, &p); err != nil {
		return leadflow.Plan{}, fmt.Errorf("planning lead %s: %w", o.Lead.ID, err)
	}
	return p, nil
}

// keepProgress records in the store what a failing attempt of a batch knows it created (the
// writer's ids, or those an earlier attempt left in the heartbeat), so that AbandonBatch can
// tell the leads of a batch that fails for good, whatever the failure.
func (a *Importer) keepProgress(ctx context.Context, in LandInput, w *writer, prev LandProgress) {
	if !activity.IsActivity(ctx) {
		return
	}
	p := prev
	if w != nil {
		p = w.record("failed")
	}
	if len(p.IDs) == 0 {
		return
	}
	b, err := json.Marshal(p)
	if err == nil {
		err = a.Store.SaveLandProgress(context.WithoutCancel(ctx), in.RunID, in.Batch, b)
	}
	if err != nil {
		a.Logger.Warn("recording a failed batch's HaloPSA ids", zap.Int("batch", in.Batch), zap.Error(err))
	}
}

// AbandonInput names a batch that failed for good, with the progress its last attempt recorded
// (when the failure carried it).
type AbandonInput struct {
	RunID    string        `json:"run_id"`
	Batch    int           `json:"batch"`
	Progress *LandProgress `json:"progress,omitempty"`
	// Settings are the lead workflows' (LandInput.StartNew): a new lead the batch claimed
	// and did not start gets its workflow here.
	Settings *leadflow.Settings `json:"settings,omitempty"`
}

// AbandonResult is what a batch that failed for good sent to HaloPSA, over all its attempts.
type AbandonResult struct {
	HaloRequests int64 `json:"halo_requests"`
	HaloWrites   int64 `json:"halo_writes"`
}

// AbandonBatch tells each lead of a batch that failed for good that its offer will not land,
// with the HaloPSA ids the batch is known to have created (from the failure's heartbeat, or
// what its last attempt recorded in the store), so the leads do not wait for it and do not
// take what it wrote for a person's edit. It returns the requests and writes every attempt of
// the batch recorded, for the summary: what HaloPSA applied counts, landed or not.
func (a *Importer) AbandonBatch(ctx context.Context, in AbandonInput) (AbandonResult, error) {
	var res AbandonResult
	counts, err := a.Store.LandCounts(ctx, in.RunID, in.Batch)
	if err != nil {
		return res, err
	}
	res.HaloRequests, res.HaloWrites = counts.Requests, counts.Writes
	rows, err := a.Store.Batch(ctx, in.RunID, in.Batch)
	if err != nil {
		return res, err
	}
	progress, err := a.failedProgress(ctx, in)
	if err != nil {
		return res, err
	}
	var errs []error
	for i, r := range rows {
		l := leadflow.Landed{RunID: in.RunID, Batch: in.Batch, Abandoned: true}
		if progress != nil && len(progress.IDs) == len(rows) {
			l.Halo = progress.IDs[i]
		}
		err := a.Temporal.SignalWorkflow(ctx, leadflow.LeadWorkflowID(r.LeadID), "", leadflow.SignalLanded, l)
		if isNotFound(err) && in.Settings != nil {
			err = a.startAbandoned(ctx, in, r, l)
		}
		if err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("telling lead %s its batch failed: %w", r.LeadID, err))
		}
	}
	return res, errors.Join(errs...)
}

// failedProgress is the progress of a failed batch: the one its failure carried, else the one
// its last attempt recorded in the store (nil when neither exists).
func (a *Importer) failedProgress(ctx context.Context, in AbandonInput) (*LandProgress, error) {
	if in.Progress != nil {
		return in.Progress, nil
	}
	raw, err := a.Store.LandProgress(ctx, in.RunID, in.Batch)
	if err != nil || raw == nil {
		return nil, err
	}
	var p LandProgress
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("decoding the progress of batch %d: %w", in.Batch, err)
	}
	return &p, nil
}

// Finish drops the run's staging area.
func (a *Importer) Finish(ctx context.Context, runID string) error {
	return a.Store.DropRun(ctx, runID)
}

func mapValues(m map[string]store.Company) []store.Company {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]store.Company, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

// optOuts are the suppression entries of a lead a provider flagged as opted out.
func optOuts(l lead.Lead) []store.Suppression {
	keys := suppressionKeys(l)
	out := make([]store.Suppression, 0, len(keys))
	for _, k := range keys {
		out = append(out, store.Suppression{Key: k, LeadID: l.ID, Reason: "opt-out flag in provider data", Source: sourceList(l.Sources)})
	}
	return out
}

// checkKeys are the keys a lead is checked under: its suppression keys and its company's domain
// (`suppress add --domain` suppresses everyone at it).
func checkKeys(l lead.Lead) []string {
	return suppress.Merge(l.Keys, suppress.Keys(l.Values, suppress.Options{Domain: true}))
}

// suppressionKeys are the suppression keys of a lead: its identity keys and every key of its values.
func suppressionKeys(l lead.Lead) []string {
	return suppress.Merge(l.Keys, suppress.Keys(l.Values, suppress.Options{}))
}

func sourceList(srcs []lead.Source) string {
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = string(s)
	}
	return strings.Join(names, ",")
}

// isNotFound reports whether Temporal answered that the workflow does not exist.
func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// dropErased removes from res the people erased with `starter forget` (suppressed with reason
// erased) and the review pairs naming them: nothing about them is staged, saved or written. It
// returns how many were dropped.
func (a *Importer) dropErased(ctx context.Context, res *dedupe.Result) (int, error) {
	keep, gone := res.Leads[:0], map[string]bool{}
	for _, l := range res.Leads {
		hits, err := a.Store.Suppressed(ctx, suppressionKeys(l))
		if err != nil {
			return 0, err
		}
		if slices.ContainsFunc(hits, func(s store.Suppression) bool { return s.Reason == suppress.ReasonErased }) {
			gone[l.ID] = true
			continue
		}
		keep = append(keep, l)
	}
	res.Leads = keep
	if len(gone) > 0 {
		res.Review = slices.DeleteFunc(res.Review, func(p dedupe.ReviewPair) bool { return gone[p.LeadA] || gone[p.LeadB] })
	}
	return len(gone), nil
}
