package cli

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"haloleads/internal/lead"
)

func TestFileSources(t *testing.T) {
	t.Parallel()
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := abs("a.csv"), abs("b.csv")
	tests := []struct {
		name    string
		values  []string
		files   []string
		wantAll lead.Source
		want    []string
		forced  []lead.Source
		wantErr bool
	}{
		{name: "none", files: []string{a}, want: []string{a}},
		{name: "every file", values: []string{"UpLead"}, files: []string{a, b}, wantAll: lead.UpLead, want: []string{a, b}},
		{name: "one file", values: []string{"hunter=b.csv"}, files: []string{a, b}, want: []string{a, b},
			forced: []lead.Source{"", lead.Hunter}},
		{name: "file added", values: []string{"csv=b.csv", "apollo"}, files: []string{a}, wantAll: lead.Apollo,
			want: []string{a, b}, forced: []lead.Source{"", lead.CSV}},
		{name: "unknown provider", values: []string{"linkedin"}, files: []string{a}, wantErr: true},
		{name: "two providers for all", values: []string{"apollo", "lusha"}, files: []string{a}, wantErr: true},
		{name: "no file after =", values: []string{"apollo="}, files: []string{a}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files, all, forced, err := fileSources(tt.values, slices.Clone(tt.files))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("fileSources(%q) = nil error", tt.values)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if all != tt.wantAll || !slices.Equal(files, tt.want) || !slices.Equal(forced, tt.forced) {
				t.Errorf("fileSources(%q) = %q, %q, %q; want %q, %q, %q", tt.values, files, all, forced, tt.want, tt.wantAll, tt.forced)
			}
		})
	}
}

func TestSidecar(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := []string{filepath.Join(dir, "list.csv"), filepath.Join(dir, "apollo.csv")}
	if got, err := sidecarSources(dir, files); err != nil || got != nil {
		t.Fatalf("no sidecar: %q, %v", got, err)
	}
	side := "# which provider each file is from\nlist.csv = UpLead  # re-saved by hand\n\n"
	if err := os.WriteFile(filepath.Join(dir, SidecarName), []byte(side), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := sidecarSources(dir, files)
	if err != nil || !slices.Equal(got, []lead.Source{lead.UpLead, ""}) {
		t.Fatalf("sidecar: %q, %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, SidecarName), []byte("list.csv = acme\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sidecarSources(dir, files); err == nil {
		t.Error("a sidecar naming an unknown provider was accepted")
	}
}
