// Package store is haloleads' own database: the stable lead identities, the staged records of
// an import run (so that Temporal histories carry references, not personal data), the import
// files the CLI streamed in, the suppression list (Do Not Contact, authoritative and never
// forgotten, its keys stored as keyed hashes), the de-duplication review queue, the ticket → lead map webhooks use, and the
// provider records already bought.
//
// It runs on PostgreSQL (OpenPostgres: every worker, receiver and CLI of a deployment shares one
// database) or on an SQLite file (Open: the embedded default for one process on one host). Both
// backends sit behind the one Store type, with the same SQL where the two agree and numbered
// migrations per backend (migrations/sqlite, migrations/postgres) applied on open. The
// conformance suite (store_test.go) runs every test against both.
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
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, registered as "pgx"
	_ "modernc.org/sqlite"             // the pure-Go SQLite driver, registered as "sqlite"

	"haloleads/internal/lead"
	"haloleads/internal/suppress"
)

// Store is a handle on the database. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	path    string
	dialect dialect
	// hasher turns suppression keys into their stored form (see suppression.go).
	hasher suppress.Hasher
}

// Option configures a store when it is opened.
type Option func(*options)

type options struct {
	suppressionKey []byte
}

// WithSuppressionKey sets the secret the suppression list's keys are hashed with (the
// HALOLEADS_SUPPRESSION_KEY setting). Without it the store uses a key of its own, generated once
// and kept in the database.
func WithSuppressionKey(secret []byte) Option {
	return func(o *options) { o.suppressionKey = secret }
}

// dialect is what differs between the backends beyond the migrations. Queries use $1-style
// placeholders, which both drivers accept, and ON CONFLICT clauses, which both databases know.
type dialect struct {
	name string // "sqlite" or "postgres"
	// identitySeq is the column that orders identities by when they were first saved.
	identitySeq string
}

var (
	sqliteDialect   = dialect{name: "sqlite", identitySeq: "rowid"}
	postgresDialect = dialect{name: "postgres", identitySeq: "seq"}
)

// Open opens (creating if needed) the SQLite database file at path and brings its schema up to
// date; ":memory:" gives a private in-memory database for tests.
func Open(path string, opts ...Option) (*Store, error) {
	dsn := path
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("creating store directory: %w", err)
		}
		// SQLite gives its WAL the database file's mode: create the file private first.
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
			f.Close()
		}
		// secure_delete overwrites deleted rows (a forgotten person) instead of leaving them in
		// free pages.
		dsn = "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(ON)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	if path == ":memory:" {
		db.SetMaxOpenConns(1) // one connection, or each would see its own empty database
	}
	return ready(&Store{db: db, path: path, dialect: sqliteDialect}, opts)
}

// OpenPostgres connects to the PostgreSQL database at url (a postgres:// URL or a key=value
// connection string) and brings its schema up to date. Several processes may open the same
// database at once: migrations take an advisory lock.
func OpenPostgres(url string, opts ...Option) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("opening PostgreSQL store: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return ready(&Store{db: db, path: "postgres", dialect: postgresDialect}, opts)
}

// OpenConfigured opens the deployment's store: PostgreSQL when databaseURL is set (the
// HALOLEADS_DATABASE_URL setting), otherwise the SQLite file haloleads.db in dataDir.
func OpenConfigured(dataDir, databaseURL string, opts ...Option) (*Store, error) {
	if databaseURL != "" {
		return OpenPostgres(databaseURL, opts...)
	}
	return Open(filepath.Join(dataDir, "haloleads.db"), opts...)
}

func ready(s *Store, opts []Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := s.readySuppression(ctx, o.suppressionKey); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Postgres reports whether the store is on PostgreSQL (shared by every process of the
// deployment) rather than a local SQLite file.
func (s *Store) Postgres() bool { return s.dialect.name == "postgres" }

// placeholders returns "($first, ..., $first+n-1)".
func placeholders(first, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("$" + strconv.Itoa(first+i))
	}
	b.WriteByte(')')
	return b.String()
}

// Path returns the path the store was opened with (":memory:" for an in-memory store).
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// LookupIdentity returns the lead ID an identity key belongs to.
func (s *Store) LookupIdentity(ctx context.Context, key string) (string, bool, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT lead_id FROM identities WHERE key = $1`, key).Scan(&id)
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
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO identities(key, lead_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`)
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
		if _, err := tx.ExecContext(ctx, `DELETE FROM staged WHERE run_id = $1 AND batch = $2`, runID, batch); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO staged(run_id, batch, lead_id, payload) VALUES ($1, $2, $3, $4)
			ON CONFLICT(run_id, lead_id) DO UPDATE SET batch = excluded.batch, payload = excluded.payload`)
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

// ErrBatchMissing is returned by Batch for a batch the store does not hold: never staged, or
// dropped when its run finished. Prepare never stages an empty batch.
var ErrBatchMissing = errors.New("staged batch is not in the store")

// Batch returns the staged items of one batch, ordered by lead ID, or ErrBatchMissing.
func (s *Store) Batch(ctx context.Context, runID string, batch int) ([]Staged, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT lead_id, payload FROM staged WHERE run_id = $1 AND batch = $2 ORDER BY lead_id`, runID, batch)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading staged batch: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("batch %d of import %s: %w", batch, runID, ErrBatchMissing)
	}
	return out, nil
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
		err := s.db.QueryRowContext(ctx, `SELECT key, client_id, site_id FROM companies WHERE key = $1`, k).
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
			if _, err := tx.ExecContext(ctx, `INSERT INTO companies(key, client_id, site_id) VALUES ($1, $2, $3)
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

// DropRun deletes what an import run staged and the files uploaded for it.
func (s *Store) DropRun(ctx context.Context, runID string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM staged WHERE run_id = $1 OR run_id = $2`, runID, countsID(runID)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM uploads WHERE upload_id IN (SELECT upload_id FROM upload_files WHERE run_id = $1)`, runID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM upload_files WHERE run_id = $1`, runID)
		return err
	})
	if err != nil {
		return fmt.Errorf("dropping staged run %s: %w", runID, err)
	}
	return nil
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
				`INSERT INTO review(left_id, right_id, score, detail, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
				l, r, it.Score, it.Detail, now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkBought records provider person ids already paid for, closing their purchase intents.
func (s *Store) MarkBought(ctx context.Context, source lead.Source, personIDs ...string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range personIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO purchases(source, person_id, bought_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				string(source), id, now()); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM purchase_intents WHERE source = $1 AND person_id = $2`, string(source), id); err != nil {
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
		err := s.db.QueryRowContext(ctx, `SELECT 1 FROM purchases WHERE source = $1 AND person_id = $2`, string(source), id).Scan(&x)
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
			if _, err := tx.ExecContext(ctx, `INSERT INTO tickets(ticket_id, lead_id) VALUES ($1, $2)
				ON CONFLICT(ticket_id) DO UPDATE SET lead_id = excluded.lead_id`, t, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// LeadOfTicket returns the lead a HaloPSA ticket belongs to.
func (s *Store) LeadOfTicket(ctx context.Context, ticketID int) (string, bool, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT lead_id FROM tickets WHERE ticket_id = $1`, ticketID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("looking up ticket %d: %w", ticketID, err)
	}
	return id, true, nil
}
