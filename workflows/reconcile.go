package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"haloleads/internal/halosync"
	"haloleads/internal/leadflow"
)

// Reconcile is the reconciliation a Temporal Schedule runs: one activity reads what HaloPSA
// changed since the last run and feeds it through the webhook path (halosync.Reconciler).
func Reconcile(ctx workflow.Context) (leadflow.ReconcileResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           leadflow.TaskQueue,
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Minute, MaximumAttempts: 5},
	})
	var r *halosync.Reconciler
	var res leadflow.ReconcileResult
	err := workflow.ExecuteActivity(ctx, r.ReconcileChanges).Get(ctx, &res)
	return res, err
}
