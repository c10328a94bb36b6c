package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SaveEndedLead keeps the state of a lead whose workflow ends (encoded by the caller, a
// leadflow.LeadState as JSON), replacing what an earlier ending kept.
func (s *Store) SaveEndedLead(ctx context.Context, leadID string, state []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO ended_leads(lead_id, state, ended_at) VALUES ($1, $2, $3)
		ON CONFLICT(lead_id) DO UPDATE SET state = excluded.state, ended_at = excluded.ended_at`, leadID, string(state), now())
	if err != nil {
		return fmt.Errorf("keeping the state of ended lead %s: %w", leadID, err)
	}
	return nil
}

// EndedLead returns the state kept for an ended lead; ok is false when none is kept.
func (s *Store) EndedLead(ctx context.Context, leadID string) (state []byte, ok bool, err error) {
	var st string
	err = s.db.QueryRowContext(ctx, `SELECT state FROM ended_leads WHERE lead_id = $1`, leadID).Scan(&st)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("reading the state of ended lead %s: %w", leadID, err)
	}
	return []byte(st), true, nil
}

// EndedLeads returns the states kept for those of ids that ended; the others are absent.
func (s *Store) EndedLeads(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, `SELECT lead_id, state FROM ended_leads WHERE lead_id IN `+placeholders(1, len(part)), args...)
		if err != nil {
			return nil, fmt.Errorf("reading ended leads: %w", err)
		}
		for rows.Next() {
			var id, st string
			if err := rows.Scan(&id, &st); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading ended leads: %w", err)
			}
			out[id] = []byte(st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading ended leads: %w", err)
		}
	}
	return out, nil
}
