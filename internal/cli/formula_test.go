package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"go.uber.org/zap"

	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
	"haloleads/internal/safetext"
)

// TestFormulasAndEscapesAreNeutralised imports a contact list whose names, titles and companies
// are spreadsheet formulas and terminal escape sequences, then checks that no text HaloPSA holds
// (users, tickets, clients) starts a cell with a formula character or carries a control
// character, and that `lead list` prints no escape sequence.
func TestFormulasAndEscapesAreNeutralised(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	emb, err := startEmbedded(ctx, embeddedOptions{Dir: dir, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	file := filepath.Join(t.TempDir(), "hostile.csv")
	rows := "First Name,Last Name,Email,Company,Title,Phone,Website\n" +
		`"=HYPERLINK(""http://evil.example"",""x"")",Alpha,alpha@formula.example,"+SUM(A1:A2)",@SUM(1),+1 512 555 0101,formula.example` + "\n" +
		`Beta,"-2+3+cmd|' /C calc'!A0",beta@formula.example,"=1+1 Ltd","-Head",+1 512 555 0102,formula.example` + "\n" +
		"\"\x1b[31mGamma\x1b[0m\",\"\x1b]0;owned\x07Delta\",gamma@formula.example,\"\tTabbed Co\",\"\rCarriage\",+1 512 555 0103,formula.example\n" +
		`Eve,Normal,"=cmd|'/C calc'!A0@formula.example",Plain Co,Plain,+1 512 555 0104,formula.example` + "\n"
	if err := os.WriteFile(file, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.RunImport(ctx, emb.Temporal, leadflow.ImportInput{RunID: newRunID(time.Now()), Files: []string{file}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if sum.LeadsCreated < 3 {
		t.Fatalf("created %d leads, want the 3 hostile ones at least: %+v", sum.LeadsCreated, sum.Errors)
	}
	checked := 0
	for kind, recs := range map[string][]halosandbox.Record{"user": emb.Sandbox.Users(), "ticket": emb.Sandbox.Tickets(), "client": emb.Sandbox.Customers()} {
		for _, r := range recs {
			checked += checkStrings(t, kind, r)
		}
	}
	if checked < 20 {
		t.Fatalf("only %d strings checked", checked)
	}
	env := map[string]string{"TEMPORAL_ADDRESS": emb.Server.HostPort(), "TEMPORAL_NAMESPACE": emb.Server.Namespace(), "HALOLEADS_DATA": dir}
	var out, errs bytes.Buffer
	deadline := time.Now().Add(30 * time.Second)
	for {
		out.Reset()
		if code := Run([]string{"lead", "list"}, IO{Stdout: &out, Stderr: &errs, Getenv: func(k string) string { return env[k] }}); code != 0 {
			t.Fatalf("lead list: %d %s", code, errs.String())
		}
		if strings.Contains(out.String(), "Gamma") || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "Gamma") {
		t.Fatalf("lead list does not show the hostile lead:\n%s", out.String())
	}
	if strings.ContainsFunc(out.String(), func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }) {
		t.Errorf("lead list prints control characters: %q", out.String())
	}
}

// checkStrings checks every string value of r (nested ones too) and returns how many it checked.
func checkStrings(t *testing.T, kind string, v any) int {
	t.Helper()
	n := 0
	switch x := v.(type) {
	case string:
		if safetext.IsFormula(x) {
			t.Errorf("a %s holds a formula: %q", kind, x)
		}
		if strings.ContainsFunc(x, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }) {
			t.Errorf("a %s holds a control character: %q", kind, x)
		}
		return 1
	case halosandbox.Record:
		for _, e := range x {
			n += checkStrings(t, kind, e)
		}
	case map[string]any:
		for _, e := range x {
			n += checkStrings(t, kind, e)
		}
	case []any:
		for _, e := range x {
			n += checkStrings(t, kind, e)
		}
	}
	return n
}
