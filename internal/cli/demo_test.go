package cli

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
)

// TestDemoTwice runs `demo --once --json` twice on one data directory: the first run lands the
// samples (fewer leads than rows), the second creates nothing and the sandbox holds no duplicate.
// It reports how long each run took to reach its summary (logged, not asserted).
func TestDemoTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	_, file, _, _ := runtime.Caller(0)
	samples := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "samples")
	data := t.TempDir()
	run := func() demoOutput {
		var out, errs bytes.Buffer
		code := Run([]string{"demo", "--once", "--json", "--data", data, "--samples", samples,
			"--port", "0", "--ui-port", "0", "--sandbox-port", "0"},
			IO{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }})
		if code != 0 {
			t.Fatalf("demo exited %d: %s", code, errs.String())
		}
		var o demoOutput
		if err := json.Unmarshal(out.Bytes(), &o); err != nil {
			t.Fatalf("demo output is not JSON: %v\n%s", err, out.String())
		}
		if len(o.Errors) > 0 {
			t.Fatalf("demo errors: %v", o.Errors)
		}
		return o
	}
	start := time.Now()
	first := run()
	firstTook := time.Since(start)
	if first.LeadsCreated == 0 || first.Leads >= first.Rows-first.RejectedCount {
		t.Fatalf("first run: %d leads created from %d accepted rows", first.LeadsCreated, first.Rows-first.RejectedCount)
	}
	if first.RejectedCount == 0 || first.Rejected[0].File == "" || first.Rejected[0].Line == 0 {
		t.Errorf("rejected rows not reported with file and line: %+v", first.Rejected)
	}
	start = time.Now()
	second := run()
	secondTook := time.Since(start)
	t.Logf("demo to its summary: first run %s, restart on the same data %s (ratio %.2f)",
		firstTook.Round(time.Millisecond), secondTook.Round(time.Millisecond), secondTook.Seconds()/firstTook.Seconds())
	// Reported, not asserted: tests never assert on wall-clock time (CONTRIBUTING). A restart
	// that takes twice the first run is a regression to look at in this log line. It was seen
	// (10.0 s against 1.8 s) on 3 December 2026 at commits both before and after the client/site
	// change, so not caused by it; on 4 December, with lead workflows started eagerly (their
	// first task run by the exiting process's worker), the restart took 3.1-4.0 s against a
	// first run of 6.2-7.8 s on a loaded machine.
	if second.LeadsCreated != 0 || second.LeadsUpdated != 0 || second.HaloWrites != 0 {
		t.Fatalf("second run created %d, updated %d, wrote %d times; want nothing", second.LeadsCreated, second.LeadsUpdated, second.HaloWrites)
	}
	assertNoDuplicates(t, filepath.Join(data, "halopsa"))
}

// assertNoDuplicates opens the sandbox's saved state and checks no e-mail address has two users
// and no user has two tickets.
func assertNoDuplicates(t *testing.T, dir string) {
	t.Helper()
	sb, err := halosandbox.New(halosandbox.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("reopening the sandbox: %v", err)
	}
	users, tickets := sb.Users(), sb.Tickets()
	if len(users) == 0 || len(tickets) == 0 {
		t.Fatalf("sandbox holds %d users and %d tickets", len(users), len(tickets))
	}
	emails, owners := map[string]bool{}, map[int]bool{}
	for _, u := range users {
		if e := u.String("emailaddress"); e != "" {
			if emails[e] {
				t.Errorf("two users have the same e-mail address")
			}
			emails[e] = true
		}
	}
	for _, tk := range tickets {
		if uid := tk.Int("user_id"); uid != 0 {
			if owners[uid] {
				t.Errorf("user %d has two tickets", uid)
			}
			owners[uid] = true
		}
	}
}

// TestDemoMixedDirectory runs the demo on a directory holding a provider export, a file no
// layout fits and a generic contact list: the summary lists all three with their status, the
// list's people land, and the unrecognised file makes --once exit 3 unless --skip-unknown.
func TestDemoMixedDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	_, file, _, _ := runtime.Caller(0)
	dir := t.TempDir()
	apollo, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "samples", "apollo.csv"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("apollo.csv", string(apollo))
	write("mystery.csv", "Col1,Col2,Col3\na,b,c\n")
	write("expo-list.csv", "Name,E-mail Address,Employer,Role,Business Phone\n"+
		"Priya Raman,priya.raman@harborlegal.example,Harbor Legal LLP,Office Manager,+1 617 555 0142\n"+
		"Tom Lee,tom.lee@northwind.example,NORTHWIND TRADERS,IT Director,+1 206 555 0100\n")
	run := func(skip bool) (int, demoOutput, string) {
		args := []string{"demo", "--once", "--json", "--data", t.TempDir(), "--samples", dir,
			"--port", "0", "--ui-port", "0", "--sandbox-port", "0"}
		if skip {
			args = append(args, "--skip-unknown")
		}
		var out, errs bytes.Buffer
		code := Run(args, IO{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }})
		var o demoOutput
		if err := json.Unmarshal(out.Bytes(), &o); err != nil {
			t.Fatalf("demo output is not JSON: %v\n%s\n%s", err, out.String(), errs.String())
		}
		return code, o, errs.String()
	}
	code, o, stderr := run(false)
	if code != int(ExitIncomplete) || !strings.Contains(stderr, "--skip-unknown") {
		t.Errorf("demo with an unrecognised file exited %d (%s), want %d with a hint", code, stderr, ExitIncomplete)
	}
	status := map[string]string{}
	for _, f := range o.Sources {
		status[filepath.Base(f.File)] = f.Status
	}
	want := map[string]string{"apollo.csv": leadflow.FileImported, "mystery.csv": leadflow.FileUnrecognised,
		"expo-list.csv": leadflow.FileGeneric}
	if !maps.Equal(status, want) {
		t.Errorf("file statuses %v, want %v", status, want)
	}
	sb, err := halosandbox.New(halosandbox.Options{DataDir: filepath.Join(o.DataDir, "halopsa")})
	if err != nil {
		t.Fatal(err)
	}
	landed := map[string]bool{}
	for _, u := range sb.Users() {
		landed[u.String("emailaddress")] = true
	}
	if !landed["priya.raman@harborlegal.example"] || !landed["tom.lee@northwind.example"] {
		t.Errorf("the generic list's people did not land: %v", landed)
	}
	if code, o, stderr := run(true); code != 0 || leadflow.Unrecognised(o.Sources) != 1 {
		t.Errorf("demo --skip-unknown exited %d (%s), sources %+v", code, stderr, o.Sources)
	}
}
