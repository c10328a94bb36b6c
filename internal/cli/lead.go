package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
)

// runLead runs `lead show|transition|promote|set-data|log-call LEAD-ID ...`.
func runLead(ctx context.Context, io IO, args []string) error {
	if len(args) < 2 {
		return errors.New("usage: lead show|transition|promote|set-data|log-call LEAD-ID [flags]")
	}
	verb, id, rest := args[0], args[1], args[2:]
	_, tc, err := connect(ctx, io)
	if err != nil {
		return err
	}
	defer tc.Close()
	switch verb {
	case "show":
		return leadShow(ctx, io, tc, id, rest)
	case "transition":
		return leadTransition(ctx, io, tc, id, rest)
	case "promote":
		return leadData(ctx, io, tc, id, leadflow.UpdatePromote, rest)
	case "set-data":
		return leadData(ctx, io, tc, id, leadflow.UpdateSetData, rest)
	case "log-call":
		return leadLogCall(ctx, io, tc, id, rest)
	}
	return fmt.Errorf("unknown lead command %q: use show, transition, promote, set-data or log-call", verb)
}

func leadShow(ctx context.Context, io IO, tc client.Client, id string, args []string) error {
	fs := newFlags("lead show", io)
	asJSON := fs.Bool("json", false, "print the whole state as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := readLead(ctx, tc, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(io.Stdout, st)
	}
	printLead(io.Stdout, st)
	return nil
}

// readLead queries a lead's state.
func readLead(ctx context.Context, tc client.Client, id string) (leadflow.LeadState, error) {
	var st leadflow.LeadState
	v, err := tc.QueryWorkflow(ctx, leadflow.LeadWorkflowID(id), "", leadflow.QueryState)
	if err != nil {
		return st, fmt.Errorf("reading lead %s: %w", id, err)
	}
	if err := v.Get(&st); err != nil {
		return st, fmt.Errorf("decoding lead %s: %w", id, err)
	}
	return st, nil
}

func printLead(w io.Writer, st leadflow.LeadState) {
	v := st.Lead.Values
	fmt.Fprintf(w, "%s  %s %s, %s at %s\n", st.LeadID, v[lead.FirstName], v[lead.LastName], v[lead.JobTitle], v[lead.Company])
	fmt.Fprintf(w, "  %s / %s   fit %d   quality %d   calls %d\n", st.Stage.DisplayName(), st.Status.DisplayName(), st.Fit, st.Quality, st.Calls)
	fmt.Fprintf(w, "  HaloPSA: ticket %d, user %d, client %d, site %d\n", st.Halo.TicketID, st.Halo.UserID, st.Halo.ClientID, st.Halo.SiteID)
	if len(st.Segments) > 0 {
		fmt.Fprintf(w, "  segments: %s\n", strings.Join(st.Segments, ", "))
	}
	if len(st.Pinned) > 0 {
		names := make([]string, len(st.Pinned))
		for i, f := range st.Pinned {
			names[i] = string(f)
		}
		fmt.Fprintf(w, "  kept as a person set them: %s\n", strings.Join(names, ", "))
	}
	for _, vi := range st.Violations {
		fmt.Fprintf(w, "  violation: %s → %s (%s): %s\n", vi.From.DisplayName(), vi.To.DisplayName(), vi.Action, vi.Reason)
	}
	fmt.Fprintf(w, "  next: %s\n", statusList(lifecycle.Allowed(st.Status)))
}

func statusList(ss []lifecycle.Status) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.DisplayName()
	}
	if len(names) == 0 {
		return "(none: final status)"
	}
	return strings.Join(names, ", ")
}

func leadTransition(ctx context.Context, io IO, tc client.Client, id string, args []string) error {
	fs := newFlags("lead transition", io)
	to := fs.String("to", "", "the status to move to (id or name, e.g. researching or \"Contacted\")")
	note := fs.String("note", "", "a note for the ticket")
	if err := fs.Parse(args); err != nil {
		return err
	}
	status, err := lifecycle.ParseStatus(*to)
	if err != nil {
		return err
	}
	return update(ctx, io, tc, id, leadflow.UpdateTransition, leadflow.TransitionRequest{To: status, Note: *note})
}

// leadData runs promote or set-data with the qualification or opportunity data given as flags.
// The flags change the lead's data: a field whose flag is not given keeps its value.
func leadData(ctx context.Context, io IO, tc client.Client, id, name string, args []string) error {
	fs := newFlags("lead "+name, io)
	st, err := readLead(ctx, tc, id)
	if err != nil {
		return err
	}
	q, o := st.Data.Qualification, st.Data.Opportunity
	fs.StringVar(&q.PainPoints, "pain-points", q.PainPoints, "confirmed pain points")
	fs.StringVar(&q.QualifiedServices, "qualified-services", q.QualifiedServices, "services that match the prospect's needs")
	fs.StringVar(&q.DecisionMaker, "decision-maker", q.DecisionMaker, "the decision maker")
	fs.StringVar(&q.BudgetRange, "budget", q.BudgetRange, "budget range")
	fs.StringVar(&q.Timeframe, "timeframe", q.Timeframe, "implementation timeframe")
	fs.IntVar(&q.FitScore, "fit", q.FitScore, "fit score (0-100)")
	fs.StringVar(&q.Notes, "qualification-notes", q.Notes, "qualification notes")
	fs.Float64Var(&o.Value, "value", o.Value, "opportunity value")
	fs.StringVar(&o.ProductsServices, "products", o.ProductsServices, "products/services being sold")
	fs.IntVar(&o.Probability, "probability", o.Probability, "probability of closing (0-100)")
	fs.StringVar(&o.ExpectedClose, "close-date", o.ExpectedClose, "expected close date (YYYY-MM-DD)")
	fs.StringVar(&o.Quotes, "quotes", o.Quotes, "quotes/proposals")
	fs.StringVar(&o.Competitors, "competitors", o.Competitors, "competitors")
	fs.StringVar(&o.WinLossReason, "reason", o.WinLossReason, "win/loss reason")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req := leadflow.PromoteRequest{}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if anySet(set, "pain-points", "qualified-services", "decision-maker", "budget", "timeframe", "fit", "qualification-notes") {
		req.Qualification = &q
	}
	if anySet(set, "value", "products", "probability", "close-date", "quotes", "competitors", "reason") {
		req.Opportunity = &o
	}
	return update(ctx, io, tc, id, name, req)
}

func leadLogCall(ctx context.Context, io IO, tc client.Client, id string, args []string) error {
	fs := newFlags("lead log-call", io)
	var c lifecycle.Call
	dir := fs.String("direction", "outbound", "inbound or outbound")
	at := fs.String("at", "", "when (RFC 3339; default now)")
	fs.StringVar(&c.Number, "number", "", "the number dialled")
	fs.IntVar(&c.DurationSeconds, "duration", 0, "duration in seconds")
	fs.StringVar(&c.Agent, "agent", "", "who called")
	fs.StringVar(&c.Outcome, "outcome", "", "the outcome (e.g. interested, not interested, no answer, do not call)")
	fs.StringVar(&c.NextAction, "next", "", "the next action")
	fs.StringVar(&c.Notes, "notes", "", "notes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := lifecycle.ParseDirection(*dir)
	if err != nil {
		return err
	}
	c.Direction, c.At = d, time.Now().UTC()
	if *at != "" {
		if c.At, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("--at: %w", err)
		}
	}
	return update(ctx, io, tc, id, leadflow.UpdateLogCall, c)
}

// update sends a validated update to a lead and prints the lead afterwards; a refusal comes
// back as the validator's reason.
func update(ctx context.Context, io IO, tc client.Client, id, name string, arg any) error {
	h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: leadflow.LeadWorkflowID(id), UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return fmt.Errorf("lead %s: %w", id, err)
	}
	var st leadflow.LeadState
	if err := h.Get(ctx, &st); err != nil {
		return fmt.Errorf("lead %s: %w", id, err)
	}
	printLead(io.Stdout, st)
	return nil
}

func anySet(set map[string]bool, names ...string) bool {
	for _, n := range names {
		if set[n] {
			return true
		}
	}
	return false
}
