package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"haloleads/activities"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

// changeOneDoNotContact: Do Not Contact is one state whichever way it starts (status, the Do
// Not Contact field, a call outcome, a provider's opt-out, `starter suppress add`): one activity
// writes status, field, tag, lists, suppression keys and a note; the providers' mechanisms
// follow as their own activities.
const changeOneDoNotContact = "one-do-not-contact"

// oneDoNotContact reports whether this run takes the one Do-Not-Contact path.
func (r *leadRun) oneDoNotContact(ctx workflow.Context) bool {
	return r.version(ctx, changeOneDoNotContact)
}

func (r *leadRun) validateDoNotContact(req leadflow.DoNotContactRequest) error {
	if r.st.Halo.TicketID == 0 {
		return errors.New("the lead has no HaloPSA ticket yet: import it first (the suppression list already holds the person)")
	}
	if req.Via == "" {
		return errors.New("say how the Do Not Contact started (via)")
	}
	return nil
}

// markDoNotContact is the do-not-contact update: `starter suppress add` or a provider's opt-out.
func (r *leadRun) markDoNotContact(ctx workflow.Context, req leadflow.DoNotContactRequest) (leadflow.LeadState, error) {
	r.st.Events++
	unlock, err := r.lock(ctx, func() error { return r.validateDoNotContact(req) })
	if err != nil {
		return *r.st, err
	}
	defer unlock()
	r.busy++
	defer func() { r.busy-- }()
	err = r.doNotContact(ctx, req)
	return *r.st, err
}

// doNotContact makes the lead Do Not Contact everywhere: HaloPSA (status, field, tag, lists, a
// note with who, when, how and why) and the suppression list in one activity, then the
// providers' mechanisms in the background: they never hold up the lead's HaloPSA work.
func (r *leadRun) doNotContact(ctx workflow.Context, req leadflow.DoNotContactRequest) error {
	r.expectEcho(lifecycle.DoNotContact)
	var a *activities.Halo
	w := activities.DoNotContactWrite{
		LeadID: r.st.LeadID, TicketID: r.st.Halo.TicketID, UserID: r.st.Halo.UserID, Stage: r.st.Stage,
		Data: r.st.Data, Values: r.values(), Quality: r.st.Quality, Fit: r.st.Fit, Keys: r.st.Lead.Keys,
		Domain: req.Domain, Via: req.Via, By: req.By, Reason: req.Reason, At: workflow.Now(ctx),
	}
	if len(w.Values) == 0 || w.Values[lead.Email] == "" {
		w.Values = leadflow.Overlay(r.st.Lead.Values, w.Values)
	}
	var g activities.Grouping
	if err := workflow.ExecuteActivity(haloOptions(ctx), a.MarkDoNotContact, w).Get(ctx, &g); err != nil {
		return fmt.Errorf("marking the lead Do Not Contact: %w", err)
	}
	r.st.Data.DoNotContact = true
	r.st.Written = leadflow.Overlay(r.st.Written, lead.Values{lead.DoNotContact: "true"})
	r.setStatus(lifecycle.DoNotContact)
	r.st.Segments, r.st.Lists = g.Segments, nil
	r.upsertSearchAttributes()
	r.providerOptOuts(ctx, w.Values[lead.Email])
	return nil
}

// providerOptOuts runs each provider's opt-out mechanism as its own retried activity in a
// coroutine of its own, then notes every outcome on the ticket.
func (r *leadRun) providerOptOuts(ctx workflow.Context, email string) {
	r.busy++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { r.busy-- }()
		var lines []string
		if email == "" {
			lines = append(lines, "No e-mail address: no provider can be asked to act")
		} else {
			lines = append(lines, r.callProviders(ctx, email)...)
		}
		lines = append(lines, activities.ManualOptOuts()...)
		var a *activities.Halo
		err := workflow.ExecuteActivity(haloOptions(ctx), a.AddNote, activities.NoteWrite{
			LeadID: r.st.LeadID, TicketID: r.st.Halo.TicketID,
			Text: "haloleads: provider actions for this Do Not Contact:\n- " + strings.Join(lines, "\n- "),
		}).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Error("noting the provider actions failed", "error", err)
		}
	})
}

// callProviders starts one activity per provider with an opt-out mechanism and waits for all.
func (r *leadRun) callProviders(ctx workflow.Context, email string) []string {
	opts := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              leadflow.TaskQueue,
		ScheduleToCloseTimeout: 24 * time.Hour,
		StartToCloseTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 10 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: time.Hour, MaximumAttempts: 20},
	})
	var o *activities.OptOuts
	futures := make([]workflow.Future, len(activities.OptOutProviders))
	for i, p := range activities.OptOutProviders {
		futures[i] = workflow.ExecuteActivity(opts, o.ProviderOptOut,
			activities.ProviderOptOut{LeadID: r.st.LeadID, Provider: p, Email: email})
	}
	lines := make([]string, len(futures))
	for i, f := range futures {
		if err := f.Get(ctx, &lines[i]); err != nil {
			lines[i] = fmt.Sprintf("%s: failed: %v", activities.OptOutProviders[i].DisplayName(), err)
		}
	}
	return lines
}
