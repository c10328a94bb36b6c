package pipeline_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/tenant"
)

// TestTenantSetupReadAgain removes a ticket custom field from HaloPSA after the worker has read
// the tenant set-up, then imports new leads: HaloPSA refuses the tickets naming the missing
// field, the worker reads the set-up again (creating the field anew), and the retried batch
// lands every lead once, without a restart and without duplicated clients or users.
func TestTenantSetupReadAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test runs the embedded Temporal server")
	}
	e := newEnv(t)
	first := e.importFiles(t, "before", samples(t, "apollo.csv")...)

	var name string
	for _, f := range tenant.DefaultSpec().Fields {
		if f.Usage == halopsa.FieldUsageTicket {
			name = f.Name
			break
		}
	}
	deleteFieldInfo(t, e.sandbox, name)

	second := e.importFiles(t, "after", samples(t, "zoominfo.csv")...)
	if second.LeadsCreated == 0 {
		t.Fatal("no leads created after the field was removed")
	}
	total := first.LeadsCreated + second.LeadsCreated
	if n := len(e.sandbox.Users()); n != total {
		t.Errorf("sandbox holds %d users, want %d (one per lead)", n, total)
	}
	found := false
	for _, f := range e.sandbox.FieldInfos() {
		found = found || strings.EqualFold(f.String("name"), name)
	}
	if !found {
		t.Errorf("custom field %s was not set up again", name)
	}
}

// deleteFieldInfo removes the custom field called name through the sandbox's API, as an
// administrator would in HaloPSA.
func deleteFieldInfo(t *testing.T, sb *halosandbox.Server, name string) {
	t.Helper()
	id := 0
	for _, f := range sb.FieldInfos() {
		if strings.EqualFold(f.String("name"), name) {
			id = f.ID()
		}
	}
	if id == 0 {
		t.Fatalf("custom field %s not found", name)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {halosandbox.DefaultClientID},
		"client_secret": {halosandbox.DefaultClientSecret}, "scope": {"all"}}
	req := httptest.NewRequest(http.MethodPost, "/auth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := jsonDecode(rec.Body.String(), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %s", rec.Code, rec.Body.String())
	}
	req = httptest.NewRequest(http.MethodDelete, fmt.Sprint("/api/FieldInfo/", id), nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	rec = httptest.NewRecorder()
	sb.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("deleting custom field %s: %d %s", name, rec.Code, rec.Body.String())
	}
}

func jsonDecode(s string, v any) error { return json.Unmarshal([]byte(s), v) }
