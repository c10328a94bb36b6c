// Package store is haloleads' own SQLite database: the stable lead identities, the staged
// records of an import run (so that Temporal histories carry references, not personal data),
// the suppression list (Do Not Contact, authoritative and never forgotten), the de-duplication
// review queue, and the provider records already bought.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"haloleads/internal/lead"
)

// Store is a handle on the database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

const schema = `
CREATE TABLE IF NOT EXISTS identities (
	key     TEXT PRIMARY KEY,
	lead_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS identities_lead ON identities(lead_id);
CREATE TABLE IF NOT EXISTS staged (
	run_id  TEXT NOT NULL,
	batch   INTEGER NOT NULL,
	lead_id TEXT NOT NULL,
	payload TEXT NOT NULL,
	PRIMARY KEY (run_id, lead_id)
);
CREATE INDEX IF NOT EXISTS staged_batch ON staged(run_id, batch);
CREATE TABLE IF NOT EXISTS runs (
	run_id     TEXT PRIMARY KEY,
	created_at TEXT NOT NULL,
	summary    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS suppression (
	key        TEXT PRIMARY KEY,
	lead_id    TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL,
	source     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	left_id    TEXT NOT NULL,
	right_id   TEXT NOT NULL,
	score      REAL NOT NULL,
	detail     TEXT NOT NULL,
	decision   TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	UNIQUE(left_id, right_id)
);
CREATE TABLE IF NOT EXISTS links (
	lead_id     TEXT PRIMARY KEY,
	survivor_id TEXT NOT NULL,
	review_id   INTEGER NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_survivor ON links(survivor_id);
CREATE TABLE IF NOT EXISTS companies (
	key       TEXT PRIMARY KEY,
	client_id INTEGER NOT NULL DEFAULT 0,
	site_id   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tickets (
	ticket_id INTEGER PRIMARY KEY,
	lead_id   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS known_leads (
	lead_id TEXT PRIMARY KEY,
	record  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS purchases (
	source     TEXT NOT NULL,
	person_id  TEXT NOT NULL,
	bought_at  TEXT NOT NULL,
	PRIMARY KEY (source, person_id)
);
`

// Open opens (creating if needed) the database file at path; ":memory:" gives a private
// in-memory database for tests.
func Open(path string) (*Store, error) {
	dsn := path
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("creating store directory: %w", err)
		}
		dsn = "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	if path == ":memory:" {
		db.SetMaxOpenConns(1) // one connection, or each would see its own empty database
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating store schema: %w", err)
	}
	return &Store{db: db, path: path}, nil
}

// Path returns the path the store was opened with (":memory:" for an in-memory store).
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// LookupIdentity returns the lead ID an identity key belongs to.
func (s *Store) LookupIdentity(ctx context.Context, key string) (string, bool, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT lead_id FROM identities WHERE key = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("looking up identity: %w", err)
	}
	return id, true, nil
}

// Identities returns every known identity key and its lead ID.
func (s *Store) Identities(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, lead_id FROM identities`)
	if err != nil {
		return nil, fmt.Errorf("reading identities: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			return nil, fmt.Errorf("reading identities: %w", err)
		}
		out[k] = id
	}
	return out, rows.Err()
}

// SaveIdentities records identity keys of leads. A key already bound keeps its first lead ID:
// identities are stable. Keys are stored in the order of their lead IDs, so that among leads
// first seen together the smaller ID counts as known first (see Decide).
func (s *Store) SaveIdentities(ctx context.Context, keys map[string]string) error {
	order := make([]string, 0, len(keys))
	for k := range keys {
		order = append(order, k)
	}
	slices.SortFunc(order, func(a, b string) int { return cmp.Or(cmp.Compare(keys[a], keys[b]), cmp.Compare(a, b)) })
	return s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO identities(key, lead_id) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, k := range order {
			if _, err := stmt.ExecContext(ctx, k, keys[k]); err != nil {
				return err
			}
		}
		return nil
	})
}

// Staged is one item of an import run's staging area: a lead ID and its JSON payload.
type Staged struct {
	LeadID  string
	Payload json.RawMessage
}

// StageBatch stores the items of one batch of an import run, replacing what a previous attempt
// of the same batch staged.
func (s *Store) StageBatch(ctx context.Context, runID string, batch int, items []Staged) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM staged WHERE run_id = ? AND batch = ?`, runID, batch); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO staged(run_id, batch, lead_id, payload) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, it := range items {
			if _, err := stmt.ExecContext(ctx, runID, batch, it.LeadID, string(it.Payload)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Batch returns the staged items of one batch, ordered by lead ID.
func (s *Store) Batch(ctx context.Context, runID string, batch int) ([]Staged, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT lead_id, payload FROM staged WHERE run_id = ? AND batch = ? ORDER BY lead_id`, runID, batch)
	if err != nil {
		return nil, fmt.Errorf("reading staged batch %d of %s: %w", batch, runID, err)
	}
	defer rows.Close()
	var out []Staged
	for rows.Next() {
		var it Staged
		var payload string
		if err := rows.Scan(&it.LeadID, &payload); err != nil {
			return nil, fmt.Errorf("reading staged batch: %w", err)
		}
		it.Payload = json.RawMessage(payload)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Company is a real company's HaloPSA client and site.
type Company struct {
	Key      string `json:"key"` // dedupe.CompanyKey
	ClientID int    `json:"client_id"`
	SiteID   int    `json:"site_id"`
}

// Companies returns the HaloPSA records of the given company keys that are known.
func (s *Store) Companies(ctx context.Context, keys []string) (map[string]Company, error) {
	out := map[string]Company{}
	for _, k := range keys {
		var c Company
		err := s.db.QueryRowContext(ctx, `SELECT key, client_id, site_id FROM companies WHERE key = ?`, k).
			Scan(&c.Key, &c.ClientID, &c.SiteID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading companies: %w", err)
		}
		out[k] = c
	}
	return out, nil
}

// SaveCompanies records companies' HaloPSA records; a known key is updated where ids are set.
func (s *Store) SaveCompanies(ctx context.Context, companies ...Company) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range companies {
			if _, err := tx.ExecContext(ctx, `INSERT INTO companies(key, client_id, site_id) VALUES (?, ?, ?)
				ON CONFLICT(key) DO UPDATE SET
					client_id = CASE WHEN excluded.client_id != 0 THEN excluded.client_id ELSE companies.client_id END,
					site_id = CASE WHEN excluded.site_id != 0 THEN excluded.site_id ELSE companies.site_id END`,
				c.Key, c.ClientID, c.SiteID); err != nil {
				return err
			}
		}
		return nil
	})
}

// DropRun deletes what an import run staged.
func (s *Store) DropRun(ctx context.Context, runID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM staged WHERE run_id = ?`, runID)
	if err != nil {
		return fmt.Errorf("dropping staged run %s: %w", runID, err)
	}
	return nil
}

// Suppression is one entry of the Do-Not-Contact list.
type Suppression struct {
	Key       string    `json:"key"` // email:..., phone:..., name:...
	LeadID    string    `json:"lead_id,omitempty"`
	Reason    string    `json:"reason"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// Suppress adds keys to the suppression list. Entries are never removed by haloleads.
func (s *Store) Suppress(ctx context.Context, entries ...Suppression) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx,
				`INSERT OR IGNORE INTO suppression(key, lead_id, reason, source, created_at) VALUES (?, ?, ?, ?, ?)`,
				e.Key, e.LeadID, e.Reason, e.Source, now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// Suppressed returns the entries matching any of keys.
func (s *Store) Suppressed(ctx context.Context, keys []string) ([]Suppression, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	q := `SELECT key, lead_id, reason, source, created_at FROM suppression WHERE key IN (?` +
		strings.Repeat(",?", len(keys)-1) + `) ORDER BY key`
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	return s.suppressions(ctx, q, args...)
}

// SuppressionList returns the whole list, ordered by key.
func (s *Store) SuppressionList(ctx context.Context) ([]Suppression, error) {
	return s.suppressions(ctx, `SELECT key, lead_id, reason, source, created_at FROM suppression ORDER BY key`)
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
		if err := rows.Scan(&e.Key, &e.LeadID, &e.Reason, &e.Source, &at); err != nil {
			return nil, fmt.Errorf("reading suppression list: %w", err)
		}
		e.CreatedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReviewItem is a pair of leads that may be one person, waiting for a human decision.
type ReviewItem struct {
	ID       int64   `json:"id"`
	LeftID   string  `json:"left_id"`
	RightID  string  `json:"right_id"`
	Score    float64 `json:"score"`
	Detail   string  `json:"detail"`
	Decision string  `json:"decision,omitempty"` // "", "same", "different"
	// Survivor is, for a "same" decision, the lead that carries on: the one known first.
	Survivor string `json:"survivor,omitempty"`
	// LinkedKeys is, when Decide records "same", how many identity keys moved to Survivor.
	LinkedKeys int `json:"linked_keys,omitempty"`
}

// AddReview queues pairs for review; a pair already queued is left as it is.
func (s *Store) AddReview(ctx context.Context, items ...ReviewItem) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, it := range items {
			l, r := it.LeftID, it.RightID
			if r < l {
				l, r = r, l
			}
			if _, err := tx.ExecContext(ctx,
				`INSERT OR IGNORE INTO review(left_id, right_id, score, detail, created_at) VALUES (?, ?, ?, ?, ?)`,
				l, r, it.Score, it.Detail, now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkBought records provider person ids already paid for.
func (s *Store) MarkBought(ctx context.Context, source lead.Source, personIDs ...string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range personIDs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO purchases(source, person_id, bought_at) VALUES (?, ?, ?)`,
				string(source), id, now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// Bought reports which of personIDs were already paid for.
func (s *Store) Bought(ctx context.Context, source lead.Source, personIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range personIDs {
		var x int
		err := s.db.QueryRowContext(ctx, `SELECT 1 FROM purchases WHERE source = ? AND person_id = ?`, string(source), id).Scan(&x)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading purchases: %w", err)
		}
		out[id] = true
	}
	return out, nil
}

func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting store transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("store transaction: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing store transaction: %w", err)
	}
	return nil
}

// SaveTickets records which lead each HaloPSA ticket belongs to (for webhooks).
func (s *Store) SaveTickets(ctx context.Context, byTicket map[int]string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for t, id := range byTicket {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO tickets(ticket_id, lead_id) VALUES (?, ?)`, t, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// LeadOfTicket returns the lead a HaloPSA ticket belongs to.
func (s *Store) LeadOfTicket(ctx context.Context, ticketID int) (string, bool, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT lead_id FROM tickets WHERE ticket_id = ?`, ticketID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("looking up ticket %d: %w", ticketID, err)
	}
	return id, true, nil
}
