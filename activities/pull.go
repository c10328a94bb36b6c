package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"haloleads/internal/enrich"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/providers"
	"haloleads/internal/sources"
	"haloleads/internal/store"
	"haloleads/internal/suppress"
)

// Puller holds the pull workflow's activities: the provider clients and the store that
// remembers who was bought and holds the pulled exports. An export is stored as an upload of
// the run (the same place the CLI streams import files to), so the page's enrichment and the
// run's import read it on whichever worker they run; the import drops it when it finishes.
type Puller struct {
	Providers map[lead.Source]providers.Provider
	Store     *store.Store
	Plan      enrich.Plan
	Logger    *zap.Logger
}

// PullPageInput asks for one page of a pull.
type PullPageInput struct {
	RunID  string      `json:"run_id"`
	Source lead.Source `json:"source"`
	Query  string      `json:"query"`
	Cursor string      `json:"cursor,omitempty"`
	Page   int         `json:"page"`
	// Budget is what the run has left.
	Budget int `json:"budget"`
}

// PullPageResult is what one page bought: counts and the export written, never people.
type PullPageResult struct {
	Found         int `json:"found"`
	AlreadyBought int `json:"already_bought"`
	// Suppressed counts the people of the page on the suppression list: skipped before any
	// credit is spent on them.
	Suppressed int `json:"suppressed,omitempty"`
	Bought     int `json:"bought"`
	Credits    int `json:"credits"`
	// File is the reference of the export stored (an upload reference; a path on the worker
	// in histories of earlier versions).
	File            string `json:"file,omitempty"`
	Next            string `json:"next,omitempty"`
	BudgetExhausted bool   `json:"budget_exhausted,omitempty"`
	QuotaExhausted  bool   `json:"quota_exhausted,omitempty"`
	// Unconfirmed counts people not bought because an earlier attempt recorded the intent to
	// buy them and never the purchase (see store.IntendPurchase).
	Unconfirmed int `json:"unconfirmed,omitempty"`
}

// PullPage searches one page, skips the people bought before, buys the rest within the budget
// (a search result without an email is enriched; one with an email, as Hunter returns them, was
// bought by the search), writes them as the provider's export and marks them bought. A retry
// after a failure buys only what was not marked.
func (a *Puller) PullPage(ctx context.Context, in PullPageInput) (PullPageResult, error) {
	var res PullPageResult
	src, err := a.searcher(in.Source)
	if err != nil {
		return res, err
	}
	q, err := enrich.ParseQuery(in.Query)
	if err != nil {
		return res, temporal.NewNonRetryableApplicationError(err.Error(), "BadQuery", err)
	}
	page, err := src.Search(ctx, q, in.Cursor)
	if err != nil {
		return res, providerError(err)
	}
	res.Found, res.Credits, res.Next = len(page.Records), page.Credits, page.Next
	fresh, err := a.unbought(ctx, in.Source, page.Records)
	if err != nil {
		return res, err
	}
	res.AlreadyBought = len(page.Records) - len(fresh)
	if fresh, res.Suppressed, err = a.unsuppressed(ctx, fresh); err != nil {
		return res, err
	}
	if n := in.Budget - res.Credits; n < len(fresh) {
		res.BudgetExhausted, fresh = true, fresh[:max(n, 0)]
	}
	if fresh, res.Unconfirmed, err = a.intend(ctx, in, fresh); err != nil {
		return res, err
	}
	recs, credits, err := a.buy(ctx, src, fresh)
	res.Credits += credits
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, res) // the spend, counts only
	}
	ae := providers.AsAPIError(err)
	switch {
	case ae != nil && ae.QuotaExhausted:
		// The provider sold what it returned and refused the rest: those may be bought later.
		if rerr := a.Store.ReleasePurchase(ctx, in.Source, personKeys(unsold(fresh, recs))...); rerr != nil {
			return res, rerr
		}
		res.QuotaExhausted, fresh = true, recs
	case err != nil && refused(ae):
		if rerr := a.Store.ReleasePurchase(ctx, in.Source, personKeys(fresh)...); rerr != nil {
			return res, rerr
		}
		return res, providerError(err)
	case err != nil:
		return res, providerError(err) // the outcome is unknown: the intents stay open
	}
	return a.keep(ctx, in, fresh, recs, res)
}

// intend records the purchase intent of fresh before anything is bought. People whose intent
// is already open (an earlier attempt may have paid for them and crashed before recording it)
// are not bought again: they are counted as unconfirmed and left to the operator.
func (a *Puller) intend(ctx context.Context, in PullPageInput, fresh []lead.Record) ([]lead.Record, int, error) {
	open, err := a.Store.IntendPurchase(ctx, in.Source, in.RunID, in.Page, personKeys(fresh)...)
	if err != nil {
		return nil, 0, fmt.Errorf("recording purchase intents: %w", err)
	}
	if len(open) == 0 {
		return fresh, 0, nil
	}
	out := fresh[:0:0]
	for _, r := range fresh {
		if !open[personKey(r)] {
			out = append(out, r)
		}
	}
	a.logger().Warn("people not bought again: an earlier attempt may have paid for them without recording it",
		zap.String("run", in.RunID), zap.String("source", string(in.Source)), zap.Int("page", in.Page), zap.Int("people", len(open)))
	return out, len(open), nil
}

// refused reports whether the provider certainly did not sell anything: it refused the
// request (a 4xx, a rate limit) rather than failing in a way that leaves the outcome unknown.
func refused(ae *providers.APIError) bool {
	return ae != nil && ae.StatusCode >= 400 && ae.StatusCode < 500
}

// unsold returns the records of asked that recs (what the provider sold) does not hold.
func unsold(asked, recs []lead.Record) []lead.Record {
	sold := map[string]bool{}
	for _, r := range recs {
		sold[personKey(r)] = true
	}
	var out []lead.Record
	for _, r := range asked {
		if !sold[personKey(r)] {
			out = append(out, r)
		}
	}
	return out
}

// keep stores the bought records as an export and marks the people asked about as bought.
func (a *Puller) keep(ctx context.Context, in PullPageInput, asked, recs []lead.Record, res PullPageResult) (PullPageResult, error) {
	if len(recs) > 0 {
		ref, err := a.saveExport(ctx, in.RunID, in.Page, in.Source, recs)
		if err != nil {
			return res, err
		}
		res.File = ref
	}
	if err := a.Store.MarkBought(ctx, in.Source, personKeys(asked)...); err != nil {
		a.dropExports(ctx, res.File)
		return res, fmt.Errorf("recording purchases: %w", err)
	}
	res.Bought = len(recs)
	a.logger().Info("pulled a page", zap.String("run", in.RunID), zap.String("source", string(in.Source)),
		zap.Int("page", in.Page), zap.Int("bought", res.Bought), zap.Int("credits", res.Credits))
	return res, nil
}

// buy enriches the records that lack an email; the others came complete from the search.
func (a *Puller) buy(ctx context.Context, src providers.Searcher, fresh []lead.Record) ([]lead.Record, int, error) {
	var teasers, complete []lead.Record
	for _, r := range fresh {
		if r.Get(lead.Email) == "" {
			teasers = append(teasers, r)
		} else {
			complete = append(complete, r)
		}
	}
	if len(teasers) == 0 {
		return complete, 0, nil
	}
	recs, credits, err := src.Enrich(ctx, teasers)
	return append(complete, recs...), credits, err
}

// unbought returns the records whose person was not bought before.
func (a *Puller) unbought(ctx context.Context, src lead.Source, recs []lead.Record) ([]lead.Record, error) {
	bought, err := a.Store.Bought(ctx, src, personKeys(recs))
	if err != nil {
		return nil, fmt.Errorf("reading purchases: %w", err)
	}
	var out []lead.Record
	for _, r := range recs {
		if !bought[personKey(r)] {
			out = append(out, r)
		}
	}
	return out, nil
}

// unsuppressed drops the records whose person is on the suppression list, by any key the
// record has (a search result may carry only the provider's id and a name), and counts them.
func (a *Puller) unsuppressed(ctx context.Context, recs []lead.Record) ([]lead.Record, int, error) {
	out := recs[:0:0]
	for _, r := range recs {
		keys := suppress.Keys(r.Values, suppress.Options{Domain: true})
		if k := suppress.ProviderKey(r.Source, r.SourceID); k != "" {
			keys = append(keys, k)
		}
		hit, err := a.Store.IsSuppressed(ctx, keys...)
		if err != nil {
			return nil, 0, fmt.Errorf("checking the suppression list: %w", err)
		}
		if !hit {
			out = append(out, r)
		}
	}
	return out, len(recs) - len(out), nil
}

// EnrichPageInput asks for the waterfall over one page's export.
type EnrichPageInput struct {
	RunID  string `json:"run_id"`
	Page   int    `json:"page"`
	File   string `json:"file"`
	Budget int    `json:"budget"`
}

// EnrichPageResult is what the waterfall bought for a page: credits, supplies and the
// exports written (one per provider that supplied something).
type EnrichPageResult struct {
	Credits         map[lead.Source]int `json:"credits"`
	Spent           int                 `json:"spent"`
	Supplied        []leadflow.Supplied `json:"supplied,omitempty"`
	Files           []string            `json:"files,omitempty"`
	BudgetExhausted bool                `json:"budget_exhausted,omitempty"`
	Errors          []string            `json:"errors,omitempty"`
}

// EnrichPage runs the enrichment waterfall over a page's export and writes what each provider
// supplied as that provider's export. It heartbeats the credits spent, so that a retry (after
// a rate limit) counts them against the budget and reports them.
func (a *Puller) EnrichPage(ctx context.Context, in EnrichPageInput) (EnrichPageResult, error) {
	recs, err := a.readExport(ctx, in.File)
	if err != nil {
		return EnrichPageResult{}, err
	}
	// Nobody on the suppression list is enriched: no credit is spent on them.
	recs, skipped, err := a.unsuppressed(ctx, recs)
	if err != nil {
		return EnrichPageResult{}, err
	}
	if skipped > 0 {
		a.logger().Info("suppressed people left out of enrichment", zap.String("run", in.RunID), zap.Int("people", skipped))
	}
	prior := map[lead.Source]int{}
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &prior)
	}
	spentBefore := sum(prior)
	wf := enrich.Waterfall{Plan: a.Plan, Providers: a.Providers}
	wres, err := wf.Run(ctx, recs, in.Budget-spentBefore, func(r enrich.Result) {
		activity.RecordHeartbeat(ctx, addCredits(prior, r.Credits))
	})
	if err != nil {
		return EnrichPageResult{}, providerError(err)
	}
	res := EnrichPageResult{Credits: addCredits(prior, wres.Credits), BudgetExhausted: wres.BudgetExhausted}
	res.Spent = sum(res.Credits)
	res.Supplied = append(res.Supplied, wres.Supplied...)
	for _, f := range wres.Failures {
		res.Errors = append(res.Errors, fmt.Sprintf("%s by %s skipped: %s", f.Rule, f.Source.DisplayName(), f.Error))
	}
	res.Files, err = a.saveBySource(ctx, in, wres.Records)
	return res, err
}

// saveBySource stores recs as one export per provider, in the plan's provider order. When one
// cannot be stored, those stored before it are dropped (a retry stores them again).
func (a *Puller) saveBySource(ctx context.Context, in EnrichPageInput, recs []lead.Record) ([]string, error) {
	var refs []string
	for _, src := range a.Plan.Sources() {
		var mine []lead.Record
		for _, r := range recs {
			if r.Source == src {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue
		}
		ref, err := a.saveExport(ctx, in.RunID, in.Page, src, mine)
		if err != nil {
			a.dropExports(ctx, refs...)
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// saveExport stores recs as src's export of the run's page in the store and returns its
// reference, which the page's enrichment and the run's import open on any worker.
func (a *Puller) saveExport(ctx context.Context, runID string, page int, src lead.Source, recs []lead.Record) (string, error) {
	var buf bytes.Buffer
	if err := enrich.EncodeExport(&buf, src, recs); err != nil {
		return "", err
	}
	name := fmt.Sprintf("pull-%s-page-%04d-%s.csv", runID, page, src)
	up, err := a.Store.PutUpload(ctx, runID, name, time.Now(), &buf)
	if err != nil {
		return "", fmt.Errorf("storing the pulled %s export: %w", src.DisplayName(), err)
	}
	return up.Ref(), nil
}

// dropExports deletes stored exports no result will name (a failed attempt's). A failure is
// only logged: the import run drops its uploads when it finishes anyway.
func (a *Puller) dropExports(ctx context.Context, refs ...string) {
	var ids []string
	for _, ref := range refs {
		if id, ok := store.UploadID(ref); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	if err := a.Store.DropUploads(context.WithoutCancel(ctx), ids...); err != nil {
		a.logger().Warn("dropping the exports of a failed attempt", zap.Error(err))
	}
}

// readExport reads a page's export: from the store (an upload reference), or from this
// worker's disk (a path, as pulls of earlier versions wrote them). An export that is not
// there fails the page for good.
func (a *Puller) readExport(ctx context.Context, ref string) ([]lead.Record, error) {
	id, ok := store.UploadID(ref)
	if !ok {
		recs, err := enrich.ReadExport(ref)
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError(err.Error(), "BadFile", err)
		}
		return recs, nil
	}
	up, data, err := a.loadUpload(ctx, id)
	if errors.Is(err, store.ErrUploadMissing) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "MissingUpload", err)
	}
	if err != nil {
		return nil, err // the store's: retried
	}
	recs, err := enrich.DecodeExport(bytes.NewReader(data), up.Name, sources.WithSeenAt(up.Modified))
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "BadFile", err)
	}
	return recs, nil
}

// searcher returns the client that can search src.
func (a *Puller) searcher(src lead.Source) (providers.Searcher, error) {
	p, ok := a.Providers[src]
	if !ok {
		err := fmt.Errorf("%s has no API credentials configured", src.DisplayName())
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "NoProvider", err)
	}
	s, ok := p.(providers.Searcher)
	if !ok {
		err := fmt.Errorf("%s cannot search; pull from Apollo.io, ZoomInfo or Hunter.io", src.DisplayName())
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "NoSearch", err)
	}
	return s, nil
}

// loadUpload reads a stored export whole (a page's export is small), so that the store's
// errors and the export's own are told apart.
func (a *Puller) loadUpload(ctx context.Context, id string) (store.Upload, []byte, error) {
	up, rd, err := a.Store.OpenUpload(ctx, id)
	if err != nil {
		return up, nil, err
	}
	data, err := io.ReadAll(rd)
	return up, data, err
}

func (a *Puller) logger() *zap.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return zap.NewNop()
}

// providerError tells Temporal how to retry a provider error: after the provider's wait when
// it said one, not at all when the quota is spent or the request was refused.
func providerError(err error) error {
	ae := providers.AsAPIError(err)
	switch {
	case ae == nil:
		return err // a transport or context error: retried as usual
	case ae.Retryable && ae.RetryAfter > 0:
		return temporal.NewApplicationErrorWithOptions(err.Error(), "ProviderRateLimited",
			temporal.ApplicationErrorOptions{NextRetryDelay: ae.RetryAfter, Cause: err})
	case ae.Retryable:
		return err
	case ae.QuotaExhausted:
		return temporal.NewNonRetryableApplicationError(err.Error(), "ProviderQuotaExhausted", err)
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), fmt.Sprintf("Provider%d", ae.StatusCode), err)
}

// personKey identifies a provider's person for the purchase record: the provider's id, or the
// email for providers without ids (Hunter).
func personKey(r lead.Record) string {
	if r.SourceID != "" {
		return r.SourceID
	}
	return "email:" + strings.ToLower(r.Get(lead.Email))
}

func personKeys(recs []lead.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = personKey(r)
	}
	return out
}

// addCredits returns a + b per source.
func addCredits(a, b map[lead.Source]int) map[lead.Source]int {
	out := make(map[lead.Source]int, len(a)+len(b))
	for k, v := range a {
		out[k] += v
	}
	for k, v := range b {
		out[k] += v
	}
	return out
}

func sum(m map[lead.Source]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
