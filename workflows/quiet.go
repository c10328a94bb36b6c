package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"haloleads/activities"
	"haloleads/internal/leadflow"
)

// changeQuietEnd (workflow.GetVersion): a lead at Won, Lost, Disqualified or Do Not Contact
// ends after Settings.QuietPeriod without any message, its state kept in the store.
const changeQuietEnd = "quiet-end"

// awaitQuiet waits until the run should continue as new (false) or the lead has been closed
// and untouched for its quiet period and has ended, its state kept in the store (true). Any
// message, update or signal, starts the quiet period again.
func (r *leadRun) awaitQuiet(continueNow func() bool) (bool, error) {
	ctx, quiet := r.ctx, r.settings.QuietPeriod
	for {
		if continueNow() {
			return false, nil
		}
		if quiet <= 0 || !r.idleClosed() {
			err := workflow.Await(ctx, func() bool { return continueNow() || quiet > 0 && r.idleClosed() })
			if err != nil {
				return false, err
			}
			continue
		}
		events := r.st.Events
		touched, err := workflow.AwaitWithTimeout(ctx, quiet, func() bool {
			return continueNow() || r.st.Events != events || !r.idleClosed()
		})
		if err != nil {
			return false, err
		}
		if !touched && workflow.AllHandlersFinished(ctx) && !r.drainSignals() {
			return true, r.end()
		}
	}
}

// idleClosed reports whether the lead is at a status that ends and nothing is in progress.
func (r *leadRun) idleClosed() bool {
	return leadflow.EndsWhenQuiet(r.st.Status) && r.busy == 0 && r.st.Offered == nil
}

// end keeps the lead's state in the store, as the input a later start continues from.
func (r *leadRun) end() error {
	if r.ordered {
		r.st.Pending, r.st.Echoes = r.pending, r.echoes
	}
	in := leadflow.LeadInput{LeadID: r.st.LeadID, Settings: r.settings, State: r.st}
	var a *activities.Ended
	ctx := workflow.WithActivityOptions(r.ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	return workflow.ExecuteActivity(ctx, a.KeepEnded, in).Get(ctx, nil)
}
