package halopsa

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Time // zero for "no value"
	}{
		{"2022-09-30T08:23:56.4214387Z", time.Date(2022, 9, 30, 8, 23, 56, 421438700, time.UTC)},
		{"2018-04-26T10:23:55.93", time.Date(2018, 4, 26, 10, 23, 55, 930000000, time.UTC)},
		{"2026-09-25T06:41:08", time.Date(2026, 9, 25, 6, 41, 8, 0, time.UTC)},
		{"2026-09-25T08:41:08+02:00", time.Date(2026, 9, 25, 6, 41, 8, 0, time.UTC)},
		{"2026-09-25", time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC)},
		{"0001-01-01T00:00:00", time.Time{}},
		{"1900-01-01T00:00:00", time.Time{}},
		{"1899-12-30T00:00:00", time.Time{}},
		{"1900-01-01T00:00:00Z", time.Time{}},
		{"", time.Time{}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTime(tc.in)
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	if _, err := ParseTime("30/09/2022"); err == nil {
		t.Error("ParseTime accepted a localised date")
	}
}

func TestTimeJSON(t *testing.T) {
	t.Parallel()
	var v struct {
		A Time `json:"a"`
		B Time `json:"b"`
		C Time `json:"c,omitzero"`
	}
	if err := json.Unmarshal([]byte(`{"a":"2022-09-30T08:23:56.4214387Z","b":null}`), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"a":"2022-09-30T08:23:56.4214387Z","b":null}` {
		t.Errorf("round trip = %s", out)
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2022-09-30T08:23:56.4214387Z", "2018-04-26T10:23:55.93", "0001-01-01T00:00:00",
		"1900-01-01T00:00:00", "2026-09-25", "2026-09-25T08:41:08+02:00", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		if err != nil || got.IsZero() {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) not in UTC", s)
		}
		again, err := ParseTime(got.String())
		if err != nil || !again.Equal(got.Truncate(100*time.Nanosecond)) {
			t.Fatalf("round trip of %q: %v → %q → %v, %v", s, got, got.String(), again, err)
		}
	})
}

func TestParseErrorMessage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body, want string }{
		{"resultCode", `{"resultCode":1,"errorMessage":"Ticket locked"}`, "Ticket locked"},
		{"dotnet exception", `{"ClassName":"System.Exception","Message":"Boom"}`, "Boom"},
		{"oauth", `{"error":"invalid_client","error_description":"Unknown client"}`, "Unknown client"},
		{"error only", `{"error":"Rate Limit Reached"}`, "Rate Limit Reached"},
		{"problem details", `{"title":"One or more validation errors occurred.","errors":{"summary":["Required"]}}`, "One or more validation errors occurred.: summary: Required"},
		{"model state", `{"[1].id":["bad"],"[0].id":["worse"]}`, "[0].id: worse; [1].id: bad"},
		{"json string", `"CODE:APP03/2 Please select the CAB members to approve"`, "CODE:APP03/2 Please select the CAB members to approve"},
		{"plain multi-line", "Invalid advanced search parameter\r\nat line 2", "Invalid advanced search parameter"},
		{"html", "<html><body>504</body></html>", ""},
		{"empty", "  ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ParseErrorMessage([]byte(tc.body)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzParseErrorMessage(f *testing.F) {
	for _, s := range []string{`{"Message":"x"}`, `{"errors":{"a":["b"]}}`, `[{"a":1}]`, "plain", "<html>", `"s"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := ParseErrorMessage(body)
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("message %q spans lines", msg)
		}
		if len(msg) > 300+len("…") {
			t.Fatalf("message of %d bytes", len(msg))
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"30", 30 * time.Second}, {"-1", 0}, {"soon", 0},
		{"Thu, 01 Jan 2026 00:01:00 GMT", time.Minute}, {"Wed, 31 Dec 2025 23:00:00 GMT", 0},
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIDDecoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    ID
		wantErr bool
	}{
		{`12`, 12, false}, {`12.0`, 12, false}, {`"130"`, 130, false}, {`null`, 0, false}, {`""`, 0, false},
		{`-1`, -1, false}, {`12.5`, 0, true}, {`"abc"`, 0, true}, {`1e12`, 0, true}, {`true`, 0, true},
	} {
		var id ID
		err := json.Unmarshal([]byte(tc.in), &id)
		if (err != nil) != tc.wantErr || id != tc.want {
			t.Errorf("decode %s = %d, %v; want %d (error %v)", tc.in, id, err, tc.want, tc.wantErr)
		}
	}
	out, _ := json.Marshal(struct {
		A ID `json:"a"`
	}{95})
	if string(out) != `{"a":95}` {
		t.Errorf("encoded %s", out)
	}
}

func FuzzIDDecoding(f *testing.F) {
	for _, s := range []string{"1", "1.0", `"2"`, "null", "-3", "1e3", `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var id ID
		if err := id.UnmarshalJSON(b); err != nil {
			return
		}
		out, err := json.Marshal(id)
		if err != nil {
			t.Fatal(err)
		}
		var again ID
		if err := json.Unmarshal(out, &again); err != nil || again != id {
			t.Fatalf("%s → %d → %s → %d, %v", b, id, out, again, err)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	ok := Config{BaseURL: "https://acme.halopsa.com", ClientID: "id", ClientSecret: "s"}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"defaults", func(*Config) {}, true},
		{"missing base URL", func(c *Config) { c.BaseURL = "" }, false},
		{"relative base URL", func(c *Config) { c.BaseURL = "acme.halopsa.com" }, false},
		{"missing secret", func(c *Config) { c.ClientSecret = "" }, false},
		{"admin scope", func(c *Config) { c.Scopes = []string{"read:tickets", "Admin"} }, false},
		{"negative limit", func(c *Config) { c.RateLimit = -1 }, false},
		{"page too large", func(c *Config) { c.PageSize = 101 }, false},
		{"bad auth URL", func(c *Config) { c.AuthURL = "ftp://x" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ok
			tc.edit(&c)
			err := c.Validate()
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrInvalidConfig)) {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	if got := ok.TokenURL(); got != "https://acme.halopsa.com/auth/token" {
		t.Errorf("TokenURL = %s", got)
	}
	ok.Tenant = "acme"
	if got := ok.TokenURL(); got != "https://acme.halopsa.com/auth/token?tenant=acme" {
		t.Errorf("TokenURL = %s", got)
	}
	if got := ok.APIURL(); got != "https://acme.halopsa.com/api" {
		t.Errorf("APIURL = %s", got)
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	t.Parallel()
	cfg := Config{BaseURL: "https://acme.halopsa.com", ClientID: "id", ClientSecret: "s3cr3t-value"}
	w := Webhook{Name: "h", URL: "https://x.example/hook/s3cr3t-path", BasicUsername: "u", BasicPassword: "s3cr3t-pw"}
	for _, s := range []string{cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%v", w), fmt.Sprint(&w)} {
		if strings.Contains(s, "s3cr3t") {
			t.Errorf("secret in %q", s)
		}
	}
}
