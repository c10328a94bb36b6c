package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"go.temporal.io/sdk/client"

	"haloleads/internal/leadflow"
)

// runSchedule manages the Temporal Schedules that start pulls periodically.
func runSchedule(ctx context.Context, io IO, args []string) error {
	if len(args) == 0 {
		return errors.New("say what to do: schedule create | list | delete")
	}
	subs := map[string]func(context.Context, IO, []string) error{
		"create": scheduleCreate, "list": scheduleList, "delete": scheduleDelete,
	}
	sub, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("unknown schedule command %q: use create, list or delete", args[0])
	}
	return sub(ctx, io, args[1:])
}

// pullSchedule returns the options of a schedule that starts a pull every interval. Its runs
// are named by the schedule, so each run's files and import have their own name.
func pullSchedule(id string, every time.Duration, in leadflow.PullInput) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID:   id,
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}},
		Action: &client.ScheduleWorkflowAction{
			ID: leadflow.PullWorkflowID(id), Workflow: leadflow.PullWorkflow, Args: []any{in},
			TaskQueue: leadflow.TaskQueue,
		},
		Note: fmt.Sprintf("pull %s %s every %s", in.Source, in.Query, every),
	}
}

func scheduleCreate(ctx context.Context, io IO, args []string) error {
	fs := newFlags("schedule create", io)
	pf := addPullFlags(fs)
	every := fs.Duration("every", 24*time.Hour, "how often to pull (at least 1m)")
	id := fs.String("id", "", "the schedule's name (default: pull-SOURCE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in, err := pf.input(io)
	if err != nil {
		return err
	}
	if *every < time.Minute {
		return errors.New("--every must be at least 1m")
	}
	if *id == "" {
		*id = "pull-" + string(in.Source)
	}
	return withTemporal(ctx, io, func(tc client.Client) error {
		if _, err := tc.ScheduleClient().Create(ctx, pullSchedule(*id, *every, in)); err != nil {
			return fmt.Errorf("creating schedule %s: %w", *id, err)
		}
		fmt.Fprintf(io.Stdout, "Schedule %s pulls from %s every %s (%s).\n", *id, in.Source.DisplayName(), *every, in.Query)
		return nil
	})
}

func scheduleList(ctx context.Context, io IO, args []string) error {
	fs := newFlags("schedule list", io)
	if err := fs.Parse(args); err != nil {
		return err
	}
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
			if s.WorkflowType.Name != leadflow.PullWorkflow {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", s.ID, everyOf(s.Spec), nextOf(s.NextActionTimes), s.Paused)
		}
		return tw.Flush()
	})
}

func scheduleDelete(ctx context.Context, io IO, args []string) error {
	fs := newFlags("schedule delete", io)
	id := fs.String("id", "", "the schedule to delete")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" {
		return errors.New("--id is required (see `schedule list`)")
	}
	return withTemporal(ctx, io, func(tc client.Client) error {
		if err := tc.ScheduleClient().GetHandle(ctx, *id).Delete(ctx); err != nil {
			return fmt.Errorf("deleting schedule %s: %w", *id, err)
		}
		fmt.Fprintf(io.Stdout, "Deleted schedule %s.\n", *id)
		return nil
	})
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
