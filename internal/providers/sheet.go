package providers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/sources"
)

// Sheet maps API results to lead.Records through package sources: each result is written as
// one row of the provider's export layout (the columns are export header names, such as
// "Apollo Person Id" or "Direct Phone Number") and read back with sources.NewReader. API
// persons and exported rows thus get one mapping: the same cleaning, phone kinds, revenue
// units, opt-out flags and derived signals.
//
// The columns must identify the provider to sources.Detect, so each client includes its
// vendor-named id columns.
type Sheet struct {
	src     lead.Source
	columns []string
	index   map[string]int
	rows    [][]string
}

// NewSheet starts a sheet of src's export columns.
func NewSheet(src lead.Source, columns []string) *Sheet {
	idx := make(map[string]int, len(columns))
	for i, c := range columns {
		idx[c] = i
	}
	return &Sheet{src: src, columns: columns, index: idx}
}

// Add appends one result, given as column → value. It panics on a column the sheet does not
// have: that is a programming error in the client, which tests catch.
func (s *Sheet) Add(cells map[string]string) {
	row := make([]string, len(s.columns))
	for c, v := range cells {
		i, ok := s.index[c]
		if !ok {
			panic(fmt.Sprintf("providers: %s sheet has no column %q", s.src, c))
		}
		row[i] = v
	}
	s.rows = append(s.rows, row)
}

// Len returns the number of rows added.
func (s *Sheet) Len() int { return len(s.rows) }

// Records maps the rows, stamping seenAt. A row that cannot identify a person is returned as a
// lead.Rejected whose Line is its 1-based position among the added rows.
func (s *Sheet) Records(seenAt time.Time) ([]lead.Record, []lead.Rejected, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(s.columns)
	_ = w.WriteAll(s.rows)
	if err := w.Error(); err != nil {
		return nil, nil, fmt.Errorf("writing %s rows: %w", s.src, err)
	}
	return ReadRecords(s.src, &buf, seenAt)
}

// ReadRecords reads an export-shaped document (CSV with a header, or Hunter domain-search
// JSON) with package sources and checks that it was recognised as src. File and Line, which
// mean CSV provenance, are cleared on the records; a rejected row's Line is its position.
func ReadRecords(src lead.Source, doc io.Reader, seenAt time.Time) ([]lead.Record, []lead.Rejected, error) {
	rd, err := sources.NewReader(doc, string(src)+" API", sources.WithSeenAt(seenAt))
	if err != nil {
		return nil, nil, fmt.Errorf("mapping %s results: %w", src, err)
	}
	if rd.Source() != src {
		return nil, nil, fmt.Errorf("mapping %s results: columns read as a %s export", src, rd.Source())
	}
	var recs []lead.Record
	var rejected []lead.Rejected
	for pos := 1; ; pos++ {
		rec, rej, err := rd.Next()
		switch {
		case errors.Is(err, io.EOF):
			return recs, rejected, nil
		case err != nil:
			return recs, rejected, fmt.Errorf("mapping %s results: %w", src, err)
		case rej != nil:
			rejected = append(rejected, lead.Rejected{Line: pos, Reason: rej.Reason})
		default:
			rec.File, rec.Line = "", 0
			recs = append(recs, rec)
		}
	}
}
