package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"haloleads/internal/lead"
)

// KnownLeads returns the merged records stored for the given lead IDs (see SaveKnownLeads);
// IDs without one are absent from the map.
func (s *Store) KnownLeads(ctx context.Context, ids []string) (map[string]lead.Lead, error) {
	out := make(map[string]lead.Lead, len(ids))
	const chunk = 500 // SQLite's and PostgreSQL's limits on parameters are far above this
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		q := `SELECT lead_id, record FROM known_leads WHERE lead_id IN ` + placeholders(1, len(part))
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("reading known leads: %w", err)
		}
		for rows.Next() {
			var id, rec string
			if err := rows.Scan(&id, &rec); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading known leads: %w", err)
			}
			var l lead.Lead
			if err := json.Unmarshal([]byte(rec), &l); err != nil {
				rows.Close()
				return nil, fmt.Errorf("decoding known lead %s: %w", id, err)
			}
			out[id] = l
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading known leads: %w", err)
		}
	}
	return out, nil
}

// SaveKnownLeads stores each lead's merged record: everything imports have learnt about the
// person, which the next import merges its records with.
func (s *Store) SaveKnownLeads(ctx context.Context, leads []lead.Lead) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO known_leads(lead_id, record) VALUES ($1, $2)
			ON CONFLICT(lead_id) DO UPDATE SET record = excluded.record`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, l := range leads {
			b, err := json.Marshal(l)
			if err != nil {
				return fmt.Errorf("encoding known lead %s: %w", l.ID, err)
			}
			if _, err := stmt.ExecContext(ctx, l.ID, string(b)); err != nil {
				return err
			}
		}
		return nil
	})
}
