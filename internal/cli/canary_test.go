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

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"haloleads/internal/codec"
	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
	"haloleads/internal/providersandbox"
)

// TestCanary runs an import with a recognisable canary person through the embedded world (debug
// logs captured by a zap observer) and looks for the person and for every secret the run holds
// (the HaloPSA client secret, the provider key, the payload key) in the logs, the import's
// summary and errors, every workflow history Temporal holds (read raw: without the codec, so
// encrypted), and the store's files (secrets only: the store keeps the person by design).
func TestCanary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	core, logs := observer.New(zapcore.DebugLevel)
	emb, dir := startWorld(ctx, t, zap.New(core))
	person := []string{"canary.zqxj@canary-person.example", "+15125550177", "Zqxjcanary", "Vwkbird"}
	file := filepath.Join(t.TempDir(), "canary.csv")
	csv := "First Name,Last Name,Email,Company,Title,Phone,Website\n" +
		"Zqxjcanary,Vwkbird,canary.zqxj@canary-person.example,Canary Widgets,Owner,+1 512 555 0177,canary-person.example\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.RunImport(ctx, emb.Temporal, leadflow.ImportInput{RunID: newRunID(time.Now()), Files: []string{file}}, true)
	if err != nil || sum.LeadsCreated != 1 {
		t.Fatalf("import: %v, %+v", err, sum)
	}
	keyFile, err := os.ReadFile(filepath.Join(dir, codec.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{halosandbox.DefaultClientSecret, providersandbox.DefaultAPIKey, lastLine(string(keyFile))}
	everything := append(append([]string{}, person...), secrets...)

	var logText bytes.Buffer
	for _, e := range logs.All() {
		b, _ := json.Marshal(e.ContextMap())
		logText.WriteString(e.Message + " " + string(b) + "\n")
	}
	if logs.Len() < 5 {
		t.Fatalf("only %d log entries captured", logs.Len())
	}
	summary, _ := json.Marshal(sum)
	histories := rawHistories(ctx, t, emb)
	if !bytes.Contains(histories, []byte(leadflow.LeadWorkflow)) {
		t.Fatal("the histories read hold no lead workflow")
	}
	var store []byte
	files, _ := filepath.Glob(filepath.Join(dir, "haloleads.db*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		store = append(store, b...)
	}
	for _, c := range []struct {
		where  string
		data   []byte
		search []string
	}{
		{"logs", logText.Bytes(), everything},
		{"the import summary", summary, everything},
		{"Temporal histories", histories, everything},
		{"the store", store, secrets},
	} {
		for _, s := range c.search {
			if s != "" && bytes.Contains(c.data, []byte(s)) {
				t.Errorf("%s hold the canary %q", c.where, s[:min(4, len(s))]+"…")
			}
		}
	}
	t.Logf("searched %d log entries, %d bytes of histories, %d bytes of store", logs.Len(), len(histories), len(store))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// rawHistories is every event of every workflow Temporal holds, serialised as stored.
func rawHistories(ctx context.Context, t *testing.T, emb *embedded) []byte {
	t.Helper()
	resp, err := emb.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, ex := range resp.GetExecutions() {
		it := emb.Temporal.GetWorkflowHistory(ctx, ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId(), false,
			enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := ev.Marshal()
			all.Write(b)
		}
	}
	return all.Bytes()
}
