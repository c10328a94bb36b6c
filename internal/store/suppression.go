package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"haloleads/internal/suppress"
)

// Names of store_secrets rows.
const (
	secretSuppressionKey = "suppression_key"
	secretFingerprint    = "suppression_key_fingerprint"
)

// ErrSuppressionKeyMismatch is returned when a store is opened with a suppression key other than
// the one its list was hashed with: every check would miss.
var ErrSuppressionKeyMismatch = errors.New("the suppression list was hashed with another suppression key")

// Suppression is one entry of the Do-Not-Contact list. Suppress takes Key in plaintext
// ("email:jane@acme.example", "phone:+14155550123"); the store keeps only its keyed hash.
// Entries read back from the list carry the hash as Key (Suppressed gives the plaintext key that
// matched, as the caller knows it).
type Suppression struct {
	Key       string    `json:"key"`
	Kind      string    `json:"kind,omitempty"` // email, phone, linkedin, name, domain
	LeadID    string    `json:"lead_id,omitempty"`
	Reason    string    `json:"reason"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// readySuppression settles the key the list is hashed with (the given secret, else the store's
// own, generated once), checks it against the fingerprint the list was made with, and hashes the
// plaintext keys a list from before hashing still holds.
func (s *Store) readySuppression(ctx context.Context, secret []byte) error {
	if len(secret) == 0 {
		var err error
		if secret, err = s.ownSuppressionKey(ctx); err != nil {
			return err
		}
	}
	h, err := suppress.NewHasher(secret)
	if err != nil {
		return fmt.Errorf("HALOLEADS_SUPPRESSION_KEY: %w", err)
	}
	s.hasher = h
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := checkFingerprint(ctx, tx, h.Fingerprint()); err != nil {
			return err
		}
		return hashPlaintext(ctx, tx, h)
	})
}

// ownSuppressionKey returns the store's own suppression key, creating it on first use. Processes
// opening one database at once agree on the first key written.
func (s *Store) ownSuppressionKey(ctx context.Context) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generating the suppression key: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO store_secrets(name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		secretSuppressionKey, hex.EncodeToString(b)); err != nil {
		return nil, fmt.Errorf("storing the suppression key: %w", err)
	}
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM store_secrets WHERE name = $1`, secretSuppressionKey).Scan(&v); err != nil {
		return nil, fmt.Errorf("reading the suppression key: %w", err)
	}
	return hex.DecodeString(v)
}

// checkFingerprint records the key's fingerprint, or refuses a key other than the one the
// hashed entries were made with. A list with no hashed entry takes the new key.
func checkFingerprint(ctx context.Context, tx *sql.Tx, fp string) error {
	var old string
	err := tx.QueryRowContext(ctx, `SELECT value FROM store_secrets WHERE name = $1`, secretFingerprint).Scan(&old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO store_secrets(name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING`, secretFingerprint, fp)
		return err
	case err != nil:
		return err
	case old == fp:
		return nil
	}
	var hashed int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM suppression WHERE kind != ''`).Scan(&hashed); err != nil {
		return err
	}
	if hashed > 0 {
		return fmt.Errorf("%w (key fingerprint %s, this key's %s): open the store with the key it was made with", ErrSuppressionKeyMismatch, old, fp)
	}
	_, err = tx.ExecContext(ctx, `UPDATE store_secrets SET value = $1 WHERE name = $2`, fp, secretFingerprint)
	return err
}

// hashPlaintext replaces the plaintext keys of a list from before hashing by their hashes.
func hashPlaintext(ctx context.Context, tx *sql.Tx, h suppress.Hasher) error {
	rows, err := tx.QueryContext(ctx, `SELECT key, lead_id, reason, source, created_at FROM suppression WHERE kind = ''`)
	if err != nil {
		return err
	}
	type row struct{ key, lead, reason, source, at string }
	var old []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.key, &r.lead, &r.reason, &r.source, &r.at); err != nil {
			rows.Close()
			return err
		}
		old = append(old, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range old {
		if _, err := tx.ExecContext(ctx, `INSERT INTO suppression(key, kind, lead_id, reason, source, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
			h.Hash(r.key), kindOf(r.key), r.lead, r.reason, r.source, r.at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM suppression WHERE key = $1 AND kind = ''`, r.key); err != nil {
			return err
		}
	}
	return nil
}

// kindOf is a key's kind; a key with none counts as "other" (never empty: empty marks plaintext).
func kindOf(key string) string {
	if k := suppress.KindOf(key); k != "" {
		return k
	}
	return "other"
}

// Suppress adds people to the suppression list under the entries' keys (plaintext; stored
// hashed). A key already listed keeps its first entry. Entries are never removed by haloleads.
func (s *Store) Suppress(ctx context.Context, entries ...Suppression) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if e.Key == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO suppression(key, kind, lead_id, reason, source, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
				s.hasher.Hash(e.Key), kindOf(e.Key), e.LeadID, e.Reason, e.Source, now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// SuppressKeys adds one person's keys to the suppression list with one lead, reason and source.
func (s *Store) SuppressKeys(ctx context.Context, leadID, reason, source string, keys ...string) error {
	entries := make([]Suppression, 0, len(keys))
	for _, k := range keys {
		entries = append(entries, Suppression{Key: k, LeadID: leadID, Reason: reason, Source: source})
	}
	return s.Suppress(ctx, entries...)
}

// Suppressed returns the entries matching any of keys (plaintext), each with the key that
// matched, in the order of keys.
func (s *Store) Suppressed(ctx context.Context, keys []string) ([]Suppression, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	byHash := make(map[string]string, len(keys))
	args := make([]any, 0, len(keys))
	for _, k := range keys {
		d := s.hasher.Hash(k)
		if _, dup := byHash[d]; !dup {
			args = append(args, d)
		}
		byHash[d] = k
	}
	q := `SELECT key, kind, lead_id, reason, source, created_at FROM suppression WHERE key IN ` + placeholders(1, len(args))
	hits, err := s.suppressions(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	order := make(map[string]int, len(keys))
	for i, k := range keys {
		if _, ok := order[k]; !ok {
			order[k] = i
		}
	}
	for i := range hits {
		hits[i].Key = byHash[hits[i].Key]
	}
	sortBy(hits, func(e Suppression) int { return order[e.Key] })
	return hits, nil
}

// IsSuppressed reports whether any of keys (plaintext) is on the suppression list.
func (s *Store) IsSuppressed(ctx context.Context, keys ...string) (bool, error) {
	hits, err := s.Suppressed(ctx, keys)
	return len(hits) > 0, err
}

// SuppressionList returns the whole list, ordered by kind and hash. Keys are hashes: the list
// can be checked and counted, not read back.
func (s *Store) SuppressionList(ctx context.Context) ([]Suppression, error) {
	return s.suppressions(ctx, `SELECT key, kind, lead_id, reason, source, created_at FROM suppression ORDER BY kind, key`)
}

func (s *Store) suppressions(ctx context.Context, q string, args ...any) ([]Suppression, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading suppression list: %w", err)
	}
	defer rows.Close()
	var out []Suppression
	for rows.Next() {
		var e Suppression
		var at string
		if err := rows.Scan(&e.Key, &e.Kind, &e.LeadID, &e.Reason, &e.Source, &at); err != nil {
			return nil, fmt.Errorf("reading suppression list: %w", err)
		}
		e.CreatedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// sortBy sorts entries by rank, stably.
func sortBy(entries []Suppression, rank func(Suppression) int) {
	slices.SortStableFunc(entries, func(a, b Suppression) int { return cmp.Compare(rank(a), rank(b)) })
}
