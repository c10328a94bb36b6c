package store

import (
	"context"
	"database/sql"

	"haloleads/internal/lead"
)

// Purchase intents (migration 0061): a pull records whom it is about to buy before it asks the
// provider, and MarkBought closes the intents with the purchase. An intent still open means an
// earlier attempt may have paid without recording it (a crash between the buy and its record),
// so the person is not bought again automatically.

// IntendPurchase records the intent to buy personIDs for run's page and returns those that
// already had an open intent (theirs is kept, and they must not be bought now).
func (s *Store) IntendPurchase(ctx context.Context, source lead.Source, runID string, page int, personIDs ...string) (map[string]bool, error) {
	open := map[string]bool{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range personIDs {
			res, err := tx.ExecContext(ctx, `INSERT INTO purchase_intents(source, person_id, run_id, page, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
				string(source), id, runID, page, now())
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				open[id] = true
			}
		}
		return nil
	})
	return open, err
}

// ReleasePurchase drops the intents of personIDs: the provider certainly did not sell them (it
// refused the request), so a later pull may buy them.
func (s *Store) ReleasePurchase(ctx context.Context, source lead.Source, personIDs ...string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range personIDs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM purchase_intents WHERE source = $1 AND person_id = $2`, string(source), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// OpenPurchases counts the intents still open: people a crash may have left paid for and not
// recorded.
func (s *Store) OpenPurchases(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM purchase_intents`).Scan(&n)
	return n, err
}
