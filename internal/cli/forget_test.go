package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/erase"
	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// TestForgetErasesEverywhere imports the samples, runs `starter forget EMAIL` for one person,
// then byte-searches the sandbox's state, haloleads' store (SQLite, with its WAL) and Temporal's
// database for the person's e-mail, phones and name: none is found. A re-import of the same
// files counts them as suppressed and brings nothing of them back. (The store's own test,
// TestForgetLeavesNoBytes, covers PostgreSQL.)
func TestForgetErasesEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	emb, dir := startWorld(ctx, t, zap.NewNop())
	files, first := importSamples(ctx, t, emb)
	victim := personToForget(t, emb.Sandbox)
	t.Logf("forgetting a person with %d searchable values", len(victim.needles))
	if n := countIn(t, filepath.Join(dir, "halopsa"), victim.needles); n == 0 {
		t.Fatal("the search cannot see the person in the sandbox before forget")
	}
	env := map[string]string{"TEMPORAL_ADDRESS": emb.Server.HostPort(), "TEMPORAL_NAMESPACE": emb.Server.Namespace(),
		"HALOLEADS_DATA": dir, "HALO_URL": emb.SandboxURL, "HALO_CLIENT_ID": halosandbox.DefaultClientID,
		"HALO_CLIENT_SECRET": halosandbox.DefaultClientSecret}
	var out, errs bytes.Buffer
	code := Run([]string{"forget", strings.ToUpper(victim.email), "--json"}, IO{Stdout: &out, Stderr: &errs, Getenv: func(k string) string { return env[k] }})
	if code != 0 {
		t.Fatalf("forget exited %d: %s\n%s", code, errs.String(), out.String())
	}
	var rep erase.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if rep.Tickets == 0 || rep.Users == 0 || rep.Workflows == 0 || rep.SuppressionKeys == 0 || len(rep.Problems) > 0 {
		t.Fatalf("forget report: %+v", rep)
	}
	second, err := pipeline.RunImport(ctx, emb.Temporal, leadflow.ImportInput{RunID: newRunID(time.Now()), Files: files}, true)
	if err != nil {
		t.Fatal(err)
	}
	if second.LeadsCreated != 0 || second.Suppressed != first.Suppressed+1 {
		t.Errorf("re-import: %d created, %d suppressed (first import: %d suppressed); want 0 and one more",
			second.LeadsCreated, second.Suppressed, first.Suppressed)
	}
	for _, u := range emb.Sandbox.Users() {
		if s, _ := u["emailaddress"].(string); strings.EqualFold(s, victim.email) {
			t.Fatal("the re-import brought the person back into HaloPSA")
		}
	}
	for _, where := range []string{filepath.Join(dir, "halopsa"), filepath.Join(dir, "haloleads.db*"), filepath.Join(dir, "temporal.db*")} {
		if n := countIn(t, where, victim.needles); n > 0 {
			t.Errorf("%s still holds %d of the person's values", where, n)
		}
	}
}

type person struct {
	email   string
	needles []string
}

// personToForget picks a landed user with an e-mail address, a phone and a two-word name.
func personToForget(t *testing.T, sb *halosandbox.Server) person {
	t.Helper()
	for _, u := range sb.Users() {
		email, _ := u["emailaddress"].(string)
		phone, _ := u["phonenumber"].(string)
		name, _ := u["name"].(string)
		if email == "" || len(phone) < 8 || len(strings.Fields(name)) != 2 {
			continue
		}
		p := person{email: email, needles: []string{email, phone, name}}
		if m, _ := u["mobilenumber"].(string); len(m) >= 8 {
			p.needles = append(p.needles, m)
		}
		return p
	}
	t.Fatal("no landed user with an e-mail, a phone and a name")
	return person{}
}

// countIn counts needles found in the files matching pattern (a directory: every file in it).
func countIn(t *testing.T, pattern string, needles []string) int {
	t.Helper()
	files, _ := filepath.Glob(pattern)
	if fi, err := os.Stat(pattern); err == nil && fi.IsDir() {
		files, _ = filepath.Glob(filepath.Join(pattern, "*"))
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range needles {
			if bytes.Contains(b, []byte(s)) {
				t.Logf("%s holds %q", filepath.Base(f), s[:min(3, len(s))]+"…")
				n++
			}
		}
	}
	return n
}
