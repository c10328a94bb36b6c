package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"haloleads/internal/webhook"
)

// ExampleNewHandler serves a HaloPSA status-change delivery, its replay, and a delivery the
// dispatcher cannot take yet.
func ExampleNewHandler() {
	temporalUp := true
	d := webhook.DispatcherFunc(func(_ context.Context, e webhook.Event) error {
		if !temporalUp {
			return webhook.Retryable(errors.New("temporal frontend unavailable"))
		}
		fmt.Printf("dispatch %s: ticket %d now status %d\n", e.Name, e.TicketID, e.StatusID)
		return nil
	})
	h := webhook.NewHandler(webhook.Config{User: "halo", Password: "a-long-random-secret"}, d, nil)

	deliver := func(body string) int {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/halo", strings.NewReader(body))
		r.SetBasicAuth("halo", "a-long-random-secret")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	status := `{"id":"5f0c2a9e","webhook_id":"0e4b7f2a","event":"ticket status changed","object_id":4242,` +
		`"timestamp":"2026-09-25T06:41:08.7895915Z","ticket":{"id":4242,"status_id":9,"tickettype_id":25}}`
	fmt.Println("first delivery:", deliver(status))
	fmt.Println("replay:", deliver(status))
	temporalUp = false
	fmt.Println("while Temporal is down:", deliver(strings.Replace(status, "5f0c2a9e", "6a1d3b0f", 1)))
	// Output:
	// dispatch ticket status changed: ticket 4242 now status 9
	// first delivery: 200
	// replay: 200
	// while Temporal is down: 503
}
