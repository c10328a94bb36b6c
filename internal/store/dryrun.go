package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// A dry run's plan (what each batch would write, dryrun.Batch as JSON) is kept in the staging
// table under its own run id, one row per batch, so that finishing the import (DropRun) leaves
// it for the CLI to read; the CLI drops it once printed (DropDryRun).

func dryRunID(runID string) string { return "dry-run:" + runID }

// SaveDryRunBatch keeps the plan of one batch of a dry run, replacing an earlier attempt's.
func (s *Store) SaveDryRunBatch(ctx context.Context, runID string, batch int, plan json.RawMessage) error {
	return s.StageBatch(ctx, dryRunID(runID), batch, []Staged{{LeadID: fmt.Sprintf("batch-%08d", batch), Payload: plan}})
}

// DryRunBatches returns the plans a dry run kept, in batch order.
func (s *Store) DryRunBatches(ctx context.Context, runID string) ([]json.RawMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT payload FROM staged WHERE run_id = $1 ORDER BY batch`, dryRunID(runID))
	if err != nil {
		return nil, fmt.Errorf("reading the dry run's plan: %w", err)
	}
	defer rows.Close()
	var out []json.RawMessage
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("reading the dry run's plan: %w", err)
		}
		out = append(out, json.RawMessage(p))
	}
	return out, rows.Err()
}

// DropDryRun deletes a dry run's plan.
func (s *Store) DropDryRun(ctx context.Context, runID string) error {
	return s.DropRun(ctx, dryRunID(runID))
}
