package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// MirrorRecord is one HaloPSA record in the mirror: its kind ("user", "client", "ticket"), id
// and JSON as HaloPSA listed it.
type MirrorRecord struct {
	Kind   string
	ID     int
	Record json.RawMessage
}

// SaveMirror stores records in the mirror, replacing what it held for the same kind and id. A
// replaced record's match keys are no longer its own: it is marked unkeyed (UnkeyedMirror)
// until KeyMirror keys it.
func (s *Store) SaveMirror(ctx context.Context, recs []MirrorRecord) error {
	if len(recs) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO halo_mirror(kind, id, record) VALUES ($1, $2, $3)
			ON CONFLICT(kind, id) DO UPDATE SET record = excluded.record, keyed = 0`)
		if err != nil {
			return fmt.Errorf("saving the HaloPSA mirror: %w", err)
		}
		defer stmt.Close()
		for _, r := range recs {
			if _, err := stmt.ExecContext(ctx, r.Kind, r.ID, string(r.Record)); err != nil {
				return fmt.Errorf("saving the HaloPSA mirror: %w", err)
			}
		}
		return nil
	})
}

// Mirror calls fn with every record of a kind, in id order.
func (s *Store) Mirror(ctx context.Context, kind string, fn func(id int, rec json.RawMessage) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, record FROM halo_mirror WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		return fmt.Errorf("reading the HaloPSA mirror: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		var rec string
		if err := rows.Scan(&id, &rec); err != nil {
			return fmt.Errorf("reading the HaloPSA mirror: %w", err)
		}
		if err := fn(id, json.RawMessage(rec)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Watermark returns a named watermark; ok is false when it was never set.
func (s *Store) Watermark(ctx context.Context, name string) (at time.Time, ok bool, err error) {
	var v string
	err = s.db.QueryRowContext(ctx, `SELECT at FROM halo_watermarks WHERE name = $1`, name).Scan(&v)
	if err == sql.ErrNoRows {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading watermark %s: %w", name, err)
	}
	at, err = time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading watermark %s: %w", name, err)
	}
	return at, true, nil
}

// AdvanceWatermark sets a named watermark to at unless it is already later (concurrent readers
// never move it back).
func (s *Store) AdvanceWatermark(ctx context.Context, name string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var v string
		err := tx.QueryRowContext(ctx, `SELECT at FROM halo_watermarks WHERE name = $1`, name).Scan(&v)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return fmt.Errorf("reading watermark %s: %w", name, err)
		default:
			if old, perr := time.Parse(time.RFC3339Nano, v); perr == nil && !at.After(old) {
				return nil
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO halo_watermarks(name, at) VALUES ($1, $2)
			ON CONFLICT(name) DO UPDATE SET at = excluded.at`, name, at.UTC().Format(time.RFC3339Nano))
		if err != nil {
			return fmt.Errorf("setting watermark %s: %w", name, err)
		}
		return nil
	})
}

// ForgetWatermark removes a named watermark, as if it had never been set.
func (s *Store) ForgetWatermark(ctx context.Context, name string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM halo_watermarks WHERE name = $1`, name); err != nil {
		return fmt.Errorf("forgetting watermark %s: %w", name, err)
	}
	return nil
}

// MirrorRecords returns the records of a kind with the given ids (absent ids are left out).
func (s *Store) MirrorRecords(ctx context.Context, kind string, ids []int) (map[int]json.RawMessage, error) {
	out := make(map[int]json.RawMessage, len(ids))
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := []any{kind}
		for _, id := range part {
			args = append(args, id)
		}
		q := `SELECT id, record FROM halo_mirror WHERE kind = $1 AND id IN ` + placeholders(2, len(part))
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("reading the HaloPSA mirror: %w", err)
		}
		for rows.Next() {
			var id int
			var rec string
			if err := rows.Scan(&id, &rec); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading the HaloPSA mirror: %w", err)
			}
			out[id] = json.RawMessage(rec)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading the HaloPSA mirror: %w", err)
		}
	}
	return out, nil
}
