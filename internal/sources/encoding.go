package sources

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding names, as the Reader reports them.
const (
	EncUTF8        = "UTF-8"
	EncUTF8BOM     = "UTF-8 with BOM"
	EncUTF16LE     = "UTF-16LE"
	EncUTF16BE     = "UTF-16BE"
	EncWindows1252 = "Windows-1252"
)

// sniffBytes is how much of the start of a file decides between UTF-8 and Windows-1252.
const sniffBytes = 64 << 10

// textEncoding is how an export's bytes become text.
type textEncoding struct {
	name string
	// utf16 is set when the whole stream is decoded before parsing (UTF-16 becomes UTF-8).
	utf16 bool
	// cp1252 is set when every cell is decoded from Windows-1252; otherwise a cell that is not
	// valid UTF-8 is still tried as Windows-1252 (a re-saved file mixing both).
	cp1252 bool
}

// detectEncoding reads the byte-order mark, or guesses from the first bytes, and returns the
// encoding and the reader to parse: UTF-16 is decoded to UTF-8 on the way; a UTF-8 BOM is dropped.
// Excel's "Unicode text" is UTF-16LE with a BOM; its "CSV" in western locales is Windows-1252.
func detectEncoding(br *bufio.Reader) (textEncoding, *bufio.Reader) {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte(bom)):
		_, _ = br.Discard(len(bom))
		return textEncoding{name: EncUTF8BOM}, br
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return utf16Reader(br, EncUTF16LE, unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return utf16Reader(br, EncUTF16BE, unicode.BigEndian, unicode.ExpectBOM)
	case len(head) == 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0:
		return utf16Reader(br, EncUTF16LE, unicode.LittleEndian, unicode.IgnoreBOM)
	case len(head) == 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0:
		return utf16Reader(br, EncUTF16BE, unicode.BigEndian, unicode.IgnoreBOM)
	}
	sample, err := br.Peek(sniffBytes)
	whole := err != nil // the sample is the whole file: a rune cut short at its end is no excuse
	if whole && !utf8.Valid(sample) || !whole && !validUTF8Prefix(sample) {
		return textEncoding{name: EncWindows1252, cp1252: true}, br
	}
	return textEncoding{name: EncUTF8}, br
}

func utf16Reader(br *bufio.Reader, name string, e unicode.Endianness, b unicode.BOMPolicy) (textEncoding, *bufio.Reader) {
	dec := unicode.UTF16(e, b).NewDecoder()
	return textEncoding{name: name, utf16: true}, bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10)
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut short at its end.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut < utf8.UTFMax && cut <= len(b); cut++ {
		if utf8.RuneStart(b[len(b)-cut]) {
			return utf8.Valid(b[:len(b)-cut])
		}
	}
	return false
}

// cellText turns a cell's bytes into text. ok is false when they are not text in the file's
// encoding (nor, for a UTF-8 file, in Windows-1252). fellBack reports a UTF-8 file's cell read
// as Windows-1252.
func (e textEncoding) cellText(b []byte) (s string, fellBack, ok bool) {
	switch {
	case e.cp1252:
		s, ok = fromWindows1252(b)
		return s, false, ok
	case utf8.Valid(b):
		s = string(b)
		return s, false, !(e.utf16 && bytes.ContainsRune(b, utf8.RuneError))
	}
	s, ok = fromWindows1252(b)
	return s, true, ok
}

// fromWindows1252 decodes b. The five bytes Windows-1252 leaves undefined (and Latin-1's C1
// controls) are no text anyone types into a spreadsheet, so they make the cell undecodable.
func fromWindows1252(b []byte) (string, bool) {
	if isASCII(b) {
		return string(b), true
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return "", false
	}
	for _, r := range string(out) {
		if r >= 0x80 && r <= 0x9F || r == utf8.RuneError {
			return "", false
		}
	}
	return string(out), true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// errFileTooLarge ends an export that is longer than the file limit.
type errFileTooLarge struct{ max int64 }

func (e errFileTooLarge) Error() string {
	return fmt.Sprintf("the file is larger than %d bytes (the import's file limit); split it and import the parts", e.max)
}

// fileLimit fails once more than max bytes have been read.
type fileLimit struct {
	r    io.Reader
	max  int64
	read int64
}

func (l *fileLimit) Read(p []byte) (int, error) {
	if l.read > l.max {
		return 0, errFileTooLarge{l.max}
	}
	if room := l.max - l.read + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}
