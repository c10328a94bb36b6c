package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"haloleads/internal/leadflow"
)

func newScheduleCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "manage scheduled pulls and the reconciliation: schedule create | reconcile | list | delete",
		Long: "Temporal Schedules that start a pull (see `starter pull --help`) periodically, and the " +
			"reconciliation that feeds what changed in HaloPSA to the leads when a webhook never arrives.",
		Example: `  starter schedule create --source apollo --query 'domain=acme.example.com,title=IT' --every 24h
  starter schedule reconcile --every 15m
  starter schedule list
  starter schedule delete --id pull-apollo`,
	}
	cmd.AddCommand(newScheduleCreateCmd(io), newScheduleReconcileCmd(io), newScheduleListCmd(io), newScheduleDeleteCmd(io))
	return cmd
}

// maxCatchup bounds how late a missed pull still runs (after the server was down): a pull is
// worth making late, not a day late, and never several times over.
const maxCatchup = time.Hour

// pullSchedule returns the options of a schedule that starts a pull every interval. Its runs
// are named by the schedule, so each run's files and import have their own name. A missed run
// is caught up only within min(interval, 1 h); a run still going makes the next one skip; a
// failed pull pauses the schedule (a refused key or a spent quota fails every later run too:
// `temporal schedule unpause` once fixed).
func pullSchedule(id string, every time.Duration, in leadflow.PullInput) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID:             id,
		Spec:           client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}},
		CatchupWindow:  min(every, maxCatchup),
		PauseOnFailure: true,
		Overlap:        enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID: leadflow.PullWorkflowID(id), Workflow: leadflow.PullWorkflow, Args: []any{in},
			TaskQueue: leadflow.TaskQueue,
		},
		Note: fmt.Sprintf("pull %s %s every %s", in.Source, in.Query, every),
	}
}

func newScheduleCreateCmd(io IO) *cobra.Command {
	var every time.Duration
	var id string
	var pf pullFlags
	cmd := &cobra.Command{
		Use:     "create --source S --query Q [--every 24h] [--id NAME]",
		Short:   "create a schedule that pulls periodically",
		Example: "  starter schedule create --source apollo --query 'domain=acme.example.com,title=IT' --every 24h --id apollo-it",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := pf.input(io)
			if err != nil {
				return err
			}
			if every < time.Minute {
				return usageError("--every must be at least 1m")
			}
			if id == "" {
				id = "pull-" + string(in.Source)
			}
			ctx := cmd.Context()
			return withTemporal(ctx, io, func(tc client.Client) error {
				if _, err := tc.ScheduleClient().Create(ctx, pullSchedule(id, every, in)); err != nil {
					return fmt.Errorf("creating schedule %s: %w", id, err)
				}
				fmt.Fprintf(io.Stdout, "Schedule %s pulls from %s every %s (%s).\n", id, in.Source.DisplayName(), every, in.Query)
				return nil
			})
		},
	}
	pf = addPullFlags(cmd.Flags())
	cmd.Flags().DurationVar(&every, "every", 24*time.Hour, "how often to pull (at least 1m)")
	cmd.Flags().StringVar(&id, "id", "", "the schedule's name (default: pull-SOURCE)")
	return cmd
}

// ReconcileSchedule returns the options of the reconciliation's schedule: a Reconcile run every
// interval, one at a time (a run still going when the next is due makes that one skip).
func ReconcileSchedule(every time.Duration) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID:      leadflow.ReconcileScheduleID,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}},
		Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID: leadflow.ReconcileScheduleID, Workflow: leadflow.ReconcileWorkflow, TaskQueue: leadflow.TaskQueue,
		},
		Note: fmt.Sprintf("reconcile HaloPSA changes every %s", every),
	}
}

// EnsureReconcileSchedule creates the reconciliation's schedule, or sets its interval when it
// exists: running it again changes nothing else.
func EnsureReconcileSchedule(ctx context.Context, tc client.Client, every time.Duration) error {
	_, err := tc.ScheduleClient().Create(ctx, ReconcileSchedule(every))
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		if err != nil {
			return fmt.Errorf("creating the reconciliation schedule: %w", err)
		}
		return nil
	}
	h := tc.ScheduleClient().GetHandle(ctx, leadflow.ReconcileScheduleID)
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec = &client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return fmt.Errorf("updating the reconciliation schedule: %w", err)
	}
	return nil
}

func newScheduleReconcileCmd(io IO) *cobra.Command {
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "reconcile [--every 15m]",
		Short: "create (or re-time) the schedule that reconciles HaloPSA changes with the leads",
		Long: "The reconciliation reads the lead tickets and users HaloPSA changed since its last run " +
			"(lastupdatefromdate) and feeds each through the webhook path, so a change whose webhook never " +
			"arrived still reaches its lead. Running the command again only changes the interval.",
		Example: "  starter schedule reconcile --every 15m",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if every < time.Minute {
				return usageError("--every must be at least 1m")
			}
			ctx := cmd.Context()
			return withTemporal(ctx, io, func(tc client.Client) error {
				if err := EnsureReconcileSchedule(ctx, tc, every); err != nil {
					return err
				}
				fmt.Fprintf(io.Stdout, "Schedule %s reconciles HaloPSA changes every %s.\n", leadflow.ReconcileScheduleID, every)
				return nil
			})
		},
	}
	cmd.Flags().DurationVar(&every, "every", 15*time.Minute, "how often to reconcile (at least 1m)")
	return cmd
}

func newScheduleListCmd(io IO) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "list the scheduled pulls and the reconciliation",
		Example: "  starter schedule list",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return withTemporal(ctx, io, func(tc client.Client) error {
				it, err := tc.ScheduleClient().List(ctx, client.ScheduleListOptions{})
				if err != nil {
					return fmt.Errorf("listing schedules: %w", err)
				}
				tw := tabwriter.NewWriter(io.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tEVERY\tNEXT RUN\tPAUSED")
				for it.HasNext() {
					s, err := it.Next()
					if err != nil {
						return fmt.Errorf("listing schedules: %w", err)
					}
					if s.WorkflowType.Name != leadflow.PullWorkflow && s.WorkflowType.Name != leadflow.ReconcileWorkflow {
						continue
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", s.ID, everyOf(s.Spec), nextOf(s.NextActionTimes), s.Paused)
				}
				return tw.Flush()
			})
		},
	}
}

func newScheduleDeleteCmd(io IO) *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:     "delete --id NAME",
		Short:   "delete a schedule (runs already started finish)",
		Example: "  starter schedule delete --id pull-apollo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return withTemporal(ctx, io, func(tc client.Client) error {
				if err := tc.ScheduleClient().GetHandle(ctx, id).Delete(ctx); err != nil {
					return fmt.Errorf("deleting schedule %s: %w", id, err)
				}
				fmt.Fprintf(io.Stdout, "Deleted schedule %s.\n", id)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the schedule to delete (see `schedule list`)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

// withTemporal runs fn with a client of the configured Temporal server.
func withTemporal(ctx context.Context, io IO, fn func(client.Client) error) error {
	_, tc, err := connect(ctx, io)
	if err != nil {
		return err
	}
	defer tc.Close()
	return fn(tc)
}

// everyOf describes a schedule's interval.
func everyOf(spec *client.ScheduleSpec) string {
	if spec == nil || len(spec.Intervals) == 0 {
		return "-"
	}
	return spec.Intervals[0].Every.String()
}

// nextOf describes the next action time.
func nextOf(times []time.Time) string {
	if len(times) == 0 {
		return "-"
	}
	return times[0].Local().Format(time.DateTime)
}
