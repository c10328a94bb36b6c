package sources

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"haloleads/internal/lead"
)

// csvRows reads the data rows of a CSV export.
type csvRows struct {
	name     string
	src      lead.Source
	bind     binding
	cr       *csv.Reader
	lim      *limitReader
	lastLine int // last physical line of the previous row, for messages about the next
}

// newCSVRows reads the header, recognises the provider and binds the columns.
func newCSVRows(br *bufio.Reader, lim *limitReader, name string) (*csvRows, error) {
	cr := csv.NewReader(lim)
	cr.Comma = sniffComma(br)
	cr.FieldsPerRecord = -1 // ragged rows are rejected one by one, not fatal
	cr.ReuseRecord = true
	c := &csvRows{name: name, cr: cr, lim: lim}
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, &FormatError{File: name, Reason: "the file is empty: no header row"}
	case err != nil:
		return nil, c.fatal(fmt.Errorf("header: %w", err))
	}
	header = trimmed(header)
	if c.src, err = Detect(header); err != nil {
		var up *UnknownProviderError
		if errors.As(err, &up) {
			up.File = name
		}
		return nil, err
	}
	c.bind = bind(c.src, header)
	c.lastLine, _ = cr.FieldPos(0)
	return c, nil
}

// next reads one data row into r.
func (c *csvRows) next(r *row) (int, string, error) {
	c.lim.reset()
	rec, err := c.cr.Read()
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return 0, "", io.EOF
	case errors.As(err, &pe):
		c.lastLine = pe.Line
		return pe.StartLine, fmt.Sprintf("malformed CSV at line %d column %d: %v", pe.Line, pe.Column, pe.Err), nil
	case err != nil:
		return 0, "", c.fatal(err)
	}
	line, _ := c.cr.FieldPos(0)
	c.lastLine, _ = c.cr.FieldPos(len(rec) - 1)
	if len(rec) != c.bind.width {
		return line, fmt.Sprintf("row has %d fields, header has %d", len(rec), c.bind.width), nil
	}
	for i, v := range rec {
		if !utf8.ValidString(v) {
			return line, fmt.Sprintf("column %q is not UTF-8 text; save the export as \"CSV UTF-8\"",
				c.bind.names[i]), nil
		}
		r.set(c.bind.cols[i], v)
	}
	return line, "", nil
}

// fatal wraps a read error that ends the export as a *FormatError at the next row's line.
func (c *csvRows) fatal(err error) error {
	return &FormatError{File: c.name, Line: c.lastLine + 1, Reason: err.Error()}
}

// sniffComma picks the separator of the header line: the most frequent of ",", ";" and tab
// outside quotes (Excel in many European locales saves CSV with ";").
func sniffComma(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case !quoted && (b == ',' || b == ';' || b == '\t'):
			counts[b]++
		}
	}
	best := byte(',')
	for _, b := range []byte{';', '\t'} {
		if counts[b] > counts[best] {
			best = b
		}
	}
	return rune(best)
}
