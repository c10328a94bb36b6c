package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/sources"
)

func TestGenerate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		leads int
		seed  uint64
	}{
		{"one lead", 1, 1},
		{"small", 40, 2},
		{"overlapping", 400, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := Generate(t.TempDir(), tt.leads, tt.seed)
			if err != nil {
				t.Fatal(err)
			}
			if in.Identities != tt.leads {
				t.Errorf("%d identities, want %d", in.Identities, tt.leads)
			}
			if in.Rows < tt.leads {
				t.Errorf("%d rows for %d identities, want at least one each", in.Rows, tt.leads)
			}
			checkExports(t, in)
		})
	}
}

// checkExports checks each file is recognised as its provider's export and read back whole.
func checkExports(t *testing.T, in Input) {
	t.Helper()
	want := []lead.Source{lead.Apollo, lead.ZoomInfo, lead.Hunter}
	if len(in.Files) != len(want) {
		t.Fatalf("%d files, want %d", len(in.Files), len(want))
	}
	rows := 0
	for i, path := range in.Files {
		r, err := sources.Open(path)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
		if r.Source() != want[i] {
			t.Errorf("%s read as %s, want %s", filepath.Base(path), r.Source(), want[i])
		}
		r.Close()
		recs, err := readExport(path)
		if err != nil {
			t.Fatal(err)
		}
		rows += len(recs)
	}
	if rows == 0 || rows > in.Rows {
		t.Errorf("read %d records back from %d rows", rows, in.Rows)
	}
}

func TestGenerateOverlaps(t *testing.T) {
	t.Parallel()
	in, err := Generate(t.TempDir(), 500, 4)
	if err != nil {
		t.Fatal(err)
	}
	leads, err := mergedLeads(in.Files)
	if err != nil {
		t.Fatal(err)
	}
	if in.Rows < len(leads)*3/2 {
		t.Errorf("%d rows merged into %d leads: want providers to overlap (1.5 rows a lead or more)", in.Rows, len(leads))
	}
	if d := len(leads) - in.Identities; d < -in.Identities/20 || d > in.Identities/20 {
		t.Errorf("%d leads for %d identities: want within 5%%", len(leads), in.Identities)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, err := Generate(t.TempDir(), 100, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(t.TempDir(), 100, 7)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Files {
		x, _ := os.ReadFile(a.Files[i])
		y, _ := os.ReadFile(b.Files[i])
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with one seed", filepath.Base(a.Files[i]))
		}
	}
}

func TestGenerateRejectsNoLeads(t *testing.T) {
	t.Parallel()
	if _, err := Generate(t.TempDir(), 0, 1); err == nil {
		t.Error("Generate(0 leads) succeeded, want an error")
	}
}

func TestScaledPause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		window, want time.Duration
	}{
		{5 * time.Minute, 30 * time.Second},
		{5 * time.Second, 500 * time.Millisecond},
		{time.Second, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := ScaledPause(tt.window); got != tt.want {
			t.Errorf("ScaledPause(%s) = %s, want %s", tt.window, got, tt.want)
		}
	}
}
