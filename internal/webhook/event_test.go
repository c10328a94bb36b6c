package webhook

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenEvent is an Event as the golden files show it: Raw is left out (it is the input).
type goldenEvent struct {
	Event
	Raw json.RawMessage `json:"Raw,omitempty"`
}

// TestParsePayloadGolden parses every payload in testdata/payloads and compares the events with
// testdata/golden/<name>.golden.
func TestParsePayloadGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "payloads", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no payloads in testdata/payloads (%v)", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			events, err := ParsePayload(body)
			if err != nil {
				t.Fatalf("ParsePayload: %v", err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", name+".golden"), render(t, events))
		})
	}
}

// render formats events for a golden file.
func render(t *testing.T, events []Event) []byte {
	t.Helper()
	out := make([]goldenEvent, len(events))
	for i, e := range events {
		if !json.Valid(e.Raw) {
			t.Errorf("event %d: Raw is not valid JSON", i)
		}
		out[i] = goldenEvent{Event: e}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// checkGolden compares got with the golden file, rewriting it under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the parse:\n got: %s\nwant: %s", path, got, want)
	}
}

func TestParsePayloadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
		index            int
	}{
		{"empty", "", "the body is empty", -1},
		{"white space and BOM", "\xef\xbb\xbf \n\t", "the body is empty", -1},
		{"null", "null", "not a JSON object or array", -1},
		{"number", "42", "not a JSON object or array", -1},
		{"form encoded", "event=ticket+updated", "not a JSON object or array", -1},
		{"truncated", `{"event":"ticket updated"`, "invalid JSON at byte", -1},
		{"trailing garbage", `{"event":"x"} {}`, "invalid JSON at byte", -1},
		{"ticket not object", `{"ticket":"Jane Doe"}`, "field ticket is a JSON string, want an object", -1},
		{"id not number", `{"object_id":"jane@example.com"}`, "field object_id is a JSON string, want a whole number", -1},
		{"nested type", `{"ticket":{"status_id":true}}`, "field ticket.status_id is a JSON bool, want a whole number", -1},
		{"fraction", `{"object_id":4.5}`, "field object_id is a JSON number, want a whole number", -1},
		{"overflow", `{"object_id":1e99}`, "field object_id is a JSON number, want a whole number", -1},
		{"customfields object", `{"ticket":{"customfields":{"id":1}}}`, "field ticket.customfields is a JSON object, want an array", -1},
		{"closed not bool", `{"ticket":{"hasbeenclosed":"maybe"}}`, "field ticket.hasbeenclosed is a JSON string, want a boolean", -1},
		{"event is list", `{"event":["a"]}`, "field event is a JSON array, want a string", -1},
		{"empty batch", `[]`, "the batch holds no events", -1},
		{"batch of numbers", `[{}, 1]`, "event 1: the event is not a JSON object", 1},
		{"bad event in batch", `[{"object_id":1},{"object_id":[]}]`, "event 1: field object_id is a JSON array", 1},
		{"batch not closed", `[{}`, "invalid JSON", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePayload([]byte(tc.body))
			var pe *PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want *PayloadError", err)
			}
			if !strings.Contains(err.Error(), tc.want) || pe.Index != tc.index {
				t.Errorf("error %q (index %d), want it to contain %q (index %d)", err, pe.Index, tc.want, tc.index)
			}
			if strings.Contains(err.Error(), "jane") || strings.Contains(err.Error(), "Jane") {
				t.Errorf("error %q echoes a payload value", err)
			}
		})
	}
}

func TestEventKey(t *testing.T) {
	t.Parallel()
	base := `{"id":"d1","webhook_id":"w","event":"ticket updated","object_id":7,"timestamp":"2026-10-01T10:00:00Z","ticket":{"id":7,"summary":"%s"}}`
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"re-sent delivery", strings.Replace(base, "%s", "A", 1), strings.Replace(base, "%s", "A", 1), true},
		{"re-sent with fresher object", strings.Replace(base, "%s", "A", 1), strings.Replace(base, "%s", "B", 1), true},
		{"white space and key order", `{"object_id":7,"event":"x"}`, "{ \"event\" : \"x\",\n \"object_id\": 7 }", false},
		{"other delivery id", `{"id":"d1","event":"x","object_id":7}`, `{"id":"d2","event":"x","object_id":7}`, false},
		{"other object", `{"id":"d1","event":"x","object_id":7}`, `{"id":"d1","event":"x","object_id":8}`, false},
		{"other event", `{"id":"d1","event":"x","object_id":7}`, `{"id":"d1","event":"y","object_id":7}`, false},
		{"event name case", `{"id":"d1","event":"Ticket Updated","object_id":7}`, `{"id":"d1","event":"ticket updated","object_id":7}`, true},
		{"no envelope, same object", `{"event":"x","ticket":{"id":1}}`, `{ "event":"x", "ticket":{"id":1} }`, true},
		{"no envelope, other object", `{"event":"x","ticket":{"id":1}}`, `{"event":"x","ticket":{"id":2}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := parseOne(t, tc.a), parseOne(t, tc.b)
			if len(a.ID) != 32 {
				t.Errorf("ID %q is not 32 hex digits", a.ID)
			}
			if (a.ID == b.ID) != tc.same {
				t.Errorf("IDs %s and %s: same = %v, want %v", a.ID, b.ID, a.ID == b.ID, tc.same)
			}
		})
	}
}

// parseOne parses a body that must hold exactly one event.
func parseOne(t *testing.T, body string) Event {
	t.Helper()
	events, err := ParsePayload([]byte(body))
	if err != nil || len(events) != 1 {
		t.Fatalf("ParsePayload(%s) = %d events, %v", body, len(events), err)
	}
	return events[0]
}

func TestParsePayloadFallbacks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body       string
		ticket, user, at int
	}{
		{"ticket event without object", `{"event":"ticket updated","object_id":5}`, 5, 0, 0},
		{"user event without object", `{"event":"user updated","object_id":6}`, 0, 6, 0},
		{"ticket object without id", `{"event":"new ticket logged","object_id":7,"ticket":{"user_id":8}}`, 7, 8, 0},
		{"other event", `{"event":"asset updated","object_id":9}`, 0, 0, 0},
		{"bad timestamp", `{"event":"x","object_id":1,"timestamp":"yesterday"}`, 0, 0, 0},
		{"offset timestamp", `{"event":"x","object_id":1,"timestamp":"2026-10-01T12:00:00+02:00"}`, 0, 0, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := parseOne(t, tc.body)
			if e.TicketID != tc.ticket || e.UserID != tc.user || e.ChangedAt.Hour() != tc.at {
				t.Errorf("ticket %d, user %d, hour %d (%v); want %d, %d, %d",
					e.TicketID, e.UserID, e.ChangedAt.Hour(), e.ChangedAt, tc.ticket, tc.user, tc.at)
			}
			if tc.at != 0 && e.ChangedAt.Location().String() != "UTC" {
				t.Errorf("ChangedAt %v is not UTC", e.ChangedAt)
			}
		})
	}
}

// FuzzParsePayload checks that any body either parses into events with well-formed keys whose
// Raw re-parses to the same event, or fails with a *PayloadError; never a panic.
func FuzzParsePayload(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "payloads", "*.json"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"", "[]", "[{}]", "{}", `{"object_id":"12"}`, `{"ticket":{"customfields":[{"id":"3","value":{"a":[1]}}]}}`,
		`[{"id":1},{"id":1}]`, "\xef\xbb\xbf{}", `{"timestamp":"2026-10-01T10:00:00.123456789012Z"}`, `{"object_id":-0.0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParsePayload(body)
		if err != nil {
			var pe *PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *PayloadError", err)
			}
			return
		}
		if len(events) == 0 {
			t.Fatal("no events and no error")
		}
		for _, e := range events {
			if _, err := hex.DecodeString(e.ID); err != nil || len(e.ID) != 32 {
				t.Fatalf("ID %q is not 32 hex digits", e.ID)
			}
			again, err := ParsePayload(e.Raw)
			if err != nil || len(again) != 1 || again[0].ID != e.ID || again[0].TicketID != e.TicketID {
				t.Fatalf("Raw of %+v re-parses to %+v, %v", e, again, err)
			}
		}
	})
}

func BenchmarkParsePayload(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "payloads", "new_ticket_full.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePayload(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
}
