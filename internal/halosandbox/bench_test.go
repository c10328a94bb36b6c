package halosandbox

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkPostTicket measures creating one ticket with a custom field through the handler.
func BenchmarkPostTicket(b *testing.B) {
	sb, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	tok := issueDirect(b, sb)
	post(b, sb, tok, "/api/FieldInfo", `[{"name":"CFScore"}]`)
	body := []byte(`[{"summary":"Lead","tickettype_id":1,"customfields":[{"id":1,"value":"87"}]}]`)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		post(b, sb, tok, "/api/Tickets", string(body))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkListTicketsPage measures a 100-row page of a 5,000-ticket tenant.
func BenchmarkListTicketsPage(b *testing.B) {
	sb, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	tok := issueDirect(b, sb)
	var buf bytes.Buffer
	buf.WriteString("[")
	for i := range 5000 {
		if i > 0 {
			buf.WriteString(",")
		}
		fmt.Fprintf(&buf, `{"summary":"Lead %d","tickettype_id":%d}`, i, 1+i%4)
	}
	buf.WriteString("]")
	post(b, sb, tok, "/api/Tickets", buf.String())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/api/Tickets?requesttype_id=2&pageinate=true&page_size=100&page_no=3", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("list: %d", rec.Code)
		}
	}
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "rows/s")
}

// post sends one POST through the handler and fails unless it created something.
func post(tb testing.TB, sb *Server, tok, path, body string) {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		tb.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body)
	}
}
