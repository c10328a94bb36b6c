package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"haloleads/internal/codec"
	"haloleads/internal/halosandbox"
)

// TestDemoLeavesNoPersonInTemporal runs the demo and byte-searches Temporal's database (and its
// journal or WAL) for every e-mail address and phone number the demo landed in the sandbox: the
// payload codec encrypts them, lead ids are keyed, so none is found in clear. It also checks the
// data directory is private (0700) and its files 0600.
func TestDemoLeavesNoPersonInTemporal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	data := t.TempDir()
	var out, errs bytes.Buffer
	code := Run([]string{"demo", "--once", "--json", "--data", data, "--samples", samplesDir(),
		"--port", "0", "--ui-port", "0", "--sandbox-port", "0"},
		IO{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }})
	if code != 0 {
		t.Fatalf("demo exited %d: %s", code, errs.String())
	}
	people := landedPeople(t, filepath.Join(data, "halopsa"))
	if len(people) < 20 {
		t.Fatalf("only %d e-mail addresses and phones landed", len(people))
	}
	dbs, _ := filepath.Glob(filepath.Join(data, "temporal.db*"))
	if len(dbs) == 0 {
		t.Fatal("no temporal.db")
	}
	for _, db := range dbs {
		b, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, p := range people {
			if bytes.Contains(b, []byte(p)) {
				found++
				if found <= 5 {
					t.Errorf("%s holds %q in clear", filepath.Base(db), p)
				}
			}
		}
		t.Logf("%s: %d bytes, %d of %d e-mail addresses and phones found in clear", filepath.Base(db), len(b), found, len(people))
	}
	assertPrivate(t, data)
	if _, err := os.Stat(filepath.Join(data, codec.KeyFile)); err != nil {
		t.Errorf("the demo wrote no key file: %v", err)
	}
}

// landedPeople lists the e-mail addresses and phone numbers of the sandbox's users.
func landedPeople(t *testing.T, dir string) []string {
	t.Helper()
	sb, err := halosandbox.New(halosandbox.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("reopening the sandbox: %v", err)
	}
	var out []string
	for _, u := range sb.Users() {
		for _, f := range []string{"emailaddress", "phonenumber", "mobilenumber"} {
			if s, _ := u[f].(string); len(s) > 6 {
				out = append(out, s)
			}
		}
	}
	return out
}

// assertPrivate checks that dir and every directory below it is 0700 and every file 0600.
func assertPrivate(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if path == dir && strings.HasPrefix(filepath.Base(dir), "0") {
			return nil // t.TempDir's own numbered directory
		}
		if info.Mode().Perm()&^want != 0 {
			t.Errorf("%s is %v, want %v at most", path, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
