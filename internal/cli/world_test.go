package cli

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// startWorld starts the embedded world (Temporal, the HaloPSA sandbox, the store) in a new
// directory, logging to logger, and returns it with its directory; it stops when the test ends.
func startWorld(ctx context.Context, t *testing.T, logger *zap.Logger) (*embedded, string) {
	t.Helper()
	dir := t.TempDir()
	emb, err := startEmbedded(ctx, embeddedOptions{Dir: dir, Logger: logger})
	if err != nil {
		t.Fatalf("starting the embedded world: %v", err)
	}
	t.Cleanup(emb.Close)
	return emb, dir
}

// importSamples imports the demo's sample files into emb and returns them with the import's
// summary; an import that fails or reports errors fails the test.
func importSamples(ctx context.Context, t *testing.T, emb *embedded) ([]string, leadflow.Summary) {
	t.Helper()
	files, err := sampleFiles(samplesDir())
	if err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.RunImport(ctx, emb.Temporal, leadflow.ImportInput{RunID: newRunID(time.Now()), Files: files}, true)
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("import: %v %v", err, sum.Errors)
	}
	return files, sum
}

// worldEnv is the environment a CLI command needs to reach emb's Temporal and store in dir.
func worldEnv(emb *embedded, dir string) map[string]string {
	return map[string]string{"TEMPORAL_ADDRESS": emb.Server.HostPort(), "TEMPORAL_NAMESPACE": emb.Server.Namespace(), "HALOLEADS_DATA": dir}
}
