// Package pipeline assembles haloleads from its parts: the Temporal workers with their
// workflows and activities, and, for the demo and the tests, the embedded parts (the Temporal
// dev server and the HaloPSA sandbox). The mains (worker, starter) only parse configuration and
// call into it.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"haloleads/activities"
	"haloleads/internal/dedupe"
	"haloleads/internal/enrich"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosync"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/providers"
	"haloleads/internal/score"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/workflows"
)

// Deps are what the workers need.
type Deps struct {
	Temporal client.Client
	Halo     *halopsa.Client
	Store    *store.Store
	Spec     tenant.Spec
	Logger   *zap.Logger
	// RateLimit and RateWindow are the tenant's budget; they bound the HaloPSA queue's
	// server-side activity rate so several workers stay inside it together.
	RateLimit  int
	RateWindow time.Duration
	// Providers are the provider API clients pulls use (none: pulls fail, imports work). Pulls
	// keep their exports in Store, so any worker can enrich and import what another bought.
	Providers map[lead.Source]providers.Provider
	// IDKey keys new lead ids (see dedupe.Config.IDKey); the codec keyring's IDKey.
	IDKey []byte
	// StatusMap maps the tenant's own statuses for the reconciliation (LEAD_STATUS_MAP); nil:
	// the default map.
	StatusMap lifecycle.StatusMap
	// SeparateSites creates a new client's main site with a POST of its own instead of in the
	// client's POST (HALO_NEW_CLIENT_SITE=separate; activities.Importer.SeparateSites).
	SeparateSites bool
}

// Workers are the started workers of one process.
type Workers struct {
	workers []worker.Worker
	Tenant  *activities.Tenant
}

// StartWorkers starts a worker on the main queue (workflows, import preparation) and one on the
// rate-limited HaloPSA queue (every HaloPSA write).
func StartWorkers(d Deps) (*Workers, error) {
	if d.Logger == nil {
		d.Logger = zap.NewNop()
	}
	t := &activities.Tenant{Client: d.Halo, Spec: d.Spec}
	imp := &activities.Importer{
		Client: d.Halo, Tenant: t, Store: d.Store, Temporal: d.Temporal, Logger: d.Logger,
		Dedupe: dedupe.DefaultConfig(), Fit: score.DefaultFitConfig(), SeparateSites: d.SeparateSites,
	}
	imp.Dedupe.IDKey = d.IDKey
	halo := &activities.Halo{Client: d.Halo, Tenant: t, Store: d.Store, Logger: d.Logger}

	main := worker.New(d.Temporal, leadflow.TaskQueue, worker.Options{})
	main.RegisterWorkflowWithOptions(workflows.Lead, workflow.RegisterOptions{Name: leadflow.LeadWorkflow})
	main.RegisterWorkflowWithOptions(workflows.Import, workflow.RegisterOptions{Name: leadflow.ImportWorkflow})
	main.RegisterActivity(imp)
	main.RegisterActivity(&activities.Ended{Store: d.Store})
	main.RegisterWorkflowWithOptions(workflows.Pull, workflow.RegisterOptions{Name: leadflow.PullWorkflow})
	main.RegisterWorkflowWithOptions(workflows.Reconcile, workflow.RegisterOptions{Name: leadflow.ReconcileWorkflow})
	main.RegisterActivity(&halosync.Reconciler{Dispatcher: &halosync.Dispatcher{
		Temporal: d.Temporal, Store: d.Store, Tenant: t, Logger: d.Logger, StatusMap: d.StatusMap}})
	main.RegisterActivity(&activities.Puller{Providers: d.Providers, Store: d.Store, Plan: enrich.DefaultPlan(), Logger: d.Logger})
	main.RegisterActivity(&activities.OptOuts{Providers: d.Providers, Store: d.Store, Logger: d.Logger})

	perSecond := float64(max(d.RateLimit, 1)) / max(d.RateWindow.Seconds(), 1)
	haloWorker := worker.New(d.Temporal, leadflow.HaloTaskQueue, worker.Options{
		TaskQueueActivitiesPerSecond:       perSecond,
		MaxConcurrentActivityExecutionSize: 4,
	})
	haloWorker.RegisterActivity(imp)
	haloWorker.RegisterActivity(halo)

	w := &Workers{Tenant: t}
	for _, wk := range []worker.Worker{main, haloWorker} {
		if err := wk.Start(); err != nil {
			w.Stop()
			return nil, fmt.Errorf("starting worker: %w", err)
		}
		w.workers = append(w.workers, wk)
	}
	return w, nil
}

// Stop stops the workers.
func (w *Workers) Stop() {
	for _, wk := range w.workers {
		wk.Stop()
	}
}

// RunImport starts an import workflow and, when wait is set, waits for its summary. A call to
// Temporal that timed out by itself (the SDK bounds each call: 10 s to start a workflow, 65 s
// for one wait for its result) is made again while ctx has time: on a loaded host a slow answer
// is not a failed import. Starting again is safe: the workflow id is the import's run id, so a
// start that went through is found running (and one that already finished is imported again,
// which writes nothing).
func RunImport(ctx context.Context, c client.Client, in leadflow.ImportInput, wait bool) (leadflow.Summary, error) {
	var run client.WorkflowRun
	err := retryRPCTimeout(ctx, func() (err error) {
		run, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        leadflow.ImportWorkflowID(in.RunID),
			TaskQueue: leadflow.TaskQueue,
		}, leadflow.ImportWorkflow, in)
		return err
	})
	if err != nil {
		return leadflow.Summary{}, fmt.Errorf("starting import %s: %w", in.RunID, err)
	}
	if !wait {
		return leadflow.Summary{RunID: in.RunID, Files: in.Files}, nil
	}
	var sum leadflow.Summary
	if err := retryRPCTimeout(ctx, func() error { return run.Get(ctx, &sum) }); err != nil {
		return sum, fmt.Errorf("import %s: %w", in.RunID, err)
	}
	return sum, nil
}

// retryRPCTimeout makes call until it returns anything but a timeout of the call itself, or
// until ctx ends.
func retryRPCTimeout(ctx context.Context, call func() error) error {
	for {
		err := call()
		if err == nil || ctx.Err() != nil || !rpcTimedOut(err) {
			return err
		}
	}
}

// rpcTimedOut reports whether err is a Temporal call that ran out of its own time.
func rpcTimedOut(err error) bool {
	var de *serviceerror.DeadlineExceeded
	return errors.As(err, &de) || errors.Is(err, context.DeadlineExceeded)
}

// ErrNoFiles is returned when an import names no file.
var ErrNoFiles = errors.New("no files to import")
