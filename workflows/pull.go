package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"haloleads/activities"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
)

// pullHistoryLimit is the history length after which a pull continues as new between pages.
const pullHistoryLimit = 5000

// Pull buys new people from a provider: page by page it searches, skips the people bought
// before, buys the rest and runs the enrichment waterfall over them, within the run's credit
// budget; then it imports what it bought as a child Import workflow. People travel as
// references to exports in the data directory, never through the history.
func Pull(ctx workflow.Context, in leadflow.PullInput) (leadflow.PullResult, error) {
	res := startPull(ctx, &in)
	var a *activities.Puller
	for cursor := in.Cursor; ; {
		if res.Credits >= res.Budget {
			res.BudgetExhausted = true
			break
		}
		page := activities.PullPageInput{RunID: res.RunID, Source: in.Source, Query: in.Query, Cursor: cursor,
			Page: res.Pages + 1, Budget: res.Budget - res.Credits}
		var pg activities.PullPageResult
		if err := workflow.ExecuteActivity(pullOptions(ctx), a.PullPage, page).Get(ctx, &pg); err != nil {
			res.Errors = append(res.Errors, err.Error())
			break
		}
		addPage(&res, in, pg)
		if pg.File != "" {
			enrichPage(ctx, &res, activities.EnrichPageInput{RunID: res.RunID, Page: page.Page, File: pg.File,
				Budget: res.Budget - res.Credits})
		}
		if pg.Next == "" || pg.BudgetExhausted || pg.QuotaExhausted {
			break
		}
		cursor = pg.Next
		if workflow.GetInfo(ctx).GetCurrentHistoryLength() > pullHistoryLimit {
			in.Cursor, in.Sofar = cursor, &res
			return res, workflow.NewContinueAsNewError(ctx, leadflow.PullWorkflow, in)
		}
	}
	imported := true
	if len(res.Files) > 0 {
		imported = importPulled(ctx, &res, in)
	}
	if failed := res.Pages == 0 && len(res.Errors) > 0 || !imported; failed &&
		workflow.GetVersion(ctx, changePullFails, workflow.DefaultVersion, 1) >= 1 {
		return res, pullFailure(res)
	}
	return res, nil
}

// changePullFails (workflow.GetVersion): a pull whose every page failed, or whose import
// failed, fails (so a schedule that pauses on failure pauses), its result in the error's
// details: what it bought and spent is still reported.
const changePullFails = "pull-fails"

// pullFailure is the error a failed pull ends with: its last error, and the result as details.
func pullFailure(res leadflow.PullResult) error {
	msg := fmt.Sprintf("pull %s failed", res.RunID)
	if n := len(res.Errors); n > 0 {
		msg += ": " + res.Errors[n-1]
	}
	return temporal.NewNonRetryableApplicationError(msg, leadflow.PullFailedType, nil, res)
}

// startPull returns the result carried over Continue-As-New, or a new one.
func startPull(ctx workflow.Context, in *leadflow.PullInput) leadflow.PullResult {
	if in.Sofar != nil {
		return *in.Sofar
	}
	if in.RunID == "" {
		in.RunID = pullRunID(ctx)
	}
	if in.Budget <= 0 {
		in.Budget = leadflow.DefaultPullBudget
	}
	return leadflow.PullResult{RunID: in.RunID, Source: in.Source, Query: in.Query, Budget: in.Budget, Errors: []string{}}
}

// pullRunID names a run that was given no name. A schedule names its runs after the schedule and
// the nominal time to the second, so two triggers within one second share a workflow id; the
// execution's own run id tells them apart (version 1 on).
func pullRunID(ctx workflow.Context) string {
	info := workflow.GetInfo(ctx)
	if workflow.GetVersion(ctx, "pull-unique-run-id", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return info.WorkflowExecution.ID
	}
	return info.WorkflowExecution.ID + "-" + shortRunID(info.WorkflowExecution.RunID)
}

// shortRunID is the first eight characters of a run id, enough to tell runs of one id apart.
func shortRunID(runID string) string {
	if len(runID) > 8 {
		return runID[:8]
	}
	return runID
}

// addPage counts one page into res.
func addPage(res *leadflow.PullResult, in leadflow.PullInput, pg activities.PullPageResult) {
	res.Pages++
	res.Found += pg.Found
	res.AlreadyBought += pg.AlreadyBought
	res.Bought += pg.Bought
	res.Unconfirmed += pg.Unconfirmed
	addCredits(res, in.Source, pg.Credits)
	res.BudgetExhausted = res.BudgetExhausted || pg.BudgetExhausted
	res.QuotaExhausted = res.QuotaExhausted || pg.QuotaExhausted
	if pg.File != "" {
		res.Files = append(res.Files, pg.File)
	}
}

// enrichPage runs the waterfall over one page and counts it into res. A waterfall that fails
// for good is reported; the people bought stay in the import.
func enrichPage(ctx workflow.Context, res *leadflow.PullResult, in activities.EnrichPageInput) {
	var a *activities.Puller
	var er activities.EnrichPageResult
	if err := workflow.ExecuteActivity(enrichOptions(ctx), a.EnrichPage, in).Get(ctx, &er); err != nil {
		res.Errors = append(res.Errors, err.Error())
		return
	}
	for _, src := range sortedSources(er.Credits) {
		addCredits(res, src, er.Credits[src])
	}
	res.BudgetExhausted = res.BudgetExhausted || er.BudgetExhausted
	res.Supplied = mergeSupplied(res.Supplied, er.Supplied)
	res.Files = append(res.Files, er.Files...)
	res.Errors = append(res.Errors, er.Errors...)
}

// importPulled imports the run's exports as a child Import workflow and reports whether the
// import ran (its summary may still list errors); a failed import is one of res.Errors.
func importPulled(ctx workflow.Context, res *leadflow.PullResult, in leadflow.PullInput) bool {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: leadflow.ImportWorkflowID(res.RunID),
		TaskQueue:  leadflow.TaskQueue,
	})
	imp := leadflow.ImportInput{RunID: res.RunID, Files: res.Files, DryRun: in.DryRun, Settings: in.Settings}
	var sum leadflow.Summary
	if err := workflow.ExecuteChildWorkflow(cctx, leadflow.ImportWorkflow, imp).Get(ctx, &sum); err != nil {
		res.Errors = append(res.Errors, err.Error())
		return false
	}
	res.Import = &sum
	return true
}

// addCredits counts n credits of src into res.
func addCredits(res *leadflow.PullResult, src lead.Source, n int) {
	if n == 0 {
		return
	}
	if res.CreditsBy == nil {
		res.CreditsBy = map[lead.Source]int{}
	}
	res.CreditsBy[src] += n
	res.Credits += n
}

// sortedSources returns m's keys in order: workflow code never acts in map order.
func sortedSources(m map[lead.Source]int) []lead.Source {
	out := make([]lead.Source, 0, len(m))
	for src := range m {
		out = append(out, src)
	}
	slices.Sort(out)
	return out
}

// mergeSupplied adds the counts of more to have, keeping the order of first supply.
func mergeSupplied(have, more []leadflow.Supplied) []leadflow.Supplied {
	for _, s := range more {
		i := slices.IndexFunc(have, func(h leadflow.Supplied) bool {
			return h.Rule == s.Rule && h.Field == s.Field && h.Source == s.Source
		})
		if i < 0 {
			have = append(have, s)
		} else {
			have[i].Count += s.Count
		}
	}
	return have
}

// pullOptions runs a page: a search and a purchase. Rate limits wait as long as the provider
// asks (NextRetryDelay); a spent quota or a refused request is not retried.
func pullOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
			MaximumAttempts:    10,
		},
	})
}

// enrichOptions runs a page's waterfall, which heartbeats the credits it spent after each
// provider call.
func enrichOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
			MaximumAttempts:    10,
		},
	})
}
