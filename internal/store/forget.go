package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
)

// Erased replaces a forgotten person's data where a row is about several people (an import's
// summary): the rest of the row stays.
const Erased = "[erased]"

// ForgetResult says what Forget removed.
type ForgetResult struct {
	// Tickets are the HaloPSA ticket ids the store mapped to the lead (for the caller to
	// delete there).
	Tickets []int
	// Rows counts the rows deleted or rewritten; Uploads the import files dropped.
	Rows, Uploads int
}

// Forget removes a person from the store: every row keyed by the lead (identities, known
// record, an ended workflow's state, staged offers, the ticket map, review items and links), any staged batch or dry-run
// plan, import summary or uploaded import file that mentions one of needles (the person's
// e-mail addresses, phones and names, as they may appear in clear), and the lead id from the
// suppression list (whose hashed keys stay). Deleted rows are overwritten (SQLite runs with
// secure_delete, and the WAL is checkpointed and truncated; PostgreSQL's touched tables are
// rewritten by VACUUM FULL), so a byte search of the database files finds none of needles.
func (s *Store) Forget(ctx context.Context, leadID string, needles []string) (ForgetResult, error) {
	var res ForgetResult
	needles = usable(needles)
	uploads, err := s.uploadsMentioning(ctx, needles)
	if err != nil {
		return res, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if res.Tickets, err = ticketsOf(ctx, tx, leadID); err != nil {
			return err
		}
		stmts := []struct {
			q    string
			args []any
		}{
			{`DELETE FROM identities WHERE lead_id = $1`, []any{leadID}},
			{`DELETE FROM known_leads WHERE lead_id = $1`, []any{leadID}},
			{`DELETE FROM ended_leads WHERE lead_id = $1`, []any{leadID}},
			{`DELETE FROM lead_claims WHERE lead_id = $1`, []any{leadID}},
			{`DELETE FROM staged WHERE lead_id = $1`, []any{leadID}},
			{`DELETE FROM tickets WHERE lead_id = $1`, []any{leadID}},
			{`DELETE FROM links WHERE lead_id = $1 OR survivor_id = $1`, []any{leadID}},
			{`DELETE FROM review WHERE left_id = $1 OR right_id = $1`, []any{leadID}},
			{`UPDATE suppression SET lead_id = '' WHERE lead_id = $1`, []any{leadID}},
		}
		for _, n := range needles {
			stmts = append(stmts, struct {
				q    string
				args []any
			}{`DELETE FROM staged WHERE payload LIKE $1`, []any{"%" + n + "%"}})
		}
		for _, st := range stmts {
			r, err := tx.ExecContext(ctx, st.q, st.args...)
			if err != nil {
				return fmt.Errorf("forgetting a lead: %w", err)
			}
			n, _ := r.RowsAffected()
			res.Rows += int(n)
		}
		n, err := scrubSummaries(ctx, tx, needles)
		res.Rows += n
		return err
	})
	if err != nil {
		return res, err
	}
	if len(uploads) > 0 {
		if err := s.DropUploads(ctx, uploads...); err != nil {
			return res, err
		}
		res.Uploads = len(uploads)
	}
	return res, s.compact(ctx)
}

// usable drops needles too short to search for without erasing unrelated text.
func usable(needles []string) []string {
	var out []string
	for _, n := range needles {
		if n = strings.TrimSpace(n); len(n) >= 4 {
			out = append(out, n)
		}
	}
	return out
}

func ticketsOf(ctx context.Context, tx *sql.Tx, leadID string) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT ticket_id FROM tickets WHERE lead_id = $1 ORDER BY ticket_id`, leadID)
	if err != nil {
		return nil, fmt.Errorf("reading the lead's tickets: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// scrubSummaries replaces needles in the import summaries that mention them.
func scrubSummaries(ctx context.Context, tx *sql.Tx, needles []string) (int, error) {
	n := 0
	for _, needle := range needles {
		rows, err := tx.QueryContext(ctx, `SELECT run_id, summary FROM runs WHERE summary LIKE $1`, "%"+needle+"%")
		if err != nil {
			return n, fmt.Errorf("reading import summaries: %w", err)
		}
		found := map[string]string{}
		for rows.Next() {
			var id, sum string
			if err := rows.Scan(&id, &sum); err != nil {
				rows.Close()
				return n, err
			}
			found[id] = sum
		}
		rows.Close()
		for id, sum := range found {
			if _, err := tx.ExecContext(ctx, `UPDATE runs SET summary = $1 WHERE run_id = $2`,
				strings.ReplaceAll(sum, needle, Erased), id); err != nil {
				return n, fmt.Errorf("scrubbing an import summary: %w", err)
			}
			n++
		}
	}
	return n, nil
}

// uploadsMentioning lists the uploaded import files holding one of needles.
func (s *Store) uploadsMentioning(ctx context.Context, needles []string) ([]string, error) {
	if len(needles) == 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT upload_id FROM upload_files ORDER BY upload_id`)
	if err != nil {
		return nil, fmt.Errorf("listing uploads: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []string
	for _, id := range ids {
		_, r, err := s.OpenUpload(ctx, id)
		if err != nil {
			continue // an incomplete upload: dropped with its run
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				out = append(out, id)
				break
			}
		}
	}
	return out, nil
}

// compact makes deleted rows unreadable in the database files: SQLite's WAL is checkpointed and
// truncated (secure_delete has zeroed the pages); PostgreSQL's tables are rewritten.
func (s *Store) compact(ctx context.Context) error {
	if s.Postgres() {
		for _, t := range []string{"identities", "known_leads", "ended_leads", "staged", "tickets", "links", "review", "runs", "uploads", "upload_files", "suppression"} {
			if _, err := s.db.ExecContext(ctx, "VACUUM FULL "+t); err != nil {
				return fmt.Errorf("rewriting %s: %w", t, err)
			}
		}
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpointing the store: %w", err)
	}
	return nil
}
