// Package activities holds every side effect of haloleads' workflows: HaloPSA writes, the
// import's parsing, de-duplication and bulk landing, and the suppression list. Activities are
// methods on structs that hold their dependencies; they are safe to retry (creates look up
// before they post again, updates are idempotent) and classify errors as retryable or not.
package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"haloleads/internal/halopsa"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
)

// Tenant resolves, once per process, the ids of what haloleads set up in HaloPSA (ticket types,
// statuses, custom fields, tags, lists) and the custom-field resolvers. Safe for concurrent use.
type Tenant struct {
	Client *halopsa.Client
	Spec   tenant.Spec

	mu      sync.Mutex
	tagsMu  sync.Mutex // held while a batch creates missing tags: batches land side by side
	res     *tenant.Result
	tickets *halopsa.Fields
	users   *halopsa.Fields
	// staleRequired makes the next Result read the ticket types' mandatory fields again
	// (ForgetRequired).
	staleRequired bool
}

// Result returns the tenant's ids, reading them (and setting up what is missing) on first use.
func (t *Tenant) Result(ctx context.Context) (tenant.Result, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.res != nil && t.staleRequired {
		res, err := tenant.ReadRequired(ctx, t.Client, t.Spec, *t.res)
		if err != nil {
			return tenant.Result{}, fmt.Errorf("reading the HaloPSA ticket types' mandatory fields: %w", err)
		}
		t.res, t.staleRequired = &res, false
	}
	if t.res != nil {
		return *t.res, nil
	}
	res, err := tenant.Apply(ctx, t.Client, t.Spec)
	if err != nil {
		return tenant.Result{}, fmt.Errorf("reading the HaloPSA tenant set-up: %w", err)
	}
	t.res = &res
	t.tickets = t.Client.Fields(t.Spec.FieldMap(halopsa.FieldUsageTicket))
	t.users = t.Client.Fields(t.Spec.FieldMap(halopsa.FieldUsageUser))
	return res, nil
}

// Forget drops the set-up read so far: the next use reads it again (and sets up what is missing).
func (t *Tenant) Forget() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.res = nil // the field maps are replaced when it is read again
}

// ForgetRequired makes the next use read the ticket types' mandatory fields again (a few
// requests), keeping the rest of the set-up: after HaloPSA refused a new ticket.
func (t *Tenant) ForgetRequired() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.staleRequired = true
}

// Set installs an already resolved result (after `starter setup`, or in the demo).
func (t *Tenant) Set(res tenant.Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.res, t.staleRequired = &res, false
	t.tickets = t.Client.Fields(t.Spec.FieldMap(halopsa.FieldUsageTicket))
	t.users = t.Client.Fields(t.Spec.FieldMap(halopsa.FieldUsageUser))
}

// TicketFields builds the whole set of ticket custom fields haloleads owns.
func (t *Tenant) TicketFields(ctx context.Context, values map[string]any) ([]halopsa.CustomField, error) {
	if _, err := t.Result(ctx); err != nil {
		return nil, err
	}
	return t.tickets.Build(ctx, values)
}

// UserFields builds user custom fields (the LinkedIn URL) by logical name.
func (t *Tenant) UserFields(ctx context.Context, values map[string]any) ([]halopsa.CustomField, error) {
	if _, err := t.Result(ctx); err != nil {
		return nil, err
	}
	return t.users.Build(ctx, values)
}

// TicketFieldValues reads a ticket's custom fields back by logical name.
func (t *Tenant) TicketFieldValues(ctx context.Context, fields []halopsa.CustomField) (map[string]any, error) {
	if _, err := t.Result(ctx); err != nil {
		return nil, err
	}
	return t.tickets.Read(ctx, fields)
}

// StatusID is the HaloPSA id of a lifecycle status.
func (t *Tenant) StatusID(ctx context.Context, s lifecycle.Status) (halopsa.ID, error) {
	res, err := t.Result(ctx)
	if err != nil {
		return 0, err
	}
	id, ok := res.StatusID(TypeKey(s.StageOf()), s.DisplayName())
	if !ok {
		return 0, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("status %q is not set up in HaloPSA: run `starter setup`", s.DisplayName()), "TenantSetup", nil)
	}
	return id, nil
}

// TypeID is the HaloPSA ticket type id of a lifecycle stage.
func (t *Tenant) TypeID(ctx context.Context, st lifecycle.Stage) (halopsa.ID, error) {
	res, err := t.Result(ctx)
	if err != nil {
		return 0, err
	}
	id, ok := res.TicketTypes[TypeKey(st)]
	if !ok {
		return 0, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("ticket type for stage %q is not set up in HaloPSA: run `starter setup`", st), "TenantSetup", nil)
	}
	return id, nil
}

// StatusOf maps a HaloPSA status id back to a lifecycle status.
func (t *Tenant) StatusOf(ctx context.Context, id halopsa.ID) (lifecycle.Status, bool) {
	res, err := t.Result(ctx)
	if err != nil {
		return "", false
	}
	for _, key := range []string{tenant.Lead, tenant.Prospect, tenant.Opportunity} {
		for name, sid := range res.Statuses[key] {
			if sid == id {
				s, err := lifecycle.ParseStatus(name)
				return s, err == nil
			}
		}
	}
	return "", false
}

// TypeKey maps a lifecycle stage to the tenant's ticket type key.
func TypeKey(st lifecycle.Stage) string {
	switch st {
	case lifecycle.Prospect:
		return tenant.Prospect
	case lifecycle.Opportunity:
		return tenant.Opportunity
	}
	return tenant.Lead
}

// Halo holds the lead workflow's HaloPSA activities. They run on the rate-limited queue.
type Halo struct {
	Client *halopsa.Client
	Tenant *Tenant
	Store  *store.Store
	Logger *zap.Logger
}

// StatusWrite sets a lead ticket's status, with an optional note.
type StatusWrite struct {
	LeadID   string           `json:"lead_id"`
	TicketID int              `json:"ticket_id"`
	Status   lifecycle.Status `json:"status"`
	Note     string           `json:"note,omitempty"`
}

// SetStatus writes a status to the lead's ticket.
func (a *Halo) SetStatus(ctx context.Context, w StatusWrite) error {
	sid, err := a.Tenant.StatusID(ctx, w.Status)
	if err != nil {
		return err
	}
	_, err = a.Client.SaveTickets(ctx, []halopsa.Ticket{{ID: halopsa.ID(w.TicketID), StatusID: sid}})
	if err != nil {
		return classify(fmt.Errorf("setting ticket %d to %s: %w", w.TicketID, w.Status.DisplayName(), err))
	}
	if w.Note != "" {
		return a.note(ctx, w.TicketID, w.Note)
	}
	return nil
}

// Promotion moves a lead's ticket to the next stage's ticket type and status, writing the
// stage's data; lead data is inherited (the same ticket, the whole custom-field set).
type Promotion struct {
	LeadID   string           `json:"lead_id"`
	TicketID int              `json:"ticket_id"`
	To       lifecycle.Status `json:"to"`
	Data     lifecycle.Data   `json:"data"`
	Values   lead.Values      `json:"values"`
	Quality  int              `json:"quality"`
	Fit      int              `json:"fit"`
	Promoted time.Time        `json:"promoted"`
	Regroup  Regroup          `json:"regroup,omitzero"`
}

// Regroup asks a data write or promotion to recompute the lead's segments and lists from its
// values and fit score (a person's fit score first) and write them: the ticket's tags and the
// user's distribution lists. Zero (as sent by lead workflows from before it existed) leaves
// them alone.
type Regroup struct {
	Enabled      bool     `json:"enabled,omitempty"`
	UserID       int      `json:"user_id,omitempty"`
	Lists        []string `json:"lists,omitempty"` // the lists the user is in now
	DoNotContact bool     `json:"do_not_contact,omitempty"`
}

// Grouping is a lead's segments (ticket tags) and distribution lists after a write that
// regrouped it; nil slices when it did not.
type Grouping struct {
	Segments []string `json:"segments,omitempty"`
	Lists    []string `json:"lists,omitempty"`
}

// regroup sets t's tags to the segments of v at the fit score (a person's, when d has one)
// and moves the user between distribution lists; it returns the new grouping.
func (a *Halo) regroup(ctx context.Context, t *halopsa.Ticket, g Regroup, v lead.Values, fit int, d lifecycle.Data) (Grouping, error) {
	if !g.Enabled {
		return Grouping{}, nil
	}
	if d.Qualification.FitScore > 0 {
		fit = d.Qualification.FitScore
	}
	dnc := g.DoNotContact || d.DoNotContact
	out := Grouping{Segments: lifecycle.Segments(v, fit, dnc)}
	out.Lists = lifecycle.Lists(out.Segments, dnc)
	res, err := a.Tenant.Result(ctx)
	if err != nil {
		return Grouping{}, err
	}
	tags, err := tenant.EnsureTags(ctx, a.Client, res.Tags, out.Segments)
	if err != nil {
		return Grouping{}, classify(fmt.Errorf("creating segment tags: %w", err))
	}
	a.Tenant.addTags(tags)
	for _, s := range out.Segments {
		t.Tags = append(t.Tags, halopsa.Tag{ID: tags[s], Text: s})
	}
	if g.UserID == 0 {
		return out, nil
	}
	ref := halopsa.UserRef{ID: halopsa.ID(g.UserID)}
	var changes []halopsa.DistributionList
	for name, id := range res.Lists {
		in, was := slices.Contains(out.Lists, name), slices.Contains(g.Lists, name)
		switch {
		case in && !was:
			changes = append(changes, halopsa.DistributionList{ID: id, AddTheseUsers: []halopsa.UserRef{ref}})
		case was && !in:
			changes = append(changes, halopsa.DistributionList{ID: id, RemoveTheseUsers: []halopsa.UserRef{ref}})
		}
	}
	if len(changes) == 0 {
		return out, nil
	}
	slices.SortFunc(changes, func(x, y halopsa.DistributionList) int { return int(x.ID - y.ID) })
	if _, err := a.Client.SaveDistributionLists(ctx, changes); err != nil {
		return Grouping{}, classify(fmt.Errorf("moving the lead between distribution lists: %w", err))
	}
	return out, nil
}

// Promote changes the ticket's type and status and writes the prospect or opportunity fields.
func (a *Halo) Promote(ctx context.Context, p Promotion) (Grouping, error) {
	stage := p.To.StageOf()
	typeID, err := a.Tenant.TypeID(ctx, stage)
	if err != nil {
		return Grouping{}, err
	}
	sid, err := a.Tenant.StatusID(ctx, p.To)
	if err != nil {
		return Grouping{}, err
	}
	t, err := a.dataTicket(ctx, p.TicketID, stage, p.Values, p.Quality, p.Fit, p.Data)
	if err != nil {
		return Grouping{}, err
	}
	t.TicketTypeID, t.StatusID = typeID, sid
	if stage == lifecycle.Opportunity {
		t.OppConvertedDate = halopsa.Time{Time: p.Promoted.UTC()}
	}
	g, err := a.regroup(ctx, &t, p.Regroup, p.Values, p.Fit, p.Data)
	if err != nil {
		return Grouping{}, err
	}
	if _, err := a.Client.SaveTickets(ctx, []halopsa.Ticket{t}); err != nil {
		return Grouping{}, classify(fmt.Errorf("promoting ticket %d to %s: %w", p.TicketID, p.To.DisplayName(), err))
	}
	return g, a.note(ctx, p.TicketID, fmt.Sprintf("haloleads promoted this lead to %s (%s).", stage.DisplayName(), p.To.DisplayName()))
}

// DataWrite writes qualification or opportunity data to the ticket.
type DataWrite struct {
	LeadID   string          `json:"lead_id"`
	TicketID int             `json:"ticket_id"`
	Stage    lifecycle.Stage `json:"stage"`
	Data     lifecycle.Data  `json:"data"`
	Values   lead.Values     `json:"values"`
	Quality  int             `json:"quality"`
	Fit      int             `json:"fit"`
	Regroup  Regroup         `json:"regroup,omitzero"`
}

// WriteData writes the lead's data fields to its ticket (and, when asked, its segments and
// lists: a fit score a person set moves the lead between hot, warm and cold).
func (a *Halo) WriteData(ctx context.Context, w DataWrite) (Grouping, error) {
	t, err := a.dataTicket(ctx, w.TicketID, w.Stage, w.Values, w.Quality, w.Fit, w.Data)
	if err != nil {
		return Grouping{}, err
	}
	g, err := a.regroup(ctx, &t, w.Regroup, w.Values, w.Fit, w.Data)
	if err != nil {
		return Grouping{}, err
	}
	if _, err := a.Client.SaveTickets(ctx, []halopsa.Ticket{t}); err != nil {
		return Grouping{}, classify(fmt.Errorf("writing data to ticket %d: %w", w.TicketID, err))
	}
	return g, nil
}

// dataTicket builds a ticket update carrying the whole custom-field set and, for opportunities,
// HaloPSA's own opp* fields.
func (a *Halo) dataTicket(ctx context.Context, id int, stage lifecycle.Stage, v lead.Values, quality, fit int, d lifecycle.Data) (halopsa.Ticket, error) {
	if id <= 0 {
		// A ticket POSTed without an id is a new ticket: a stray second one for the lead.
		return halopsa.Ticket{}, temporal.NewNonRetryableApplicationError(
			"the lead has no HaloPSA ticket yet (its import has not landed it): nothing written to HaloPSA", "NoTicket", nil)
	}
	values := TicketValues(v, quality, fit, stage, d)
	cfs, err := a.Tenant.TicketFields(ctx, values)
	if err != nil {
		return halopsa.Ticket{}, temporal.NewNonRetryableApplicationError(err.Error(), "CustomFields", err)
	}
	t := halopsa.Ticket{ID: halopsa.ID(id), CustomFields: cfs}
	if stage == lifecycle.Opportunity {
		o := d.Opportunity
		t.OppValue, t.OppConversionProbability = o.Value, float64(o.Probability)
		t.OppCompetitors, t.OppReason = o.Competitors, o.WinLossReason
		t.OppCompanyName, t.OppEmailAddress = v[lead.Company], v[lead.Email]
		t.OppContactName = strings.TrimSpace(v[lead.FirstName] + " " + v[lead.LastName])
		t.OppJobTitle, t.OppTel = v[lead.JobTitle], firstNonEmpty(v[lead.PhoneDirect], v[lead.PhoneMobile])
	}
	return t, nil
}

// CallLog records a call on the lead's ticket.
type CallLog struct {
	LeadID   string         `json:"lead_id"`
	TicketID int            `json:"ticket_id"`
	UserID   int            `json:"user_id"`
	Call     lifecycle.Call `json:"call"`
}

// LogCall writes the call as an action on the ticket.
func (a *Halo) LogCall(ctx context.Context, l CallLog) error {
	c := l.Call
	act := halopsa.Action{
		TicketID:  halopsa.ID(l.TicketID),
		Outcome:   c.Outcome,
		Note:      CallNote(c),
		DateTime:  halopsa.Time{Time: c.At.UTC()},
		TimeTaken: float64(c.DurationSeconds) / 3600,
	}
	if _, err := a.Client.SaveActions(ctx, []halopsa.Action{act}); err != nil {
		return classify(fmt.Errorf("logging a call on ticket %d: %w", l.TicketID, err))
	}
	return nil
}

// CallNote is the text of a call action.
func CallNote(c lifecycle.Call) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s call on %s", strings.ToUpper(string(c.Direction[:1]))+string(c.Direction[1:]),
		c.At.UTC().Format("2006-01-02 15:04 MST"))
	if c.Number != "" {
		fmt.Fprintf(&b, " to %s", c.Number)
	}
	fmt.Fprintf(&b, ", %s", (time.Duration(c.DurationSeconds) * time.Second).String())
	if c.Agent != "" {
		fmt.Fprintf(&b, ", by %s", c.Agent)
	}
	fmt.Fprintf(&b, ".\nOutcome: %s", c.Outcome)
	if c.NextAction != "" {
		fmt.Fprintf(&b, "\nNext action: %s", c.NextAction)
	}
	if c.Notes != "" {
		fmt.Fprintf(&b, "\nNotes: %s", c.Notes)
	}
	return b.String()
}

// NoteWrite adds a private note to a ticket.
type NoteWrite struct {
	LeadID   string `json:"lead_id"`
	TicketID int    `json:"ticket_id"`
	Text     string `json:"text"`
}

// AddNote adds a private note to the ticket.
func (a *Halo) AddNote(ctx context.Context, n NoteWrite) error {
	return a.note(ctx, n.TicketID, n.Text)
}

func (a *Halo) note(ctx context.Context, ticketID int, text string) error {
	hidden := true
	_, err := a.Client.SaveActions(ctx, []halopsa.Action{{
		TicketID: halopsa.ID(ticketID), Outcome: "Note", Note: text, HiddenFromUser: &hidden,
	}})
	if err != nil {
		return classify(fmt.Errorf("adding a note to ticket %d: %w", ticketID, err))
	}
	return nil
}

// SuppressRequest puts a person on the suppression list.
type SuppressRequest struct {
	LeadID   string   `json:"lead_id"`
	UserID   int      `json:"user_id"`
	TicketID int      `json:"ticket_id"`
	Keys     []string `json:"keys"`
	Reason   string   `json:"reason"`
}

// Suppress records the person's identity keys on the suppression list (for ever: later imports
// of the same person from any provider land as Do Not Contact) and takes them out of every
// haloleads distribution list.
func (a *Halo) Suppress(ctx context.Context, r SuppressRequest) error {
	entries := make([]store.Suppression, 0, len(r.Keys))
	for _, k := range r.Keys {
		entries = append(entries, store.Suppression{Key: k, LeadID: r.LeadID, Reason: r.Reason, Source: "haloleads"})
	}
	if err := a.Store.Suppress(ctx, entries...); err != nil {
		return err
	}
	if r.UserID == 0 {
		return nil
	}
	res, err := a.Tenant.Result(ctx)
	if err != nil {
		return err
	}
	var lists []halopsa.DistributionList
	for _, name := range a.Tenant.Spec.Lists {
		if id, ok := res.Lists[name]; ok {
			lists = append(lists, halopsa.DistributionList{ID: id, RemoveTheseUsers: []halopsa.UserRef{{ID: halopsa.ID(r.UserID)}}})
		}
	}
	if len(lists) == 0 {
		return nil
	}
	if _, err := a.Client.SaveDistributionLists(ctx, lists); err != nil {
		return classify(fmt.Errorf("removing user %d from distribution lists: %w", r.UserID, err))
	}
	return nil
}

// classify turns HaloPSA errors into Temporal's retry semantics: rate limits, server errors and
// network failures are retried (after Retry-After when HaloPSA says how long); validation and
// other client errors are not.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ae *halopsa.APIError
	if !errors.As(err, &ae) {
		return err // network errors and the like: retryable
	}
	switch {
	case ae.StatusCode == 429:
		// The client's shared limiter already holds every request of the tenant back for the
		// pause (30 s, or what Retry-After says), so the retry only needs the server's hint.
		return temporal.NewApplicationErrorWithOptions(err.Error(), "RateLimited",
			temporal.ApplicationErrorOptions{NextRetryDelay: ae.RetryAfter, Cause: err})
	case ae.StatusCode >= 500, ae.StatusCode == 401, ae.StatusCode == 408:
		return err
	default:
		return temporal.NewNonRetryableApplicationError(err.Error(), fmt.Sprintf("HaloPSA%d", ae.StatusCode), err)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// TicketValues are the logical custom-field values of a lead ticket at a stage: the lead's
// fields and scores, plus the qualification data from Prospect on and the opportunity data
// that has no opp* field of HaloPSA's own.
func TicketValues(v lead.Values, quality, fit int, stage lifecycle.Stage, d lifecycle.Data) map[string]any {
	out := landing.TicketFieldValues(v, quality, fit)
	if stage == lifecycle.Lead {
		return out
	}
	q := d.Qualification
	put(out, tenant.FieldPainPoints, q.PainPoints)
	put(out, tenant.FieldQualifiedServices, q.QualifiedServices)
	put(out, tenant.FieldDecisionMaker, q.DecisionMaker)
	put(out, tenant.FieldBudgetRange, q.BudgetRange)
	put(out, tenant.FieldTimeframe, q.Timeframe)
	put(out, tenant.FieldQualificationNotes, q.Notes)
	if q.FitScore > 0 {
		out[tenant.FieldFitScore] = q.FitScore
	}
	if stage == lifecycle.Opportunity {
		o := d.Opportunity
		put(out, tenant.FieldProductsServices, o.ProductsServices)
		put(out, tenant.FieldQuotesProposals, o.Quotes)
		put(out, tenant.FieldExpectedCloseDate, o.ExpectedClose)
	}
	return out
}

func put(m map[string]any, k, v string) {
	if strings.TrimSpace(v) != "" {
		m[k] = v
	}
}

// addTags remembers tags created on demand, so later batches do not look for them again.
func (t *Tenant) addTags(tags map[string]halopsa.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.res == nil {
		return
	}
	if t.res.Tags == nil {
		t.res.Tags = map[string]halopsa.ID{}
	}
	for k, v := range tags {
		t.res.Tags[k] = v
	}
}
