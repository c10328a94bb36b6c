package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"haloleads/activities"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/store"
)

func newLeadCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lead",
		Short: "show a lead, or move it: show | transition | promote | set-data | log-call",
		Long: `Show a lead's state, or move it through the lifecycle. Every change goes through the lead's
workflow, which checks it against the lifecycle rules first and says why when it refuses.`,
		Example: `  starter lead list --stage prospect
  starter lead show jane.doe@acme.example.com
  starter lead show 1042                        # by HaloPSA ticket id
  starter lead transition lead-3f2a9c1d --to contacted --note "left a voicemail"
  starter lead promote lead-3f2a9c1d --pain-points "weekly outages" --fit 80`,
	}
	cmd.AddCommand(newLeadListCmd(io), newLeadShowCmd(io), newLeadTransitionCmd(io), newLeadDataCmd(io, leadflow.UpdatePromote),
		newLeadDataCmd(io, leadflow.UpdateSetData), newLeadLogCallCmd(io))
	return cmd
}

func newLeadShowCmd(io IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "show LEAD",
		Short:   "a lead's state: stage, status, HaloPSA ids, segments, kept fields, violations",
		Long:    "Show a lead's state.\n\n" + leadArgHelp,
		Example: "  starter lead show lead-3f2a9c1d\n  starter lead show jane.doe@acme.example.com --json\n  starter lead show 1042",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withLead(cmd.Context(), io, args[0], func(tc client.Client, id string) error {
				st, err := readLead(cmd.Context(), tc, id)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(io.Stdout, st)
				}
				printLead(io.Stdout, st, uiBase(io))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole state as JSON")
	return cmd
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

// withLead resolves a lead argument (id, e-mail or ticket id) and runs fn with a Temporal client.
func withLead(ctx context.Context, io IO, arg string, fn func(tc client.Client, id string) error) error {
	id, err := resolveLead(ctx, io, arg)
	if err != nil {
		return err
	}
	return withTemporal(ctx, io, func(tc client.Client) error { return fn(tc, id) })
}

func printLead(w io.Writer, st leadflow.LeadState, ui string) {
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
	if u := workflowURL(ui, leadflow.LeadWorkflowID(st.LeadID)); u != "" {
		fmt.Fprintf(w, "  Web UI: %s\n", u)
	}
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

func newLeadTransitionCmd(io IO) *cobra.Command {
	var to, note string
	cmd := &cobra.Command{
		Use:   "transition LEAD --to STATUS",
		Short: "change a lead's status; refused with the reason if the lifecycle does not allow it",
		Long:  "Change a lead's status; the lead's workflow refuses, with the reason, what the lifecycle does not allow.\n\n" + leadArgHelp,
		Example: `  starter lead transition lead-3f2a9c1d --to contacted
  starter lead transition lead-3f2a9c1d --to "Not Interested" --note "has a provider"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			status, err := lifecycle.ParseStatus(to)
			if err != nil {
				return usageError("--to: %v", err)
			}
			return withLead(cmd.Context(), io, args[0], func(tc client.Client, id string) error {
				return update(cmd.Context(), io, tc, id, leadflow.UpdateTransition, leadflow.TransitionRequest{To: status, Note: note})
			})
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the status to move to (id or name, e.g. researching or \"Contacted\")")
	cmd.Flags().StringVar(&note, "note", "", "a note for the ticket")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// dataFlags defines the qualification and opportunity flags of promote and set-data on fs,
// bound to q and o.
func dataFlags(fs *pflag.FlagSet, q *lifecycle.QualificationData, o *lifecycle.OpportunityData) {
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
}

var (
	qualificationFlags = []string{"pain-points", "qualified-services", "decision-maker", "budget", "timeframe", "fit", "qualification-notes"}
	opportunityFlags   = []string{"value", "products", "probability", "close-date", "quotes", "competitors", "reason"}
)

// newLeadDataCmd is promote or set-data with the qualification or opportunity data given as
// flags. The flags change the lead's data: a field whose flag is not given keeps its value.
func newLeadDataCmd(io IO, name string) *cobra.Command {
	var q lifecycle.QualificationData
	var o lifecycle.OpportunityData
	cmd := &cobra.Command{
		Use:   name + " LEAD [flags]",
		Short: "fill a lead's qualification or opportunity data",
		Long: "Change a lead's qualification or opportunity data: a field whose flag is not given keeps its value.\n\n" +
			leadArgHelp,
		Example: "  starter lead " + name + ` lead-3f2a9c1d --pain-points "weekly outages" --decision-maker "the CFO" --fit 85
  starter lead ` + name + " lead-3f2a9c1d --value 24000 --products \"Managed IT\" --probability 60 --close-date 2026-09-30",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Out-of-range numbers are refused here, before anything reaches the lead or HaloPSA.
			if p := (lifecycle.Data{Qualification: q, Opportunity: o}).RangeProblems(); len(p) > 0 {
				return usageError("%s", strings.Join(p, "; "))
			}
			return withLead(cmd.Context(), io, args[0], func(tc client.Client, id string) error {
				st, err := readLead(cmd.Context(), tc, id)
				if err != nil {
					return err
				}
				req, err := dataRequest(cmd.Flags(), st.Data)
				if err != nil {
					return err
				}
				return update(cmd.Context(), io, tc, id, name, req)
			})
		},
	}
	if name == leadflow.UpdatePromote {
		cmd.Short = "promote a lead: Engaged → Prospect, Qualified → Opportunity (required fields checked first)"
	}
	dataFlags(cmd.Flags(), &q, &o)
	return cmd
}

// dataRequest applies the data flags given on the command line to the lead's current data.
func dataRequest(given *pflag.FlagSet, data lifecycle.Data) (leadflow.PromoteRequest, error) {
	q, o := data.Qualification, data.Opportunity
	onto := pflag.NewFlagSet("data", pflag.ContinueOnError)
	dataFlags(onto, &q, &o)
	var err error
	given.Visit(func(f *pflag.Flag) {
		if onto.Lookup(f.Name) != nil && err == nil {
			err = onto.Set(f.Name, f.Value.String())
		}
	})
	req := leadflow.PromoteRequest{}
	if anyChanged(given, qualificationFlags) {
		req.Qualification = &q
	}
	if anyChanged(given, opportunityFlags) {
		req.Opportunity = &o
	}
	return req, err
}

func newLeadLogCallCmd(io IO) *cobra.Command {
	var c lifecycle.Call
	var dir, at string
	cmd := &cobra.Command{
		Use:   "log-call LEAD",
		Short: "log a call as an action on the lead's ticket; its outcome may move the status",
		Long:  "Log a call as an action on the lead's ticket; its outcome may move the status.\n\n" + leadArgHelp,
		Example: `  starter lead log-call lead-3f2a9c1d --outcome interested --duration 300 --agent Sam
  starter lead log-call lead-3f2a9c1d --direction inbound --outcome "do not call" --at 2026-05-04T15:00:00Z`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := lifecycle.ParseDirection(dir)
			if err != nil {
				return usageError("--direction: %v", err)
			}
			if p := c.RangeProblems(); len(p) > 0 {
				return usageError("--duration: %s", strings.Join(p, "; "))
			}
			c.Direction, c.At = d, time.Now().UTC()
			if at != "" {
				if c.At, err = time.Parse(time.RFC3339, at); err != nil {
					return usageError("--at %q is not an RFC 3339 time such as 2026-05-04T15:00:00Z", at)
				}
			}
			return withLead(cmd.Context(), io, args[0], func(tc client.Client, id string) error {
				return update(cmd.Context(), io, tc, id, leadflow.UpdateLogCall, c)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "direction", "outbound", "inbound or outbound")
	f.StringVar(&at, "at", "", "when (RFC 3339; default now)")
	f.StringVar(&c.Number, "number", "", "the number dialled")
	f.IntVar(&c.DurationSeconds, "duration", 0, "duration in seconds")
	f.StringVar(&c.Agent, "agent", "", "who called")
	f.StringVar(&c.Outcome, "outcome", "", "the outcome (e.g. interested, not interested, no answer, do not call)")
	f.StringVar(&c.NextAction, "next", "", "the next action")
	f.StringVar(&c.Notes, "notes", "", "notes")
	return cmd
}

// update sends a validated update to a lead and prints the lead afterwards; a refusal comes
// back as the validator's reason.
func update(ctx context.Context, io IO, tc client.Client, id, name string, arg any) error {
	opts := client.UpdateWorkflowOptions{
		WorkflowID: leadflow.LeadWorkflowID(id), UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	h, err := tc.UpdateWorkflow(ctx, opts)
	if isNotFound(err) {
		h, err = reviveWithUpdate(ctx, io, tc, id, opts)
	}
	if err != nil {
		return fmt.Errorf("lead %s: %w", id, err)
	}
	var st leadflow.LeadState
	if err := h.Get(ctx, &st); err != nil {
		return fmt.Errorf("lead %s: %w", id, err)
	}
	printLead(io.Stdout, st, uiBase(io))
	return nil
}

func anyChanged(fs *pflag.FlagSet, names []string) bool {
	for _, n := range names {
		if fs.Changed(n) {
			return true
		}
	}
	return false
}

// isNotFound reports whether Temporal answered that the workflow is not running.
func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// reviveWithUpdate sends the update to a lead whose workflow ended after its quiet period,
// starting it again from the state kept in the store (update-with-start); a lead with no kept
// state keeps Temporal's "not found".
func reviveWithUpdate(ctx context.Context, io IO, tc client.Client, id string, opts client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	var kept map[string]leadflow.LeadInput
	err := withStore(io, func(st *store.Store) (err error) {
		kept, err = activities.EndedInputs(ctx, st, []string{id})
		return err
	})
	if err != nil {
		return nil, err
	}
	in, ok := kept[id]
	if !ok {
		return nil, fmt.Errorf("lead %s has no running workflow and no kept state", id)
	}
	start, _, _ := activities.StartLead(ctx, nil, id, in.Settings)
	op := tc.NewWithStartWorkflowOperation(start, leadflow.LeadWorkflow, in)
	return tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: op, UpdateOptions: opts})
}
