package halosandbox

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPersistenceRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := start(t, Options{DataDir: dir})
	client, _, _ := h.seedLead()
	cf := h.create("/api/FieldInfo", map[string]any{"name": "CFSource", "type": TypeDropdown})
	row := h.create("/api/Lookup", map[string]any{"lookupid": cf.Int("lookup"), "name": "Apollo.io"})
	h.create("/api/Tickets", map[string]any{"tickettype_id": 1, "client_id": client, "oppvalue": 1250.5,
		"customfields": []any{map[string]any{"id": cf.ID(), "value": row.ID()}}})
	wh := h.create("/api/Webhook", map[string]any{"name": "w", "url": "https://example.invalid/w", "basic_password": "p"})
	before := h.sb.Tickets()
	if err := h.sb.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(matches) != 1 || filepath.Base(matches[0]) != StateFile {
		t.Fatalf("data dir holds %v, want only %s", matches, StateFile)
	}

	again, err := New(Options{DataDir: dir, Now: h.clock.Now})
	if err != nil {
		t.Fatalf("second New: %v", err)
	}
	srv := httptest.NewServer(again)
	t.Cleanup(srv.Close)
	after := again.Tickets()
	if len(after) != 1 || textOf(after[0]) != textOf(before[0]) {
		t.Fatalf("tickets after reload\n%v\nwant\n%v", after, before)
	}
	h2 := &harness{t: t, sb: again, srv: srv, clock: h.clock, tok: h.tok} // tokens survive too
	if id := h2.create("/api/Tickets", map[string]any{"tickettype_id": 1}).ID(); id != 2 {
		t.Errorf("next ticket id %d, want 2", id)
	}
	if id := h2.create("/api/Lookup", map[string]any{"lookupid": cf.Int("lookup"), "name": "Lusha"}).ID(); id != row.ID()+1 {
		t.Errorf("next lookup id %d, want %d", id, row.ID()+1)
	}
	if cf2 := h2.create("/api/FieldInfo", map[string]any{"name": "CFOther", "type": TypeDropdown}); cf2.Int("lookup") != cf.Int("lookup")+1 {
		t.Errorf("lookup table %d, want %d", cf2.Int("lookup"), cf.Int("lookup")+1)
	}
	h2.must(http.StatusOK, "GET", "/api/Webhook/"+wh.String("id"), nil)
}

func TestStateFileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content, want string
	}{
		{"corrupt", "{", "decoding sandbox state"},
		{"future version", `{"version": 99}`, "version 99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, StateFile), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{DataDir: dir})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestSaveWithoutDataDirIsNoop(t *testing.T) {
	t.Parallel()
	sb, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Save(); err != nil {
		t.Errorf("Save: %v", err)
	}
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{RateWindow: -1}); err == nil {
		t.Error("negative RateWindow accepted")
	}
	if _, err := New(Options{TokenTTL: -1}); err == nil {
		t.Error("negative TokenTTL accepted")
	}
}
