package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Claim is the import batch that took on starting a lead's workflow (ClaimLeads).
type Claim struct {
	RunID string
	Batch int
	// Start is set when the batch lands the lead itself and starts its workflow with the landed
	// state; unset when it offers the lead to its workflow (update-with-start).
	Start bool
}

// Owns reports whether the claim is the batch's own.
func (c Claim) Owns(runID string, batch int) bool { return c.RunID == runID && c.Batch == batch }

// ClaimLeads claims each lead of want for the batch (runID, batch), with want[id] as its Start,
// unless some batch claimed it before, and returns every lead's claim as it now stands: the
// batch's own, or the earlier one. The first claim of a lead is kept for good, so whoever
// claims it later, concurrently or in a retry, sees the same owner.
func (s *Store) ClaimLeads(ctx context.Context, runID string, batch int, want map[string]bool) (map[string]Claim, error) {
	ids := slices.Sorted(maps.Keys(want)) // one order for every batch: no two inserts deadlock
	at := now()
	const chunk = 200 // five parameters a row
	for first := 0; first < len(ids); first += chunk {
		part := ids[first:min(first+chunk, len(ids))]
		rows := make([]string, len(part))
		args := make([]any, 0, 5*len(part))
		for i, id := range part {
			start := 0
			if want[id] {
				start = 1
			}
			rows[i] = placeholders(5*i+1, 5)
			args = append(args, id, runID, batch, start, at)
		}
		q := `INSERT INTO lead_claims(lead_id, run_id, batch, start, claimed_at) VALUES ` +
			strings.Join(rows, ",") + ` ON CONFLICT(lead_id) DO NOTHING`
		if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
			return nil, fmt.Errorf("claiming %d leads: %w", len(part), err)
		}
	}
	return s.Claims(ctx, ids)
}

// Claims returns the claims of those of ids that have one.
func (s *Store) Claims(ctx context.Context, ids []string) (map[string]Claim, error) {
	out := make(map[string]Claim, len(ids))
	const chunk = 500
	for first := 0; first < len(ids); first += chunk {
		part := ids[first:min(first+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, `SELECT lead_id, run_id, batch, start FROM lead_claims WHERE lead_id IN `+placeholders(1, len(part)), args...)
		if err != nil {
			return nil, fmt.Errorf("reading lead claims: %w", err)
		}
		for rows.Next() {
			var id string
			var c Claim
			var start int
			if err := rows.Scan(&id, &c.RunID, &c.Batch, &start); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading lead claims: %w", err)
			}
			c.Start = start != 0
			out[id] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading lead claims: %w", err)
		}
	}
	return out, nil
}
