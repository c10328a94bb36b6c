package providers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"haloleads/internal/golden"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

var now = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"seconds", http.Header{"Retry-After": {"12"}}, 12 * time.Second},
		{"http date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{"past date", http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0},
		{"reset seconds", http.Header{"X-Ratelimit-Reset": {"30"}}, 30 * time.Second},
		{"reset unix time", http.Header{"Ratelimit-Reset": {fmt.Sprint(now.Add(time.Minute).Unix())}}, time.Minute},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
		{"nothing", http.Header{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := providers.RetryAfter(tt.header, now); got != tt.want {
				t.Errorf("RetryAfter = %s, want %s", got, tt.want)
			}
		})
	}
}

// server answers each request with the next of replies (status, header, body).
type reply struct {
	status int
	header map[string]string
	body   string
}

func newServer(t *testing.T, replies ...reply) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		rep := replies[min(i, len(replies)-1)]
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		if r.Header.Get("X-Key") != "k" {
			rep = reply{status: 401, body: "no key"}
		}
		w.WriteHeader(rep.status)
		_, _ = w.Write([]byte(rep.body))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

type recordedSleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (r *recordedSleeps) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.d = append(r.d, d)
	return nil
}

func doer(url string, retries int, s *recordedSleeps) *providers.Doer {
	return &providers.Doer{Provider: lead.Apollo, BaseURL: url, MaxRetries: retries, MaxWait: 10 * time.Second,
		Sleep: s.sleep, Now: func() time.Time { return now },
		Authorize: func(_ context.Context, r *http.Request) error { r.Header.Set("X-Key", "k"); return nil }}
}

func TestDoerClassifiesAndRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		replies   []reply
		retries   int
		wantErr   *providers.APIError
		wantCalls int32
		wantWaits []time.Duration
	}{
		{"ok", []reply{{200, nil, `{"v":"x"}`}}, 2, nil, 1, nil},
		{"429 retried after Retry-After", []reply{{429, map[string]string{"Retry-After": "3"}, `{"message":"slow"}`},
			{200, nil, `{"v":"x"}`}}, 2, nil, 2, []time.Duration{3 * time.Second}},
		{"5xx retried with backoff", []reply{{503, nil, ""}, {502, nil, ""}, {200, nil, `{"v":"x"}`}}, 2, nil, 3,
			[]time.Duration{250 * time.Millisecond, 500 * time.Millisecond}},
		{"wait longer than MaxWait left to the caller", []reply{{429, map[string]string{"Retry-After": "60"}, ""}}, 2,
			&providers.APIError{StatusCode: 429, Retryable: true, RetryAfter: time.Minute}, 1, nil},
		{"retries exhausted", []reply{{500, nil, `{"error":"boom"}`}}, 1,
			&providers.APIError{StatusCode: 500, Retryable: true, Message: "boom"}, 2, []time.Duration{250 * time.Millisecond}},
		{"402 is the quota", []reply{{402, nil, `{"error":{"type":"credits","message":"none left"}}`}}, 2,
			&providers.APIError{StatusCode: 402, QuotaExhausted: true, Message: "none left"}, 1, nil},
		{"400 is final", []reply{{400, nil, `{"errors":[{"id":"wrong_params","details":"bad domain"}]}`}}, 2,
			&providers.APIError{StatusCode: 400, Message: "bad domain"}, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, calls := newServer(t, tt.replies...)
			s := &recordedSleeps{}
			var out struct{ V string }
			_, err := doer(srv.URL, tt.retries, s).Do(context.Background(), providers.Request{Op: "op", Method: "GET", Path: "/x"}, &out)
			if tt.wantErr == nil {
				if err != nil || out.V != "x" {
					t.Fatalf("Do = %v, %+v", err, out)
				}
			} else {
				var ae *providers.APIError
				if !errors.As(err, &ae) || ae.StatusCode != tt.wantErr.StatusCode || ae.Retryable != tt.wantErr.Retryable ||
					ae.QuotaExhausted != tt.wantErr.QuotaExhausted || ae.RetryAfter != tt.wantErr.RetryAfter ||
					(tt.wantErr.Message != "" && ae.Message != tt.wantErr.Message) {
					t.Fatalf("Do error = %#v, want %#v", err, tt.wantErr)
				}
			}
			if calls.Load() != tt.wantCalls || fmt.Sprint(s.d) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("calls %d waits %v, want %d and %v", calls.Load(), s.d, tt.wantCalls, tt.wantWaits)
			}
		})
	}
}

func TestDoerTransportErrorIsRetryableAndHidesQuery(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	d := doer(url, -1, &recordedSleeps{})
	_, err := d.Do(context.Background(), providers.Request{Op: "op", Method: "GET", Path: "/x",
		Query: map[string][]string{"api_key": {"secret"}}}, nil)
	var ae *providers.APIError
	if !errors.As(err, &ae) || !ae.Retryable || ae.StatusCode != 0 {
		t.Fatalf("got %v, want a retryable APIError without status", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q leaks the query string", err)
	}
	if errors.Unwrap(ae) == nil {
		t.Error("the transport error is not wrapped")
	}
}

func TestDoerStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, reply{429, map[string]string{"Retry-After": "1"}, ""})
	ctx, cancel := context.WithCancel(context.Background())
	d := doer(srv.URL, 3, nil)
	d.Sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
	_, err := d.Do(ctx, providers.Request{Op: "op", Method: "GET", Path: "/x"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestAPIErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  providers.APIError
		want string
	}{
		{providers.APIError{Provider: lead.Hunter, StatusCode: 429, QuotaExhausted: true, Message: "limit"},
			"Hunter.io answered 429: limit (quota exhausted)"},
		{providers.APIError{Provider: lead.Apollo, StatusCode: 429, Retryable: true, RetryAfter: time.Minute},
			"Apollo.io answered 429 (retry after 1m0s)"},
		{providers.APIError{Provider: lead.Lusha, Retryable: true, Message: "calling x: refused"},
			"Lusha unreachable: calling x: refused (retryable)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	wrapped := fmt.Errorf("pulling: %w", &tests[0].err)
	if !providers.IsRetryable(fmt.Errorf("x: %w", &tests[1].err)) || providers.IsRetryable(wrapped) {
		t.Error("IsRetryable misreads the chain")
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`"a"`, "a"}, {`12`, "12"}, {`9001000000`, "9001000000"}, {`1.5`, "1.5"}, {`true`, "true"},
		{`null`, ""}, {`["a", 2, null, "b"]`, "a; 2; b"}, {`{"x":1}`, ""},
	}
	for _, tt := range tests {
		var got providers.Text
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil || string(got) != tt.want {
			t.Errorf("Text(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if !providers.Text("Yes").Bool() || providers.Text("no").Bool() {
		t.Error("Bool misreads yes/no")
	}
}

func TestLedgerIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	var l providers.Ledger
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Charge([]string{"a", "b"}[i%2], 2)
			l.Charge("ignored", -1)
		}()
	}
	wg.Wait()
	if l.Total() != 100 || l.ByOperation()["a"] != 50 || l.ByOperation()["b"] != 50 || len(l.ByOperation()) != 2 {
		t.Errorf("total %d by op %v", l.Total(), l.ByOperation())
	}
}

func TestBatchesAndCursor(t *testing.T) {
	t.Parallel()
	if got := fmt.Sprint(providers.Batches(23, 10)); got != "[[0 10] [10 20] [20 23]]" {
		t.Errorf("Batches(23, 10) = %s", got)
	}
	if got := providers.Batches(0, 10); len(got) != 0 {
		t.Errorf("Batches(0, 10) = %v", got)
	}
	for _, c := range []string{"0", "-1", "x"} {
		if _, err := providers.PageCursor(c); err == nil {
			t.Errorf("PageCursor(%q) accepted", c)
		}
	}
	if n, err := providers.PageCursor(""); n != 1 || err != nil {
		t.Errorf("PageCursor(\"\") = %d, %v", n, err)
	}
}

func TestSheetUsesTheExportMapping(t *testing.T) {
	t.Parallel()
	cols := []string{"Apollo Person Id", "Apollo Account Id", "First Name", "Last Name", "Email", "Company Name",
		"Work Direct Phone", "Do Not Call", "Stage", "Annual Revenue"}
	s := providers.NewSheet(lead.Apollo, cols)
	s.Add(map[string]string{"Apollo Person Id": "p1", "First Name": "Dana", "Last Name": "Okafor",
		"Email": "dana@brightkettle.example.com", "Work Direct Phone": "'+1 512-555-0143", "Do Not Call": "true",
		"Stage": "Do Not Contact", "Annual Revenue": "38000000"})
	s.Add(map[string]string{"Apollo Person Id": "p2", "First Name": "Only"})
	recs, rejected, err := s.Records(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || len(rejected) != 1 || rejected[0].Line != 2 {
		t.Fatalf("got %d records, rejected %+v; want 1 and row 2 rejected", len(recs), rejected)
	}
	r := recs[0]
	want := lead.Values{lead.FirstName: "Dana", lead.LastName: "Okafor", lead.Email: "dana@brightkettle.example.com",
		lead.PhoneDirect: "+1 512-555-0143", lead.DoNotCall: "true", lead.DoNotContact: "true", lead.Revenue: "38000000"}
	for f, v := range want {
		if r.Get(f) != v {
			t.Errorf("%s = %q, want %q", f, r.Get(f), v)
		}
	}
	if r.Source != lead.Apollo || r.SourceID != "p1" || !r.SeenAt.Equal(now) || r.File != "" || r.Line != 0 {
		t.Errorf("record provenance %+v", r)
	}
	golden.JSON(t, "sheet.golden.json", recs)
}

func TestSheetRefusesColumnsOfAnotherProvider(t *testing.T) {
	t.Parallel()
	s := providers.NewSheet(lead.Lusha, []string{"ZoomInfo Contact ID", "Email Address", "First Name"})
	s.Add(map[string]string{"ZoomInfo Contact ID": "1", "Email Address": "a@b.example.com"})
	if _, _, err := s.Records(now); err == nil || !strings.Contains(err.Error(), "zoominfo") {
		t.Errorf("got %v, want an error saying the columns read as ZoomInfo's", err)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{`"a"`, `1e400`, `[1,[2]]`, `{"a":1}`, `null`, `-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v providers.Text
		if err := json.Unmarshal(data, &v); err == nil && !json.Valid(data) {
			t.Errorf("accepted invalid JSON %q", data)
		}
	})
}

func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{`{"message":"m"}`, `{"error":{"message":"x"}}`, `{"error":"e"}`,
		`{"errors":[{"id":"i"}]}`, `Invalid API key`, `{"error_message":"n"}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e := providers.ClassifyForTest(lead.Hunter, 400, nil, []byte(body), now)
		if e.StatusCode != 400 || e.Retryable || len(e.Message) > 310 {
			t.Errorf("classified %q as %+v", body, e)
		}
	})
}

func BenchmarkSheetRecords(b *testing.B) {
	cols := []string{"Apollo Person Id", "Apollo Account Id", "First Name", "Last Name", "Email", "Company Name",
		"Title", "City", "Annual Revenue", "Technologies"}
	rows := 0
	for b.Loop() {
		s := providers.NewSheet(lead.Apollo, cols)
		for i := range 100 {
			s.Add(map[string]string{"Apollo Person Id": fmt.Sprint(i), "First Name": "Dana", "Last Name": "Okafor",
				"Email": fmt.Sprintf("dana%d@brightkettle.example.com", i), "Company Name": "Bright Kettle",
				"Title": "CTO", "City": "Austin", "Annual Revenue": "38000000", "Technologies": "Azure, Veeam"})
		}
		recs, _, err := s.Records(now)
		if err != nil || len(recs) != 100 {
			b.Fatal(err)
		}
		rows += len(recs)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "records/s")
}
