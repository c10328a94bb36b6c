package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"haloleads/internal/lead"
)

// hostileSummary is what the Reader makes of one file of testdata/hostile: the expected
// summaries live beside the files, in testdata/hostile/expected.
type hostileSummary struct {
	Source   lead.Source     `json:"source"`
	Encoding string          `json:"encoding"`
	Rows     int             `json:"rows"`
	Records  int             `json:"records"`
	People   []string        `json:"people"`
	Rejected []lead.Rejected `json:"rejected"`
	Warnings []string        `json:"warnings,omitempty"`
	Error    string          `json:"error,omitempty"`
}

func hostileDir(t testing.TB) string { return filepath.Join(moduleRoot(t), "testdata", "hostile") }

// summarise reads a whole export into a hostileSummary.
func summarise(t testing.TB, path string) hostileSummary {
	t.Helper()
	r, err := Open(path, WithSeenAt(seen))
	if err != nil {
		return hostileSummary{Error: err.Error()}
	}
	defer r.Close()
	res := readAll(t, r)
	sum := hostileSummary{Source: r.Source(), Encoding: r.Encoding(), Records: len(res.Records),
		Rows: len(res.Records) + len(res.Rejected), Rejected: res.Rejected, Warnings: r.Warnings(), People: []string{}}
	for _, rec := range res.Records {
		sum.People = append(sum.People, fmt.Sprintf("%d: %s %s <%s> at %s", rec.Line, rec.Get(lead.FirstName),
			rec.Get(lead.LastName), rec.Get(lead.Email), rec.Get(lead.Company)))
	}
	for i := range sum.Rejected {
		sum.Rejected[i].File = filepath.Base(sum.Rejected[i].File)
	}
	return sum
}

// TestHostileFiles reads every export of testdata/hostile and compares what it makes of each
// with the expected summary (go test -update rewrites them).
func TestHostileFiles(t *testing.T) {
	t.Parallel()
	dir := hostileDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			got, err := json.MarshalIndent(summarise(t, filepath.Join(dir, e.Name())), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			want := filepath.Join(dir, "expected", e.Name()+".json")
			if *update {
				if err := os.WriteFile(want, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/sources -update and review the new file)", err)
			}
			if !bytes.Equal(bytes.TrimSpace(data), got) {
				t.Errorf("%s differs from what the reader makes of %s:\n%s", want, e.Name(), got)
			}
		})
	}
}

// TestEncodingsReadTheSamePeople checks that Excel's re-saves of one export (UTF-16 "Unicode
// text" with tabs, UTF-16BE, Windows-1252, "sep=" line, CR-only or trailing separators) give
// the same records as the UTF-8 original, and that each file's encoding is reported.
func TestEncodingsReadTheSamePeople(t *testing.T) {
	t.Parallel()
	dir := hostileDir(t)
	want := summarise(t, filepath.Join(dir, "utf8.csv"))
	if want.Records != 4 || len(want.Rejected) != 0 {
		t.Fatalf("utf8.csv: %+v, want 4 records", want)
	}
	tests := []struct{ file, encoding string }{
		{"excel-unicode-text.txt", EncUTF16LE},
		{"utf16be.csv", EncUTF16BE},
		{"windows-1252.csv", EncWindows1252},
		{"tab-separated.tsv", EncUTF8},
		{"cr-only.csv", EncUTF8},
		{"trailing-separators.csv", EncUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := summarise(t, filepath.Join(dir, tt.file))
			if got.Encoding != tt.encoding {
				t.Errorf("encoding = %q, want %q", got.Encoding, tt.encoding)
			}
			if strings.Join(got.People, "\n") != strings.Join(want.People, "\n") {
				t.Errorf("people:\n%s\nwant:\n%s", strings.Join(got.People, "\n"), strings.Join(want.People, "\n"))
			}
		})
	}
	got := summarise(t, filepath.Join(dir, "sep-line.csv")) // one line more: the sep= line
	if got.Records != 4 || !strings.HasPrefix(got.People[0], "3: Jürgen Müller") {
		t.Errorf("sep-line.csv: %+v", got)
	}
}

// TestBrokenQuotesLoseNoLine checks that every data line of an export with a broken quote is a
// record or a rejection: the line the quote opens on is rejected, the others are read.
func TestBrokenQuotesLoseNoLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		rejected []int
	}{
		{"unclosed-quote.csv", []int{4}},
		{"swallowing-quote.csv", []int{3}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := summarise(t, filepath.Join(hostileDir(t), tt.file))
			var lines []int
			for _, r := range got.Rejected {
				lines = append(lines, r.Line)
			}
			if got.Rows != 10 || !equalInts(lines, tt.rejected) || got.Records != 10-len(tt.rejected) {
				t.Errorf("rows %d, records %d, rejected at %v; want 10 rows, rejected at %v", got.Rows, got.Records, lines, tt.rejected)
			}
		})
	}
}

// TestHugeCell checks that a 20 MB cell costs only its row, named with its line and column, and
// measures the heap the read needs.
func TestHugeCell(t *testing.T) {
	var b strings.Builder
	b.WriteString("Apollo Contact Id,First Name,Last Name,Company Name,Email,Keywords\n")
	b.WriteString("a1,Dana,Okafor,Bright Kettle,dana@bk.example.com,tea\n")
	b.WriteString("a2,Huge,Cell,Big Co,huge@big.example.com,\"" + strings.Repeat("x", 20<<20) + "\"\n")
	b.WriteString("a3,Rosa,Lindqvist,Northfjord,rosa@nf.example.org,freight\n")
	export := b.String()
	b.Reset()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := NewReader(strings.NewReader(export), "huge.csv")
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if len(res.Records) != 2 || res.Records[0].Line != 2 || res.Records[1].Line != 4 {
		t.Errorf("records %+v, want lines 2 and 4", res.Records)
	}
	if len(res.Rejected) != 1 || res.Rejected[0].Line != 3 || !strings.Contains(res.Rejected[0].Reason, `column "Keywords" is longer than`) {
		t.Errorf("rejected %+v, want line 3 naming the Keywords column", res.Rejected)
	}
	t.Logf("allocated %.1f MB while reading a 20 MB cell", float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
}

// TestUndecodableCell checks that a cell that is neither UTF-8 nor Windows-1252 costs its row
// only, and that a Windows-1252 cell in a UTF-8 file is read and counted.
func TestUndecodableCell(t *testing.T) {
	t.Parallel()
	export := "Apollo Contact Id,First Name,Last Name,Company Name,Email\n" +
		"a1,Dana,Okafor,Bright Kettle,dana@bk.example.com\n" +
		"a2,Bad\x81,Byte,Big Co,bad@big.example.com\n" +
		"a3,Ren\xe9e,Dubois,Northfjord,renee@nf.example.org\n"
	r, err := NewReader(strings.NewReader(export), "mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r)
	if len(res.Rejected) != 1 || res.Rejected[0].Line != 3 || !strings.Contains(res.Rejected[0].Reason, `"First Name" is neither UTF-8`) {
		t.Errorf("rejected %+v, want line 3", res.Rejected)
	}
	if len(res.Records) != 2 || res.Records[1].Get(lead.FirstName) != "Renée" {
		t.Errorf("records %+v", res.Records)
	}
	if got := r.Encoding(); got != "Windows-1252" {
		t.Errorf("encoding %q", got)
	}
}

// TestFileLimit checks that a file past the limit is refused as a whole with a clear reason.
func TestFileLimit(t *testing.T) {
	t.Parallel()
	export := "Apollo Contact Id,Email\n" + strings.Repeat("a,a@b.example.com\n", 1000)
	r, err := NewReader(strings.NewReader(export), "big.csv", WithMaxFileBytes(4096))
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, _, err = r.Next()
		if err != nil {
			break
		}
	}
	var fe *FormatError
	if !errors.As(err, &fe) || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "file is larger than 4096 bytes") {
		t.Errorf("err = %v, want a *FormatError about the file limit", err)
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(export), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, WithMaxFileBytes(4096)); !errors.As(err, &fe) {
		t.Errorf("Open err = %v, want a *FormatError before reading", err)
	}
}
