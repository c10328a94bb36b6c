package dedupe

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"haloleads/internal/lead"
)

// spill keeps normalised records on disk while Stream resolves them: appended in input order,
// read back by index. A record is encoded as uvarint-prefixed strings (source, source id,
// file), the line and the time as varints, then the number of values and each field and value.
type spill struct {
	f    *os.File
	w    *bufio.Writer
	offs []int64 // offs[i] is where record i starts; offs[len] is the end
}

func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, "haloleads-dedupe-*.spill")
	if err != nil {
		return nil, fmt.Errorf("creating the de-duplication spill file: %w", err)
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<20), offs: []int64{0}}, nil
}

// add appends r and returns its index.
func (s *spill) add(buf []byte, r lead.Record) ([]byte, error) {
	buf = encodeRecord(buf[:0], r)
	if _, err := s.w.Write(buf); err != nil {
		return buf, fmt.Errorf("writing the de-duplication spill file: %w", err)
	}
	s.offs = append(s.offs, s.offs[len(s.offs)-1]+int64(len(buf)))
	return buf, nil
}

// done flushes what was added; read may be called from then on, concurrently.
func (s *spill) done() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing the de-duplication spill file: %w", err)
	}
	return nil
}

// read returns record i.
func (s *spill) read(i int32) (lead.Record, error) {
	r, _, err := s.readInto(nil, i)
	return r, err
}

// readInto returns record i, read through buf (grown as needed and returned for the next read:
// the record's strings are copies).
func (s *spill) readInto(buf []byte, i int32) (lead.Record, []byte, error) {
	n := int(s.offs[i+1] - s.offs[i])
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := s.f.ReadAt(buf, s.offs[i]); err != nil {
		return lead.Record{}, buf, fmt.Errorf("reading the de-duplication spill file: %w", err)
	}
	r, err := decodeRecord(buf)
	return r, buf, err
}

// close removes the file.
func (s *spill) close() error {
	err := s.f.Close()
	if rerr := os.Remove(s.f.Name()); err == nil {
		err = rerr
	}
	return err
}

func putString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// encodeRecord appends r's encoding to buf.
func encodeRecord(buf []byte, r lead.Record) []byte {
	buf = putString(buf, string(r.Source))
	buf = putString(buf, r.SourceID)
	buf = putString(buf, r.File)
	buf = binary.AppendVarint(buf, int64(r.Line))
	var seen int64
	if !r.SeenAt.IsZero() {
		seen = r.SeenAt.UnixNano()
	}
	buf = binary.AppendVarint(buf, seen)
	buf = binary.AppendUvarint(buf, uint64(len(r.Values)))
	for f, v := range r.Values {
		buf = putString(putString(buf, string(f)), v)
	}
	return buf
}

var errSpillCorrupt = errors.New("de-duplication spill record is corrupt")

// decoder reads an encoded record.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = errSpillCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err, d.b = errSpillCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err, d.b = errSpillCorrupt, nil
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// name returns a string that is most often one of known: a field or source name, shared
// rather than allocated for every record read back.
func (d *decoder) name(known map[string]string) string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err, d.b = errSpillCorrupt, nil
		return ""
	}
	s, ok := known[string(d.b[:n])]
	if !ok {
		s = string(d.b[:n])
	}
	d.b = d.b[n:]
	return s
}

// spillNames are the field and source names decodeRecord shares.
var spillNames = func() map[string]string {
	m := map[string]string{}
	for _, f := range lead.AllFields {
		m[string(f)] = string(f)
	}
	for _, s := range append([]lead.Source{lead.HaloPSA, lead.Manual, lead.CSV}, lead.Providers...) {
		m[string(s)] = string(s)
	}
	return m
}()

// decodeRecord decodes one record encoded by encodeRecord.
func decodeRecord(b []byte) (lead.Record, error) {
	d := decoder{b: b}
	r := lead.Record{Source: lead.Source(d.name(spillNames)), SourceID: d.string(), File: d.string(), Line: int(d.varint())}
	if ns := d.varint(); ns != 0 {
		r.SeenAt = time.Unix(0, ns).UTC()
	}
	n := d.uvarint()
	if n > uint64(len(d.b)) { // each value takes at least one byte
		return lead.Record{}, errSpillCorrupt
	}
	if n > 0 {
		r.Values = make(lead.Values, n)
	}
	for range n {
		f := lead.Field(d.name(spillNames))
		r.Values[f] = d.string()
	}
	if d.err != nil || len(d.b) != 0 {
		return lead.Record{}, errSpillCorrupt
	}
	return r, nil
}
