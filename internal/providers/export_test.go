package providers

import (
	"net/http"
	"time"

	"haloleads/internal/lead"
)

// ClassifyForTest exposes classify to the external tests.
func ClassifyForTest(p lead.Source, status int, h http.Header, body []byte, now time.Time) *APIError {
	if h == nil {
		h = http.Header{}
	}
	return classify(p, &http.Response{StatusCode: status, Header: h}, body, now)
}
