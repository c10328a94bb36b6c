package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"haloleads/internal/lead"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// seen is the fixed SeenAt stamped in golden files.
var seen = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// result is everything one export produces, as stored in a golden file.
type result struct {
	Source   lead.Source     `json:"source"`
	Unmapped []string        `json:"unmapped,omitempty"`
	Records  []lead.Record   `json:"records"`
	Rejected []lead.Rejected `json:"rejected"`
}

// readAll drains r, failing the test on a fatal error.
func readAll(t testing.TB, r *Reader) result {
	t.Helper()
	res := result{Source: r.Source(), Unmapped: r.Unmapped(), Records: []lead.Record{}, Rejected: []lead.Rejected{}}
	for {
		rec, rej, err := r.Next()
		switch {
		case errors.Is(err, io.EOF):
			return res
		case err != nil:
			t.Fatalf("Next: %v", err)
		case rej != nil:
			res.Rejected = append(res.Rejected, *rej)
		default:
			res.Records = append(res.Records, rec)
		}
	}
}

// moduleRoot walks up from the package directory to the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
}

// samplePath returns the path of a file in the repository's testdata/samples.
func samplePath(t testing.TB, name string) string {
	return filepath.Join(moduleRoot(t), "testdata", "samples", name)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		path   func(t testing.TB) string
	}{
		{"apollo", func(t testing.TB) string { return samplePath(t, "apollo.csv") }},
		{"zoominfo", func(t testing.TB) string { return samplePath(t, "zoominfo.csv") }},
		{"hunter", func(t testing.TB) string { return samplePath(t, "hunter.csv") }},
		{"hunter-json", func(t testing.TB) string { return samplePath(t, "hunter-domain-search.json") }},
		{"uplead", func(t testing.TB) string { return samplePath(t, "uplead.csv") }},
		{"lusha", func(t testing.TB) string { return samplePath(t, "lusha.csv") }},
		{"messy-apollo", func(testing.TB) string { return filepath.Join("testdata", "messy-apollo.csv") }},
		{"lusha-legacy", func(testing.TB) string { return filepath.Join("testdata", "lusha-legacy.csv") }},
		{"zoominfo-semicolon", func(testing.TB) string { return filepath.Join("testdata", "zoominfo-semicolon.csv") }},
		{"generic-list", func(testing.TB) string { return filepath.Join("testdata", "generic-list.csv") }},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			path := tt.path(t)
			r, err := Open(path, WithSeenAt(seen))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			res := readAll(t, r)
			for i := range res.Records {
				res.Records[i].File = filepath.Base(res.Records[i].File)
			}
			for i := range res.Rejected {
				res.Rejected[i].File = filepath.Base(res.Rejected[i].File)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			compareGolden(t, filepath.Join("testdata", "golden", tt.golden+".json"), got)
		})
	}
}

// compareGolden compares got with the golden file, or rewrites it under -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the parser's output; run go test ./internal/sources -update and review the diff", path)
	}
}
