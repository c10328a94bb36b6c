// Package sources reads the contact exports of the five data providers (Apollo.io, ZoomInfo,
// Hunter.io, UpLead and Lusha) and maps each row to a lead.Record, or to a lead.Rejected that
// says why the row cannot be used.
//
// A Reader streams: it holds one row at a time whatever the file size. It recognises the
// provider from the header (never the file name), maps columns by their known spellings (case,
// spaces and punctuation do not matter, order does not matter), and reads CSV exports (comma,
// semicolon or tab separated, Excel's "sep=" line, any line ending; UTF-8, UTF-16 with or
// without a byte-order mark, Windows-1252) and Hunter domain-search JSON. Every data row comes
// back as a record or a rejection with its line: a broken quote costs only the line it opens on. Values are trimmed and placeholders such as "N/A" dropped, but phones, emails and company
// names are otherwise kept as the provider wrote them: normalisation is package normalize's job.
package sources

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"haloleads/internal/lead"
)

// Size limits. A row or cell past its limit is rejected on its own (the rest of the file is
// read); a file past its limit stops being read there. Memory stays bounded by the row limit
// whatever the input.
const (
	// DefaultMaxRowBytes caps one row (or one Hunter JSON value).
	DefaultMaxRowBytes = 1 << 20
	// DefaultMaxFieldBytes caps one cell: far more than any HaloPSA field holds.
	DefaultMaxFieldBytes = 256 << 10
	// DefaultMaxFileBytes caps one export.
	DefaultMaxFileBytes int64 = 4 << 30
)

// FormatError reports an export that cannot be read any further: no header, an unreadable
// encoding, broken JSON, a runaway row. Rows that are merely bad become lead.Rejected instead.
type FormatError struct {
	File   string
	Line   int // 0 when the problem is not at a line
	Reason string
}

// Error names the file and line.
func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("reading %s line %d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("reading %s: %s", e.File, e.Reason)
}

// Option configures a Reader.
type Option func(*options)

type options struct {
	seenAt        time.Time
	maxRowBytes   int
	maxFieldBytes int
	maxFileBytes  int64
}

// WithSeenAt sets the time stamped on every record (by default: the file's modification time for
// Open, the current time for NewReader).
func WithSeenAt(t time.Time) Option { return func(o *options) { o.seenAt = t } }

// WithMaxRowBytes sets the largest row the Reader accepts (DefaultMaxRowBytes by default).
func WithMaxRowBytes(n int) Option { return func(o *options) { o.maxRowBytes = n } }

// WithMaxFieldBytes sets the largest cell the Reader accepts (DefaultMaxFieldBytes by default).
func WithMaxFieldBytes(n int) Option { return func(o *options) { o.maxFieldBytes = n } }

// WithMaxFileBytes sets the largest export the Reader reads (DefaultMaxFileBytes by default).
func WithMaxFileBytes(n int64) Option { return func(o *options) { o.maxFileBytes = n } }

// rowSource is one export format: it fills a row with the next data row's cells.
type rowSource interface {
	// next returns the row's first physical line (1-based) and, for rows rejected before mapping
	// (ragged, malformed), the reason. err is io.EOF after the last row, or a *FormatError.
	next(r *row) (line int, reason string, err error)
}

// Reader reads one provider export row by row.
type Reader struct {
	name     string
	src      lead.Source
	seenAt   time.Time
	rows     rowSource
	unmapped []string
	warnings []string
	values   valueNotes
	enc      textEncoding
	csv      *csvRows // nil for JSON
	closer   io.Closer
}

// Open opens the export at path. Close the Reader when done.
func Open(path string, opts ...Option) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening export: %w", err)
	}
	if st, err := f.Stat(); err == nil {
		opts = append([]Option{WithSeenAt(st.ModTime().UTC())}, opts...)
		if o := newOptions(opts); st.Size() > o.maxFileBytes {
			f.Close()
			return nil, &FormatError{File: path, Reason: errFileTooLarge{o.maxFileBytes}.Error()}
		}
	}
	r, err := NewReader(f, path, opts...)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads an export from rd; name (the file name, for provenance and messages) is not
// used to recognise the provider. It reads the header, or the start of a JSON document, at once.
func NewReader(rd io.Reader, name string, opts ...Option) (*Reader, error) {
	o := newOptions(opts)
	br := bufio.NewReaderSize(&fileLimit{r: rd, max: o.maxFileBytes}, 64<<10)
	enc, br := detectEncoding(br)
	r := &Reader{name: name, seenAt: o.seenAt, enc: enc}
	if looksLikeJSON(br) {
		lim := &limitReader{r: br, max: o.maxRowBytes}
		r.src, r.rows = lead.Hunter, newHunterRows(lim, name)
		return r, nil
	}
	rows, err := newCSVRows(br, enc, o, name)
	if err != nil {
		return nil, err
	}
	r.src, r.rows, r.csv = rows.src, rows, rows
	r.unmapped, r.warnings = rows.bind.unmapped, rows.bind.warnings
	return r, nil
}

func newOptions(opts []Option) options {
	o := options{seenAt: time.Now().UTC(), maxRowBytes: DefaultMaxRowBytes,
		maxFieldBytes: DefaultMaxFieldBytes, maxFileBytes: DefaultMaxFileBytes}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Encoding names the text encoding the export was read in: "UTF-8", "UTF-8 with BOM",
// "UTF-16LE", "UTF-16BE" or "Windows-1252", with a note when some rows of a UTF-8 file had to be
// read as Windows-1252.
func (r *Reader) Encoding() string {
	if r.csv != nil && r.csv.fellBack > 0 {
		return fmt.Sprintf("%s (%d rows read as %s)", r.enc.name, r.csv.fellBack, EncWindows1252)
	}
	return r.enc.name
}

// Warnings returns what a user should know about the header: columns that appear twice or mean
// the same thing (the row's first non-empty value is used).
func (r *Reader) Warnings() []string { return r.warnings }

// ValueWarnings returns, for the rows read so far, each numeric cell that was left out because
// it is not a number or is out of its field's range ("line 7: employees \"lots\" is not ..."),
// up to 50, then how many more.
func (r *Reader) ValueWarnings() []string { return r.values.list() }

// Source returns the provider that wrote the export.
func (r *Reader) Source() lead.Source { return r.src }

// Unmapped returns the header columns the Reader does not use (nil for JSON), so an import can
// report them.
func (r *Reader) Unmapped() []string { return r.unmapped }

// Next returns the next data row as either a Record or a Rejected (exactly one is set), or
// io.EOF after the last row. Any other error is a *FormatError: the rest of the export cannot be
// read.
func (r *Reader) Next() (lead.Record, *lead.Rejected, error) {
	var cells row
	line, reason, err := r.rows.next(&cells)
	if err != nil {
		return lead.Record{}, nil, err
	}
	var values lead.Values
	if reason == "" {
		values, reason = mapRow(&cells)
	}
	if reason != "" {
		return lead.Record{}, &lead.Rejected{File: r.name, Line: line, Reason: reason}, nil
	}
	r.values.add(line, valueProblems(&cells))
	return lead.Record{
		Source: r.src, SourceID: cells[cSourceID], File: r.name, Line: line, SeenAt: r.seenAt,
		Values: values,
	}, nil, nil
}

// Close closes the file opened by Open; for a Reader from NewReader it does nothing.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// looksLikeJSON reports whether the first non-blank byte opens a JSON object or array.
func looksLikeJSON(br *bufio.Reader) bool {
	head, _ := br.Peek(br.Size())
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

// errRowTooLarge is returned by limitReader when a row outgrows its cap.
type errRowTooLarge struct{ max int }

func (e errRowTooLarge) Error() string {
	return fmt.Sprintf("a value is longer than %d bytes", e.max)
}

// limitReader fails once more than max bytes are read since the last reset (one row).
type limitReader struct {
	r    io.Reader
	max  int
	read int
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.read > l.max {
		return 0, errRowTooLarge{l.max}
	}
	if room := l.max - l.read + 1; len(p) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.read += n
	return n, err
}

// reset starts a new row.
func (l *limitReader) reset() { l.read = 0 }
