package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// The requests and writes each attempt of an import batch made are kept in the staging table
// under their own run id ("counts:" + run), one row per batch and attempt, written as the
// attempt goes: a later attempt adds those of the attempts before it that never reported (a
// worker killed mid-batch), so the summary counts every write HaloPSA saw. DropRun drops them.

func countsID(runID string) string { return "counts:" + runID }

// LandCount is what one attempt of a batch sent to HaloPSA.
type LandCount struct {
	Requests int64 `json:"requests"`
	Writes   int64 `json:"writes"`
}

// SaveLandCount records the counts so far of one attempt of a batch.
func (s *Store) SaveLandCount(ctx context.Context, runID string, batch, attempt int, c LandCount) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO staged(run_id, batch, lead_id, payload) VALUES ($1, $2, $3, $4)
		ON CONFLICT(run_id, lead_id) DO UPDATE SET payload = excluded.payload`,
		countsID(runID), batch, fmt.Sprintf("batch-%08d/attempt-%06d", batch, attempt), string(b))
	if err != nil {
		return fmt.Errorf("recording the HaloPSA requests of batch %d: %w", batch, err)
	}
	return nil
}

// EarlierLandCounts sums the counts the attempts of a batch before attempt recorded.
func (s *Store) EarlierLandCounts(ctx context.Context, runID string, batch, attempt int) (LandCount, error) {
	var sum LandCount
	rows, err := s.db.QueryContext(ctx, `SELECT payload FROM staged WHERE run_id = $1 AND batch = $2 AND lead_id < $3`,
		countsID(runID), batch, fmt.Sprintf("batch-%08d/attempt-%06d", batch, attempt))
	if err != nil {
		return sum, fmt.Errorf("reading the HaloPSA requests of batch %d: %w", batch, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var c LandCount
		if err := rows.Scan(&p); err != nil {
			return sum, err
		}
		if err := json.Unmarshal([]byte(p), &c); err != nil {
			return sum, fmt.Errorf("reading the HaloPSA requests of batch %d: %w", batch, err)
		}
		sum.Requests, sum.Writes = sum.Requests+c.Requests, sum.Writes+c.Writes
	}
	return sum, rows.Err()
}

// progressKey is the row of a batch's last recorded progress among its counts rows; it sorts
// after the batch's attempt rows, so EarlierLandCounts never reads it.
func progressKey(batch int) string { return fmt.Sprintf("batch-%08d/progress", batch) }

// SaveLandProgress keeps the progress (HaloPSA ids, no personal data) the last attempt of a
// batch recorded when it ended with an error, so that a batch that fails for good can tell its
// leads what it created. DropRun drops it.
func (s *Store) SaveLandProgress(ctx context.Context, runID string, batch int, progress json.RawMessage) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO staged(run_id, batch, lead_id, payload) VALUES ($1, $2, $3, $4)
		ON CONFLICT(run_id, lead_id) DO UPDATE SET payload = excluded.payload`,
		countsID(runID), batch, progressKey(batch), string(progress))
	if err != nil {
		return fmt.Errorf("recording the progress of batch %d: %w", batch, err)
	}
	return nil
}

// LandProgress returns what SaveLandProgress kept for a batch, or nil.
func (s *Store) LandProgress(ctx context.Context, runID string, batch int) (json.RawMessage, error) {
	var p string
	err := s.db.QueryRowContext(ctx, `SELECT payload FROM staged WHERE run_id = $1 AND lead_id = $2`,
		countsID(runID), progressKey(batch)).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the progress of batch %d: %w", batch, err)
	}
	return json.RawMessage(p), nil
}

// LandCounts sums the counts every attempt of a batch recorded.
func (s *Store) LandCounts(ctx context.Context, runID string, batch int) (LandCount, error) {
	return s.EarlierLandCounts(ctx, runID, batch, math.MaxInt32)
}
