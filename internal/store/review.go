package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Review decisions.
const (
	Same      = "same"
	Different = "different"
)

// ErrConflictingDecision is returned by Decide when a decision contradicts an earlier one: "same"
// for leads already decided to be different people (directly or through leads linked to them),
// or "different" for leads already linked as one person.
var ErrConflictingDecision = errors.New("the decision contradicts an earlier one")

// Reviews lists review items, oldest first; pending only unless all is true. A "same" item's
// Survivor is the lead that carries on now.
func (s *Store) Reviews(ctx context.Context, all bool) ([]ReviewItem, error) {
	q := `SELECT id, left_id, right_id, score, detail, decision FROM review`
	if !all {
		q += ` WHERE decision = ''`
	}
	items, err := scanReviews(ctx, s.db, q+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if items[i].Decision == Same {
			if items[i].Survivor, err = survivorOf(ctx, s.db, items[i].LeftID); err != nil {
				return nil, err
			}
		}
	}
	return items, nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func scanReviews(ctx context.Context, db querier, q string, args ...any) ([]ReviewItem, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading review queue: %w", err)
	}
	defer rows.Close()
	var out []ReviewItem
	for rows.Next() {
		var it ReviewItem
		if err := rows.Scan(&it.ID, &it.LeftID, &it.RightID, &it.Score, &it.Detail, &it.Decision); err != nil {
			return nil, fmt.Errorf("reading review queue: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Decide records a decision (Same or Different) on a review item and makes later imports honour
// it.
//
// Same links the two leads: every identity key of one is bound to the other, the survivor, so
// the next import resolves both leads' records to the survivor's ID. The survivor is the lead
// known first (among leads first seen in one import, the smaller ID). Neither lead ID changes:
// the other lead's workflow and HaloPSA records stay as they are, for a person to tidy in
// HaloPSA. Different needs nothing more: leads that already exist are never merged by an
// import, and the decided pair is not queued again.
//
// Deciding an item again with the same answer changes nothing; a different answer, or one that
// contradicts earlier decisions, is an error (ErrConflictingDecision).
func (s *Store) Decide(ctx context.Context, id int64, decision string) (ReviewItem, error) {
	if decision != Same && decision != Different {
		return ReviewItem{}, fmt.Errorf("decision must be %q or %q, not %q", Same, Different, decision)
	}
	var it ReviewItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		it, err = s.decide(ctx, tx, id, decision)
		return err
	})
	return it, err
}

func (s *Store) decide(ctx context.Context, tx *sql.Tx, id int64, decision string) (ReviewItem, error) {
	items, err := scanReviews(ctx, tx, `SELECT id, left_id, right_id, score, detail, decision FROM review WHERE id = $1`, id)
	if err != nil {
		return ReviewItem{}, err
	}
	if len(items) == 0 {
		return ReviewItem{}, fmt.Errorf("no review item %d", id)
	}
	it := items[0]
	switch {
	case it.Decision == decision:
		if decision == Same {
			it.Survivor, err = survivorOf(ctx, tx, it.LeftID)
		}
		return it, err
	case it.Decision != "":
		return it, fmt.Errorf("review item %d was decided %q: %w", id, it.Decision, ErrConflictingDecision)
	}
	if decision == Same {
		err = s.link(ctx, tx, &it)
	} else {
		err = checkDifferent(ctx, tx, it)
	}
	if err != nil {
		return it, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE review SET decision = $1 WHERE id = $2`, decision, id); err != nil {
		return it, fmt.Errorf("recording review decision: %w", err)
	}
	it.Decision = decision
	return it, nil
}

// SurvivorOf returns the lead that carries on for leadID: leadID itself unless a "same" decision
// linked it to another lead.
func (s *Store) SurvivorOf(ctx context.Context, leadID string) (string, error) {
	return survivorOf(ctx, s.db, leadID)
}

func survivorOf(ctx context.Context, db querier, leadID string) (string, error) {
	var survivor string
	err := db.QueryRowContext(ctx, `SELECT survivor_id FROM links WHERE lead_id = $1`, leadID).Scan(&survivor)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return leadID, nil
	case err != nil:
		return "", fmt.Errorf("reading lead links: %w", err)
	}
	return survivor, nil
}

// link binds the identity keys of the later-known lead of it to the earlier-known one and
// records the link; links always point at the final survivor.
func (s *Store) link(ctx context.Context, tx *sql.Tx, it *ReviewItem) error {
	left, right, err := currentPair(ctx, tx, *it)
	if err != nil {
		return err
	}
	if left == right {
		it.Survivor = left
		return nil
	}
	if err := checkNoneDifferent(ctx, tx, left, right, it.ID); err != nil {
		return err
	}
	survivor, absorbed, err := s.older(ctx, tx, left, right)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE identities SET lead_id = $1 WHERE lead_id = $2`, survivor, absorbed)
	if err != nil {
		return fmt.Errorf("linking identities of %s to %s: %w", absorbed, survivor, err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `UPDATE links SET survivor_id = $1 WHERE survivor_id = $2`, survivor, absorbed); err != nil {
		return fmt.Errorf("relinking leads of %s: %w", absorbed, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO links(lead_id, survivor_id, review_id, created_at) VALUES ($1, $2, $3, $4)`,
		absorbed, survivor, it.ID, now()); err != nil {
		return fmt.Errorf("linking %s to %s: %w", absorbed, survivor, err)
	}
	it.Survivor, it.LinkedKeys = survivor, int(n)
	return nil
}

// checkDifferent refuses "different" for two leads already linked as one person.
func checkDifferent(ctx context.Context, tx *sql.Tx, it ReviewItem) error {
	left, right, err := currentPair(ctx, tx, it)
	if err != nil {
		return err
	}
	if left == right {
		return fmt.Errorf("%s and %s were already decided to be the same person (%s): %w",
			it.LeftID, it.RightID, left, ErrConflictingDecision)
	}
	return nil
}

func currentPair(ctx context.Context, tx *sql.Tx, it ReviewItem) (string, string, error) {
	left, err := survivorOf(ctx, tx, it.LeftID)
	if err != nil {
		return "", "", err
	}
	right, err := survivorOf(ctx, tx, it.RightID)
	return left, right, err
}

// checkNoneDifferent refuses to link two survivors when any lead of one (itself or a lead linked
// to it) was decided to be a different person from any lead of the other.
func checkNoneDifferent(ctx context.Context, tx *sql.Tx, a, b string, id int64) error {
	ga, err := group(ctx, tx, a)
	if err != nil {
		return err
	}
	gb, err := group(ctx, tx, b)
	if err != nil {
		return err
	}
	next := 2
	in := func(n int) string {
		p := placeholders(next, n)
		next += n
		return p
	}
	q := `SELECT id FROM review WHERE decision = 'different' AND id != $1 AND (
		(left_id IN ` + in(len(ga)) + ` AND right_id IN ` + in(len(gb)) + `) OR
		(left_id IN ` + in(len(gb)) + ` AND right_id IN ` + in(len(ga)) + `)) LIMIT 1`
	args := []any{id}
	for _, g := range [][]string{ga, gb, gb, ga} {
		for _, x := range g {
			args = append(args, x)
		}
	}
	var other int64
	err = tx.QueryRowContext(ctx, q, args...).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("reading review decisions: %w", err)
	}
	return fmt.Errorf("review item %d says %s and %s are different people: %w", other, a, b, ErrConflictingDecision)
}

// group returns survivor and the leads linked to it.
func group(ctx context.Context, tx *sql.Tx, survivor string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT lead_id FROM links WHERE survivor_id = $1 ORDER BY lead_id`, survivor)
	if err != nil {
		return nil, fmt.Errorf("reading lead links: %w", err)
	}
	defer rows.Close()
	out := []string{survivor}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading lead links: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// older orders two leads by when the store first saw one of their identity keys: the lead known
// first survives. A lead without keys counts as known last; ties go to the smaller ID.
func (s *Store) older(ctx context.Context, tx *sql.Tx, a, b string) (survivor, absorbed string, err error) {
	q := `SELECT MIN(` + s.dialect.identitySeq + `) FROM identities WHERE lead_id = $1`
	first := func(id string) (int64, error) {
		var n sql.NullInt64
		if err := tx.QueryRowContext(ctx, q, id).Scan(&n); err != nil {
			return 0, fmt.Errorf("reading identities of %s: %w", id, err)
		}
		if !n.Valid {
			return 1<<63 - 1, nil
		}
		return n.Int64, nil
	}
	fa, err := first(a)
	if err != nil {
		return "", "", err
	}
	fb, err := first(b)
	if err != nil {
		return "", "", err
	}
	if fb < fa || (fb == fa && b < a) {
		return b, a, nil
	}
	return a, b, nil
}
