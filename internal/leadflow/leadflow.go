// Package leadflow names haloleads' Temporal workflows and the messages they exchange: task
// queues, workflow IDs, update, signal and query names and their payloads. Workflows, activities,
// the webhook receiver and the CLI all speak through these types, so none imports another.
package leadflow

import (
	"time"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
)

// Task queues. HaloPSA writes run on their own queue, whose server-side rate limit keeps every
// worker of a deployment inside the tenant's budget.
const (
	TaskQueue     = "haloleads"
	HaloTaskQueue = "halo-writes"
)

// Workflow type names.
const (
	LeadWorkflow   = "Lead"
	ImportWorkflow = "Import"
)

// Update, signal and query names of the lead workflow.
const (
	UpdateOffer      = "offer"       // an import offers a merged record; answers with a Plan
	UpdateTransition = "transition"  // move to another status of the same stage
	UpdatePromote    = "promote"     // Engaged → New Prospect, Qualified → New Opportunity
	UpdateLogCall    = "log-call"    // record a call; its outcome may move the status
	UpdateSetData    = "set-data"    // fill qualification or opportunity data
	SignalLanded     = "landed"      // the import wrote the plan; here are the HaloPSA ids
	SignalHaloChange = "halo-change" // HaloPSA changed (webhook or reconciliation)
	QueryState       = "state"
	QueryProgress    = "progress" // an import's progress (ImportProgress)
)

// The reconciliation: a Temporal Schedule (ReconcileScheduleID) runs the Reconcile workflow,
// which feeds what changed in HaloPSA since its watermark (reader ReconcileReader) through the
// webhook path, for webhooks that never arrive.
const (
	ReconcileWorkflow   = "Reconcile"
	ReconcileScheduleID = "haloleads-reconcile"
	ReconcileReader     = "reconcile"
)

// ReconcileResult is what one reconciliation run did.
type ReconcileResult struct {
	Tickets int `json:"tickets"` // lead tickets HaloPSA changed since the last run
	Users   int `json:"users"`   // users HaloPSA changed since the last run
	// Signalled counts the leads told of something new.
	Signalled int `json:"signalled"`
	// Own counts the changed records whose last change was an import's own write: not re-read.
	Own int `json:"own,omitempty"`
	// Baseline is set on a first run without a starting point: it read the tenant and
	// signalled nothing.
	Baseline bool  `json:"baseline,omitempty"`
	Requests int64 `json:"requests"` // HaloPSA requests the run made
}

// LeadWorkflowID is the workflow ID of a lead: its stable identity, so a person imported twice
// never has two workflows.
func LeadWorkflowID(leadID string) string { return leadID }

// ImportWorkflowID is the workflow ID of an import run.
func ImportWorkflowID(runID string) string { return "import-" + runID }

// HaloIDs are the HaloPSA records that make up a lead.
type HaloIDs struct {
	ClientID int `json:"client_id,omitempty"`
	SiteID   int `json:"site_id,omitempty"`
	UserID   int `json:"user_id,omitempty"`
	TicketID int `json:"ticket_id,omitempty"`
}

// Complete reports whether every record exists.
func (h HaloIDs) Complete() bool {
	return h.ClientID != 0 && h.SiteID != 0 && h.UserID != 0 && h.TicketID != 0
}

// Offer is what an import brings to a lead: the merged record and what HaloPSA holds now.
type Offer struct {
	RunID string `json:"run_id"`
	// Batch is the import batch the offer is landed in; with RunID it names the offer, and the
	// Landed signal that answers it carries both.
	Batch int       `json:"batch,omitempty"`
	Lead  lead.Lead `json:"lead"`
	Fit   int       `json:"fit"`
	// Current is what HaloPSA holds now for this lead's fields ("" where unknown or empty).
	Current lead.Values `json:"current,omitempty"`
	// CurrentStatus is the lead's status as HaloPSA shows it, if the ticket exists.
	CurrentStatus lifecycle.Status `json:"current_status,omitempty"`
	// Halo holds the ids found in HaloPSA (matched by email and company).
	Halo HaloIDs `json:"halo"`
	// Suppressed is set when the person is on the suppression list.
	Suppressed bool `json:"suppressed,omitempty"`
	// PersonFit is the fit score a person set (qualification data), 0 when none: it outranks
	// the computed Fit for the Fit Score field and the hot/warm/cold segment. The lead workflow
	// fills it in; an import leaves it 0.
	PersonFit int `json:"person_fit,omitempty"`
	// Invalid, when set, says which required Lead fields are missing or bad: a new lead lands
	// as Invalid Data with this reason in its ticket's details (lifecycle.CheckLead).
	Invalid string `json:"invalid,omitempty"`
}

// Action says what a plan asks of HaloPSA.
type Action string

// Plan actions.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionNone   Action = "none"
)

// Plan is a lead's answer to an Offer: what to write to HaloPSA. The lead workflow decides it
// (it knows what it wrote before and what a person changed since); the import writes it in bulk.
type Plan struct {
	LeadID string           `json:"lead_id"`
	Action Action           `json:"action"`
	Halo   HaloIDs          `json:"halo"`
	Status lifecycle.Status `json:"status"`
	// StatusChanged is set when Status must be written (never for a status a person set).
	StatusChanged bool `json:"status_changed,omitempty"`
	// Write is the set of field values to write (all owned fields on create, changes on update).
	Write lead.Values `json:"write,omitempty"`
	// Owned is every value haloleads owns on this lead after the write: custom fields are
	// written as a whole set, since HaloPSA may blank those left out.
	Owned     lead.Values           `json:"owned,omitempty"`
	Preserved []lifecycle.Preserved `json:"preserved,omitempty"`
	Note      string                `json:"note,omitempty"` // audit note for the ticket
	Segments  []string              `json:"segments,omitempty"`
	Lists     []string              `json:"lists,omitempty"`
	// Unlist are the distribution lists the person must leave.
	Unlist  []string `json:"unlist,omitempty"`
	Fit     int      `json:"fit"`
	Quality int      `json:"quality"`
	// DoNotContact is set when the person must not be contacted.
	DoNotContact bool `json:"do_not_contact,omitempty"`
	// Stage and Data are the lead's stage and its qualification and opportunity data, which
	// the ticket's whole custom-field set carries from Prospect on (a person's values among
	// them); Data is nil in plans of lead workflows from before the adopt-halo change.
	Stage lifecycle.Stage `json:"stage,omitempty"`
	Data  *lifecycle.Data `json:"data,omitempty"`
}

// Landed tells a lead what the import wrote.
type Landed struct {
	RunID string `json:"run_id"`
	Batch int    `json:"batch,omitempty"`
	// Abandoned is set when the batch failed for good: Halo holds what it is known to have
	// created, nothing else was written.
	Abandoned bool             `json:"abandoned,omitempty"`
	Halo      HaloIDs          `json:"halo"`
	Written   lead.Values      `json:"written,omitempty"`
	Status    lifecycle.Status `json:"status"`
	// Segments and Lists are the tags and distribution lists now on the lead.
	Segments []string `json:"segments,omitempty"`
	Lists    []string `json:"lists,omitempty"`
}

// HaloChange is a change seen in HaloPSA, by an agent or an automation.
type HaloChange struct {
	EventID  string           `json:"event_id"`
	TicketID int              `json:"ticket_id"`
	Status   lifecycle.Status `json:"status,omitempty"` // "" when the status did not change
	Values   lead.Values      `json:"values,omitempty"` // fields as HaloPSA now holds them
	At       time.Time        `json:"at"`
	// HaloStatus is the status the ticket holds now, whatever the event (a tenant status
	// mapped through LEAD_STATUS_MAP); "" when unknown. Lead workflows from the adopt-halo
	// change on judge it instead of Status, once per status seen.
	HaloStatus lifecycle.Status `json:"halo_status,omitempty"`
	// UnknownStatus names a HaloPSA status the lifecycle and the status map do not know: the
	// lead reports it and keeps its status.
	UnknownStatus string `json:"unknown_status,omitempty"`
	// Data is the qualification and opportunity data the ticket holds (custom fields and
	// HaloPSA's opp* fields); nil when the change does not carry it (a user event).
	Data *lifecycle.Data `json:"data,omitempty"`
	// FitScore is the ticket's Fit Score field (haloleads' computed score, or a person's).
	FitScore int `json:"fit_score,omitempty"`
	// Source says where the change was seen: SourceWebhook or SourceReconcile.
	Source string `json:"source,omitempty"`
	// MergedFrom is set when the lead's ticket MergedFrom was merged into TicketID in HaloPSA:
	// the lead follows the survivor.
	MergedFrom int `json:"merged_from,omitempty"`
}

// Where a HaloChange was seen.
const (
	SourceWebhook   = "webhook"
	SourceReconcile = "reconcile"
)

// TransitionRequest asks for a status change within the lead's stage.
type TransitionRequest struct {
	To   lifecycle.Status `json:"to"`
	Note string           `json:"note,omitempty"`
}

// PromoteRequest asks to promote the lead to the next stage, with the data that stage needs.
type PromoteRequest struct {
	Qualification *lifecycle.QualificationData `json:"qualification,omitempty"`
	Opportunity   *lifecycle.OpportunityData   `json:"opportunity,omitempty"`
}

// DataRequest fills in qualification or opportunity data without changing status.
type DataRequest = PromoteRequest

// Violation records a status change made in HaloPSA that the lifecycle does not allow.
type Violation struct {
	From   lifecycle.Status `json:"from"`
	To     lifecycle.Status `json:"to"`
	Reason string           `json:"reason"`
	Action string           `json:"action"` // flag or revert
	At     time.Time        `json:"at"`
}

// Settings are the lifecycle settings a lead workflow runs with.
type Settings struct {
	Lifecycle          lifecycle.Config `json:"lifecycle"`
	AutoConvertEngaged bool             `json:"auto_convert_engaged,omitempty"`
	// MaxEvents bounds a run's history before it continues as new (default 2,000).
	MaxEvents int `json:"max_events,omitempty"`
	// QuietPeriod is how long a lead at Won, Lost, Disqualified or Do Not Contact stays
	// untouched before its workflow ends, its state kept in the store (0: never; the worker's
	// LEAD_QUIET_PERIOD). A later import, webhook or command starts it again from that state.
	QuietPeriod time.Duration `json:"quiet_period,omitempty"`
}

// EndsWhenQuiet reports whether a lead at status s ends after its quiet period.
func EndsWhenQuiet(s lifecycle.Status) bool {
	switch s {
	case lifecycle.Won, lifecycle.Lost, lifecycle.Disqualified, lifecycle.DoNotContact:
		return true
	}
	return false
}

// LeadInput starts (or continues) a lead workflow.
type LeadInput struct {
	LeadID   string   `json:"lead_id"`
	Settings Settings `json:"settings"`
	// State is carried over by Continue-As-New; nil for a new lead.
	State *LeadState `json:"state,omitempty"`
	// Listed is the listing (search attributes and memo) the run was started with, nil when
	// unknown: a run of the lead-baseline-1 change on upserts only what differs from it.
	Listed *Listing `json:"listed,omitempty"`
	// Baseline, when 1 or more, is the lead baseline the starter chose for this run (see
	// LeadBaseline): the run takes the changes it stands for without recording the
	// lead-baseline-1 marker, and so without the search-attribute upsert the SDK adds to every
	// new marker. 0 (every run started before it existed) leaves the choice to the marker.
	Baseline int `json:"baseline,omitempty"`
}

// LeadBaseline is the Baseline a starter gives a new lead run: the lead-baseline-1 changes.
const LeadBaseline = 1

// ImportProgress is what an import has done so far: the answer to QueryProgress.
type ImportProgress struct {
	// Phase is "reading" (parsing, de-duplicating, staging), "landing" (writing batches to
	// HaloPSA) or "done".
	Phase       string `json:"phase"`
	Batches     int    `json:"batches"`
	BatchesDone int    `json:"batches_done"`
	Leads       int    `json:"leads"`
	LeadsDone   int    `json:"leads_done"` // landed: created, updated or unchanged
	// Started is when the import started, Landing when its first batch started, Updated when a
	// batch last finished (workflow time).
	Started time.Time `json:"started"`
	Landing time.Time `json:"landing,omitempty"`
	Updated time.Time `json:"updated,omitempty"`
	// Rate is leads landed per second since Landing; Remaining the time the other leads take at
	// that rate (0 while unknown).
	Rate      float64       `json:"rate"`
	Remaining time.Duration `json:"remaining"`
}

// WithRate fills Rate and Remaining from the counts and times.
func (p ImportProgress) WithRate() ImportProgress {
	if p.Landing.IsZero() || !p.Updated.After(p.Landing) || p.LeadsDone == 0 {
		return p
	}
	p.Rate = float64(p.LeadsDone) / p.Updated.Sub(p.Landing).Seconds()
	if left := p.Leads - p.LeadsDone; left > 0 {
		p.Remaining = time.Duration(float64(left) / p.Rate * float64(time.Second))
	}
	return p
}

// LeadState is everything a lead workflow knows; the answer to QueryState.
type LeadState struct {
	LeadID  string           `json:"lead_id"`
	Lead    lead.Lead        `json:"lead"`
	Stage   lifecycle.Stage  `json:"stage"`
	Status  lifecycle.Status `json:"status"`
	Data    lifecycle.Data   `json:"data"`
	Halo    HaloIDs          `json:"halo"`
	Fit     int              `json:"fit"`
	Quality int              `json:"quality"`
	// Written is what haloleads last wrote to each HaloPSA-held field.
	Written lead.Values `json:"written,omitempty"`
	// Seen is what HaloPSA was last seen to hold (webhooks, reconciliation, imports).
	Seen lead.Values `json:"seen,omitempty"`
	// Pinned fields were changed by a person in HaloPSA; imports leave them alone.
	Pinned     []lead.Field `json:"pinned,omitempty"`
	Segments   []string     `json:"segments,omitempty"`
	Lists      []string     `json:"lists,omitempty"`
	Violations []Violation  `json:"violations,omitempty"`
	// NoteQueue holds rule-violation notes waiting to be written (merged into one) when the
	// lead's note budget allows; LastNoteAt is when the last one was written.
	NoteQueue  []string  `json:"note_queue,omitempty"`
	LastNoteAt time.Time `json:"last_note_at,omitzero"`
	Calls      int       `json:"calls"`
	// Events counts the messages handled over the lead's whole life.
	Events int `json:"events"`
	// Runs counts Continue-As-New generations.
	Runs int `json:"runs"`
	// SeenEvents remembers recent HaloPSA event ids, so a redelivered webhook is applied once.
	SeenEvents []string `json:"seen_events,omitempty"`
	// Offered is the import offer whose writes have not landed yet (run and batch), Pending
	// what it is writing, Echoes the statuses haloleads wrote whose webhooks have not come back:
	// all three are carried across Continue-As-New.
	Offered *OfferRef          `json:"offered,omitempty"`
	Pending lead.Values        `json:"pending,omitempty"`
	Echoes  []lifecycle.Status `json:"echoes,omitempty"`
	// Stages are the stages the lead entered, oldest first, with when (workflow time): the
	// time in stage of the funnel report. Leads started before they were recorded begin with
	// the stage they were in when a run first recorded it.
	Stages []StageEntry `json:"stages,omitempty"`
	// HaloStatus is the status last seen on the ticket in HaloPSA (or last written there by
	// haloleads): a change showing it again is not a new change.
	HaloStatus lifecycle.Status `json:"halo_status,omitempty"`
}

// StageEntry is a stage a lead entered and when.
type StageEntry struct {
	Stage   lifecycle.Stage `json:"stage"`
	Entered time.Time       `json:"entered"`
}

// TimeInStages is how long the lead spent in each stage it entered, up to now for the stage
// it is in (stages entered twice add up).
func (s *LeadState) TimeInStages(now time.Time) map[lifecycle.Stage]time.Duration {
	out := map[lifecycle.Stage]time.Duration{}
	for i, e := range s.Stages {
		end := now
		if i+1 < len(s.Stages) {
			end = s.Stages[i+1].Entered
		}
		out[e.Stage] += max(0, end.Sub(e.Entered))
	}
	return out
}

// OfferRef names an accepted import offer: the run and batch landing it, and the status the
// lead had when it was planned.
type OfferRef struct {
	RunID string           `json:"run_id"`
	Batch int              `json:"batch"`
	From  lifecycle.Status `json:"from"`
}

// Answers reports whether l is the Landed signal of this offer.
func (o *OfferRef) Answers(l Landed) bool {
	return o != nil && o.RunID == l.RunID && o.Batch == l.Batch
}

// IsPinned reports whether f was changed by a person.
func (s *LeadState) IsPinned(f lead.Field) bool {
	for _, p := range s.Pinned {
		if p == f {
			return true
		}
	}
	return false
}

// ImportInput starts an import run.
type ImportInput struct {
	RunID string   `json:"run_id"`
	Files []string `json:"files"`
	// Source forces the provider; empty means recognise it from each file's header.
	Source lead.Source `json:"source,omitempty"`
	// FileSources, when given, holds one entry per file: the provider forced for that file
	// (`--source apollo=path.csv`, a samples directory's sidecar), or "" for Source.
	FileSources []lead.Source `json:"file_sources,omitempty"`
	// DryRun computes the plans and the summary but writes nothing to HaloPSA.
	DryRun   bool     `json:"dry_run,omitempty"`
	Settings Settings `json:"settings"`
	// SkipUnknown reports a file whose header nothing fits as skipped instead of as an error.
	SkipUnknown bool `json:"skip_unknown,omitempty"`
	// BatchSize is the number of leads per batch (0 or more than 100: 100, the most HaloPSA's
	// array POSTs take); smaller batches only cost more requests.
	BatchSize int `json:"batch_size,omitempty"`
	// Window is the number of batches landed at once (0: DefaultImportWindow).
	Window int `json:"window,omitempty"`
	// BatchesPerRun is the number of batches one run of the Import workflow lands before it
	// continues as new (0: DefaultBatchesPerRun); it keeps every run's history short.
	BatchesPerRun int `json:"batches_per_run,omitempty"`
	// OfferNewLeads offers new leads to their workflows (update-with-start and a Landed
	// signal) as imports did before import-landed-start, instead of landing them and starting
	// their workflows once, landed: for measuring one against the other (starter bench).
	OfferNewLeads bool `json:"offer_new_leads,omitempty"`
	// Resume is where the run that continued as new stopped; nil for a new import.
	Resume *ImportCursor `json:"resume,omitempty"`
}

// DefaultImportWindow is the default number of batches landed at once. A batch makes about
// five HaloPSA requests and spends most of its time in the lead workflows' updates, so four
// batches in flight keep Temporal busy while using at most 20 of the tenant's 300 requests
// per window at any moment; the rate limiter spaces them out whatever the window.
const DefaultImportWindow = 4

// DefaultBatchesPerRun is the default number of batches one Import run lands before it
// continues as new: about 5 history events a batch (measured), so a run stays near 2,600
// events, far below the 10,000 events past which Temporal warns and the 51,200 at which it
// terminates.
const DefaultBatchesPerRun = 500

// ImportCursor is what an Import run carries into the run that continues it: the batches
// still to land and the counts so far. It holds no personal data (the staged leads stay in
// the store).
type ImportCursor struct {
	Next    int `json:"next"`    // first batch not landed yet
	Batches int `json:"batches"` // batches staged
	// Barriers are the batches that continue a company from the batch before them: they
	// start only when every earlier batch has landed, so a client is never created twice.
	Barriers []int          `json:"barriers,omitempty"`
	Summary  Summary        `json:"summary"`
	Progress ImportProgress `json:"progress"`
	Runs     int            `json:"runs"` // runs that continued as new so far
	// Floors are the next batch's floors (see activities.LandInput).
	Floors halopsa.Floors `json:"floors,omitzero"`
}

// SourceOf is the provider forced for the i-th file, or "" to recognise it from its header.
func (in ImportInput) SourceOf(i int) lead.Source {
	if i < len(in.FileSources) && in.FileSources[i] != "" {
		return in.FileSources[i]
	}
	return in.Source
}

// MaxRejectedListed caps the rejected rows listed in a summary; the count is always exact.
const MaxRejectedListed = 1000

// Summary is the result of an import (what `starter import --json` prints).
type Summary struct {
	RunID         string          `json:"run_id"`
	Files         []string        `json:"files"`
	Rows          int             `json:"rows"`
	Leads         int             `json:"leads"`
	LeadsCreated  int             `json:"leads_created"`
	LeadsUpdated  int             `json:"leads_updated"`
	Unchanged     int             `json:"unchanged"`
	Suppressed    int             `json:"suppressed"`
	Merged        int             `json:"merged"` // rows folded into another row's lead
	Review        int             `json:"review"` // pairs queued for a human decision
	RejectedCount int             `json:"rejected_count"`
	Rejected      []lead.Rejected `json:"rejected"`
	HaloRequests  int64           `json:"halo_requests"`
	HaloWrites    int64           `json:"halo_writes"`
	Batches       int             `json:"batches"`
	DryRun        bool            `json:"dry_run,omitempty"`
	Errors        []string        `json:"errors"`
	// Sources says how each file was read: its provider, encoding, rows and header warnings, or
	// why it could not be read at all (that file's rows are then not used; the others are).
	Sources []FileReport `json:"sources,omitempty"`
}

// File statuses in a summary's sources.
const (
	FileImported     = "imported"     // a provider export, recognised by its header
	FileGeneric      = "generic"      // no provider's layout fits: read as a generic contact list
	FileUnrecognised = "unrecognised" // nothing fits its header: not imported
	FileUnreadable   = "unreadable"   // recognised, but it could not be read: not imported
)

// FileReport is what reading one export found.
type FileReport struct {
	File string `json:"file"`
	// Status is one of the File* statuses.
	Status   string      `json:"status,omitempty"`
	Provider lead.Source `json:"provider,omitempty"`
	Encoding string      `json:"encoding,omitempty"`
	Rows     int         `json:"rows"`     // data rows read: records + rejected
	Rejected int         `json:"rejected"` // rows rejected while reading
	Warnings []string    `json:"warnings,omitempty"`
	// Error is one sentence saying why the file could not be read; none of its rows is used.
	Error string `json:"error,omitempty"`
	// Skipped is set on an unrecognised file the import was told to skip (ImportInput.
	// SkipUnknown): its reason is in Warnings, not Error, so it does not fail the import.
	Skipped bool `json:"skipped,omitempty"`
}

// Unrecognised counts the files whose header nothing fits.
func Unrecognised(reports []FileReport) int {
	n := 0
	for _, r := range reports {
		if r.Status == FileUnrecognised {
			n++
		}
	}
	return n
}

// FileErrors returns one sentence per file that could not be read.
func FileErrors(reports []FileReport) []string {
	var out []string
	for _, r := range reports {
		if r.Error != "" {
			out = append(out, r.Error)
		}
	}
	return out
}
