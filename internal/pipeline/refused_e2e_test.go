package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/pipeline"
)

// refusedDomain marks the addresses the front below makes HaloPSA refuse.
const refusedDomain = "blocked.example.net"

// refusingFront serves the sandbox, except that a POST /api/Users holding a user at
// refusedDomain is refused as a whole with a 400 naming no record, as HaloPSA answers a rule
// haloleads cannot check beforehand (here: a blocked e-mail domain).
func refusingFront(sb *halosandbox.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.EqualFold(r.URL.Path, "/api/Users") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var users []map[string]any
			if json.Unmarshal(body, &users) == nil {
				for _, u := range users {
					if em, _ := u["emailaddress"].(string); strings.HasSuffix(em, "@"+refusedDomain) {
						http.Error(w, "Users with an e-mail address at "+refusedDomain+" are not allowed", http.StatusBadRequest)
						return
					}
				}
			}
		}
		sb.ServeHTTP(w, r)
	})
}

// TestOneRefusedRecordCostsOnlyItself imports 100 leads in one batch, one of which HaloPSA
// refuses: 99 land, the one is reported with HaloPSA's message, and a re-run lands nothing new
// and reports the same one.
func TestOneRefusedRecordCostsOnlyItself(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnvWith(t, envOptions{Front: refusingFront})
	var b strings.Builder
	b.WriteString("Apollo Contact Id,First Name,Last Name,Title,Company Name,Email,Email Status\n")
	for i := range 100 {
		domain := fmt.Sprintf("firm%02d.example.com", i)
		if i == 57 {
			domain = refusedDomain
		}
		fmt.Fprintf(&b, "r%03d,Person%d,Surname%d,Manager,Firm %02d Ltd,person%d@%s,Verified\n", i, i, i, i, i, domain)
	}
	file := filepath.Join(t.TempDir(), "hundred.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(id string) leadflow.Summary {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		sum, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: id, Files: []string{file}}, true)
		if err != nil {
			t.Fatalf("import %s: %v", id, err)
		}
		return sum
	}
	first := run("first")
	if first.Batches != 1 || first.LeadsCreated != 99 || len(e.sandbox.Users()) != 99 {
		t.Errorf("first import: %d batches, %d created, sandbox holds %d users; want 1, 99, 99",
			first.Batches, first.LeadsCreated, len(e.sandbox.Users()))
	}
	checkRefusal(t, first.Errors)
	second := run("second")
	if second.LeadsCreated != 0 || second.LeadsUpdated != 0 || len(e.sandbox.Users()) != 99 {
		t.Errorf("re-run: %d created, %d updated, sandbox holds %d users; want 0, 0, 99",
			second.LeadsCreated, second.LeadsUpdated, len(e.sandbox.Users()))
	}
	checkRefusal(t, second.Errors)
	if first.Errors[0] != second.Errors[0] {
		t.Errorf("the re-run reports %q, the first run %q", second.Errors[0], first.Errors[0])
	}
	t.Logf("first: %d requests (%d writes); error: %s", first.HaloRequests, first.HaloWrites, first.Errors[0])
}

func checkRefusal(t *testing.T, errs []string) {
	t.Helper()
	if len(errs) != 1 || !strings.Contains(errs[0], "not allowed") || !strings.Contains(errs[0], "HaloPSA refused the user of lead") {
		t.Errorf("errors = %q, want one naming the refused lead with HaloPSA's message", errs)
	}
}

// TestFailedBatchIsOneSentence makes HaloPSA refuse every ticket POST with a 403 (permission):
// the batch fails for good, and the summary says so in one plain sentence, without the Temporal
// SDK's wrapping.
func TestFailedBatchIsOneSentence(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	front := func(sb *halosandbox.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.EqualFold(r.URL.Path, "/api/Tickets") {
				http.Error(w, "You do not have permission to create tickets", http.StatusForbidden)
				return
			}
			sb.ServeHTTP(w, r)
		})
	}
	e := newEnvWith(t, envOptions{Front: front})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := pipeline.RunImport(ctx, e.temporal, leadflow.ImportInput{RunID: "forbidden", Files: samples(t, "uplead.csv")}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Errors) != 1 || !strings.HasPrefix(sum.Errors[0], "batch 1 was not landed: ") ||
		!strings.Contains(sum.Errors[0], "403 You do not have permission") || strings.Contains(sum.Errors[0], "type:") {
		t.Errorf("errors = %q, want one plain sentence for batch 1", sum.Errors)
	} else {
		t.Logf("error: %s", sum.Errors[0])
	}
}
