// Package providers holds what the five contact-data provider clients share: the Provider and
// Searcher interfaces the pull activities call, the typed *APIError every client returns, a
// credit Ledger, the one request path every client sends through (Doer), and Sheet, which maps
// API results to lead.Record through package sources' export mapping so that a person bought by
// API and the same person in a CSV export become the same values.
//
// What each provider supports:
//
//	provider  Search (pull)                           Enrich (batch per request)
//	apollo    yes: mixed_people/api_search, free      people/bulk_match, 10
//	zoominfo  yes: search/contact, free                enrich/contact, 25
//	hunter    yes: domain-search, charged per email    email-finder + email-verifier, 1
//	lusha     no                                       v2/person, 1
//	uplead    no                                       person-search (+ company-search), 1
//
// Apollo and ZoomInfo searches return teasers: records with SourceID, name and title but no
// email or phone. A pull skips the SourceIDs it already bought and passes the rest to Enrich,
// which spends the credits.
package providers

import (
	"context"
	"strconv"

	"haloleads/internal/lead"
)

// Query selects people to pull. Empty fields do not filter.
type Query struct {
	Domains  []string // company domains, for example "northfjord.example.com"
	Titles   []string // job-title keywords, matched as substrings, case-insensitive
	Company  string   // company name
	PageSize int      // results per page; 0 means the provider's default
}

// Page is one page of search results.
type Page struct {
	Records []lead.Record
	// Next is the cursor of the following page, or "" after the last page.
	Next string
	// Credits is what the page cost.
	Credits int
}

// Provider is a data provider that can enrich records.
type Provider interface {
	// Source names the provider.
	Source() lead.Source
	// Enrich looks the records up and returns one record per person the provider matched or
	// flagged as opted out, in input order; inputs without a match are left out. It splits
	// the input into batches the provider accepts and reports the credits spent. On error it
	// still returns what the completed batches produced.
	Enrich(ctx context.Context, in []lead.Record) (out []lead.Record, credits int, err error)
}

// Searcher is a Provider that can also pull people by query, page by page.
type Searcher interface {
	Provider
	// Search returns the page at cursor ("" for the first page).
	Search(ctx context.Context, q Query, cursor string) (Page, error)
}

// PageCursor parses a page-number cursor: "" is page 1.
func PageCursor(cursor string) (int, error) {
	if cursor == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(cursor)
	if err != nil || n < 1 {
		return 0, &CursorError{Cursor: cursor}
	}
	return n, nil
}

// CursorError reports a cursor the provider did not issue.
type CursorError struct{ Cursor string }

// Error quotes the cursor.
func (e *CursorError) Error() string { return "invalid page cursor " + strconv.Quote(e.Cursor) }

// Batches splits n items into [start, end) ranges of at most size items.
func Batches(n, size int) [][2]int {
	if size < 1 {
		size = 1
	}
	out := make([][2]int, 0, (n+size-1)/size)
	for start := 0; start < n; start += size {
		out = append(out, [2]int{start, min(start+size, n)})
	}
	return out
}

// OptOuter is a Provider that can act on a person's opt-out by the provider's own mechanism
// (no provider accepts a suppression list: Apollo moves the saved contact to its Do Not
// Contact stage and out of sequences, Hunter deletes the saved lead).
type OptOuter interface {
	Provider
	// OptOut acts on the person with the e-mail address and says what it did ("no saved
	// contact" is an outcome, not an error).
	OptOut(ctx context.Context, email string) (OptOutResult, error)
}

// OptOutResult is what a provider did about an opt-out.
type OptOutResult struct {
	// Outcome says it in one sentence, for the ticket note.
	Outcome string
	// PersonIDs are the provider's ids of the person (Apollo's person_id): suppressed too, so
	// a pull skips them in search results before spending credits.
	PersonIDs []string
}
