package store

import (
	"context"
	"database/sql"
	"fmt"
)

// The mirror's match keys: each record of the mirror may have keys (a user's e-mail and name
// identity keys, a client's domain and name keys, ...) that an import looks records up by
// (MirrorMatch) instead of loading the whole mirror. The keys are made by the caller's rules;
// a record remembers the version of the rules its keys were made with (keyed, 0: none yet), so
// that records keyed by other rules, or saved since without keys, can be found and keyed again
// (UnkeyedMirror, KeyMirror).

// SaveKeyedMirror stores records in the mirror as SaveMirror does, with their match keys
// (keys[i] are recs[i]'s) made by the rules of version (not 0), in one transaction.
func (s *Store) SaveKeyedMirror(ctx context.Context, version int, recs []MirrorRecord, keys [][]string) error {
	if len(recs) != len(keys) {
		return fmt.Errorf("saving the HaloPSA mirror: %d records, keys of %d", len(recs), len(keys))
	}
	if len(recs) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO halo_mirror(kind, id, record, keyed) VALUES ($1, $2, $3, $4)
			ON CONFLICT(kind, id) DO UPDATE SET record = excluded.record, keyed = excluded.keyed`)
		if err != nil {
			return fmt.Errorf("saving the HaloPSA mirror: %w", err)
		}
		defer stmt.Close()
		ks, err := prepareKeys(ctx, tx)
		if err != nil {
			return err
		}
		defer ks.close()
		for i, r := range recs {
			if _, err := stmt.ExecContext(ctx, r.Kind, r.ID, string(r.Record), version); err != nil {
				return fmt.Errorf("saving the HaloPSA mirror: %w", err)
			}
			if err := ks.replace(ctx, r.Kind, r.ID, keys[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// KeyMirror gives records already in the mirror their match keys (keys[i] are recs[i]'s) made
// by the rules of version. A record the mirror no longer holds as given (saved again since it
// was read) is left as it is: its new version is keyed by its own save or the next KeyMirror.
// It returns how many records it keyed.
func (s *Store) KeyMirror(ctx context.Context, version int, recs []MirrorRecord, keys [][]string) (int, error) {
	if len(recs) != len(keys) {
		return 0, fmt.Errorf("keying the HaloPSA mirror: %d records, keys of %d", len(recs), len(keys))
	}
	keyed := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE halo_mirror SET keyed = $1 WHERE kind = $2 AND id = $3 AND record = $4`)
		if err != nil {
			return fmt.Errorf("keying the HaloPSA mirror: %w", err)
		}
		defer stmt.Close()
		ks, err := prepareKeys(ctx, tx)
		if err != nil {
			return err
		}
		defer ks.close()
		for i, r := range recs {
			res, err := stmt.ExecContext(ctx, version, r.Kind, r.ID, string(r.Record))
			if err != nil {
				return fmt.Errorf("keying the HaloPSA mirror: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				continue
			}
			if err := ks.replace(ctx, r.Kind, r.ID, keys[i]); err != nil {
				return err
			}
			keyed++
		}
		return nil
	})
	return keyed, err
}

// keyStmts replace one record's match keys.
type keyStmts struct{ del, ins *sql.Stmt }

func prepareKeys(ctx context.Context, tx *sql.Tx) (*keyStmts, error) {
	del, err := tx.PrepareContext(ctx, `DELETE FROM halo_mirror_keys WHERE kind = $1 AND id = $2`)
	if err != nil {
		return nil, fmt.Errorf("saving the HaloPSA mirror's keys: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO halo_mirror_keys(kind, match_key, id) VALUES ($1, $2, $3)
		ON CONFLICT(kind, match_key, id) DO NOTHING`)
	if err != nil {
		del.Close()
		return nil, fmt.Errorf("saving the HaloPSA mirror's keys: %w", err)
	}
	return &keyStmts{del: del, ins: ins}, nil
}

func (k *keyStmts) close() { k.del.Close(); k.ins.Close() }

func (k *keyStmts) replace(ctx context.Context, kind string, id int, keys []string) error {
	if _, err := k.del.ExecContext(ctx, kind, id); err != nil {
		return fmt.Errorf("saving the HaloPSA mirror's keys: %w", err)
	}
	for _, key := range keys {
		if _, err := k.ins.ExecContext(ctx, kind, key, id); err != nil {
			return fmt.Errorf("saving the HaloPSA mirror's keys: %w", err)
		}
	}
	return nil
}

// UnkeyedMirror returns up to limit records of a kind, in id order, whose keys were not made
// by the rules of version (never keyed, saved since without keys, or keyed by other rules).
func (s *Store) UnkeyedMirror(ctx context.Context, kind string, version, limit int) ([]MirrorRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, record FROM halo_mirror WHERE kind = $1 AND keyed <> $2 ORDER BY id LIMIT $3`,
		kind, version, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the HaloPSA mirror: %w", err)
	}
	defer rows.Close()
	var out []MirrorRecord
	for rows.Next() {
		r := MirrorRecord{Kind: kind}
		var rec string
		if err := rows.Scan(&r.ID, &rec); err != nil {
			return nil, fmt.Errorf("reading the HaloPSA mirror: %w", err)
		}
		r.Record = []byte(rec)
		out = append(out, r)
	}
	return out, rows.Err()
}

// mirrorMatchChunk is how many keys one MirrorMatch query asks for.
const mirrorMatchChunk = 500

// MirrorMatch returns, of the given match keys, those records of a kind hold: each with the
// lowest id holding it.
func (s *Store) MirrorMatch(ctx context.Context, kind string, keys []string) (map[string]int, error) {
	out := make(map[string]int)
	for start := 0; start < len(keys); start += mirrorMatchChunk {
		part := keys[start:min(start+mirrorMatchChunk, len(keys))]
		args := make([]any, 0, len(part)+1)
		args = append(args, kind)
		for _, k := range part {
			args = append(args, k)
		}
		q := `SELECT match_key, MIN(id) FROM halo_mirror_keys WHERE kind = $1 AND match_key IN ` +
			placeholders(2, len(part)) + ` GROUP BY match_key`
		if err := s.collectMatches(ctx, q, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) collectMatches(ctx context.Context, q string, args []any, into map[string]int) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("matching against the HaloPSA mirror: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var id int
		if err := rows.Scan(&key, &id); err != nil {
			return fmt.Errorf("matching against the HaloPSA mirror: %w", err)
		}
		into[key] = id
	}
	return rows.Err()
}

// MirrorTop returns the highest id of a kind in the mirror (0 when it holds none).
func (s *Store) MirrorTop(ctx context.Context, kind string) (int, error) {
	var top sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(id) FROM halo_mirror WHERE kind = $1`, kind).Scan(&top); err != nil {
		return 0, fmt.Errorf("reading the HaloPSA mirror: %w", err)
	}
	return int(top.Int64), nil
}
