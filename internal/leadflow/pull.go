package leadflow

import "haloleads/internal/lead"

// PullWorkflow is the workflow type of a pull: buy new people from a provider's search,
// enrich them, and import them.
const PullWorkflow = "Pull"

// DefaultPullBudget is the credits a pull may spend when its input names no budget.
const DefaultPullBudget = 100

// PullWorkflowID is the workflow ID of a pull run started now; a scheduled pull's workflows
// are named by the schedule.
func PullWorkflowID(runID string) string { return "pull-" + runID }

// PullInput starts (or continues) a pull. It holds the query, never people.
type PullInput struct {
	// RunID names the run's files and its import; empty means the workflow ID (each run of a
	// schedule has its own).
	RunID  string      `json:"run_id,omitempty"`
	Source lead.Source `json:"source"`
	// Query selects the people, in the syntax of enrich.ParseQuery ("domain=example.com,title=IT").
	Query string `json:"query"`
	// Budget is the credits the run may spend, searches, purchases and enrichment together;
	// 0 means DefaultPullBudget.
	Budget int `json:"budget,omitempty"`
	// DryRun imports without writing to HaloPSA (the people are still bought).
	DryRun   bool     `json:"dry_run,omitempty"`
	Settings Settings `json:"settings"`
	// Cursor and Sofar carry a run over Continue-As-New.
	Cursor string      `json:"cursor,omitempty"`
	Sofar  *PullResult `json:"sofar,omitempty"`
}

// Supplied counts the values one provider supplied for one field in the enrichment waterfall.
type Supplied struct {
	Rule   string      `json:"rule"`
	Field  lead.Field  `json:"field"`
	Source lead.Source `json:"source"`
	Count  int         `json:"count"`
}

// PullFailedType is the type of the application error a pull ends with when every page failed
// or its import failed; the error's details are the pull's PullResult (what it bought and
// spent all the same).
const PullFailedType = "PullFailed"

// PullResult is what a pull did (what `starter pull --json` prints). It holds counts and file
// references, never people.
type PullResult struct {
	RunID  string      `json:"run_id"`
	Source lead.Source `json:"source"`
	Query  string      `json:"query"`
	Pages  int         `json:"pages"`
	// Found counts the search results; AlreadyBought those skipped as bought before; Bought
	// the people bought this run.
	Found         int `json:"found"`
	AlreadyBought int `json:"already_bought"`
	Bought        int `json:"bought"`
	// Unconfirmed counts the people not bought because an earlier attempt recorded the intent
	// to buy them and never the purchase: it may have paid for them. They are left to the
	// operator (never bought again automatically).
	Unconfirmed int `json:"unconfirmed,omitempty"`
	// Credits is what the run spent, CreditsBy the same per provider; Budget the limit.
	Credits         int                 `json:"credits"`
	CreditsBy       map[lead.Source]int `json:"credits_by,omitempty"`
	Budget          int                 `json:"budget"`
	BudgetExhausted bool                `json:"budget_exhausted,omitempty"`
	QuotaExhausted  bool                `json:"quota_exhausted,omitempty"`
	Supplied        []Supplied          `json:"supplied,omitempty"`
	// Files are the provider-format exports written for the import.
	Files  []string `json:"files,omitempty"`
	Import *Summary `json:"import,omitempty"`
	Errors []string `json:"errors"`
}
