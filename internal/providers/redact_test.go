package providers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// TestErrorBodiesAreRedacted: a provider whose error body echoes the request (headers and
// query, as some do) gives an error that holds neither the key nor the token.
func TestErrorBodiesAreRedacted(t *testing.T) {
	t.Parallel()
	const key, query = "CANARY-provider-key-7f3a9c", "CANARYqueryKEY0042"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid key `+r.Header.Get("X-Api-Key")+` for `+r.URL.String()+`"}`)
	}))
	defer srv.Close()
	d := &providers.Doer{Provider: lead.Apollo, BaseURL: srv.URL, MaxRetries: -1,
		Authorize: func(_ context.Context, r *http.Request) error { r.Header.Set("X-Api-Key", key); return nil }}
	_, err := d.Do(context.Background(), providers.Request{Op: "people/search", Method: http.MethodGet, Path: "/people",
		Query: map[string][]string{"api_key": {query}}}, nil)
	if err == nil {
		t.Fatal("no error")
	}
	var ae *providers.APIError
	for _, s := range []string{err.Error(), func() string {
		if errorsAs(err, &ae) {
			return ae.Message
		}
		return ""
	}()} {
		if strings.Contains(s, key) || strings.Contains(s, query) {
			t.Errorf("the error holds a credential: %s", s)
		}
	}
}

func errorsAs(err error, target **providers.APIError) bool {
	for e := err; e != nil; {
		if a, ok := e.(*providers.APIError); ok {
			*target = a
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}
