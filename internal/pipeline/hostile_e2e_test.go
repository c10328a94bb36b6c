package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
	"haloleads/internal/sources"
)

// hostileFiles lists testdata/hostile (the exports Excel and hand edits make of provider files).
func hostileFiles(t *testing.T) []string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "hostile")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// TestHostileImport imports every hostile file together with two that cannot be read (not an
// export; a Hunter document cut short): the two are reported on their own, every other file's
// rows are accounted for (rows = records + rejected, file by file, as the reader counts them),
// and the encodings are in the summary.
func TestHostileImport(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnv(t)
	files := hostileFiles(t)
	bad := t.TempDir()
	notExport := filepath.Join(bad, "notes.txt")
	cut := filepath.Join(bad, "hunter-cut.json")
	hunter, err := os.ReadFile(samples(t, "hunter-domain-search.json")[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notExport, []byte("Dear team,\nplease import these.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, hunter[:len(hunter)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(files), notExport, cut)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: "hostile", Files: all}, true)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if len(sum.Errors) != 2 || !strings.Contains(sum.Errors[0], "notes.txt") || !strings.Contains(sum.Errors[1], "hunter-cut.json") {
		t.Errorf("errors = %q, want one for notes.txt and one for hunter-cut.json", sum.Errors)
	}
	if len(sum.Sources) != len(all) {
		t.Fatalf("sources = %+v, want one report per file", sum.Sources)
	}
	rows, rejected := 0, 0
	for i, f := range files {
		rep := sum.Sources[i]
		want := readWhole(t, f)
		if rep.Error != "" || rep.Rows != want.rows || rep.Rejected != want.rejected || rep.Encoding != want.encoding {
			t.Errorf("%s: report %+v, want %d rows, %d rejected, %s", filepath.Base(f), rep, want.rows, want.rejected, want.encoding)
		}
		rows, rejected = rows+want.rows, rejected+want.rejected
	}
	if sum.Rows != rows || sum.RejectedCount < rejected {
		t.Errorf("summary rows %d, rejected %d; the files hold %d rows, %d rejected by the reader", sum.Rows, sum.RejectedCount, rows, rejected)
	}
	if sum.LeadsCreated == 0 || len(e.sandbox.Users()) != sum.LeadsCreated {
		t.Errorf("created %d leads, sandbox holds %d users", sum.LeadsCreated, len(e.sandbox.Users()))
	}
	t.Logf("hostile import: %d rows, %d rejected, %d leads created, errors %q", sum.Rows, sum.RejectedCount, sum.LeadsCreated, sum.Errors)
}

type wholeFile struct {
	rows, rejected int
	encoding       string
}

func readWhole(t *testing.T, path string) wholeFile {
	t.Helper()
	r, err := sources.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var w wholeFile
	for {
		_, rej, err := r.Next()
		if err != nil {
			break
		}
		w.rows++
		if rej != nil {
			w.rejected++
		}
	}
	w.encoding = r.Encoding()
	return w
}
