package providersandbox_test

import (
	"fmt"
	"net/http/httptest"

	"haloleads/internal/lead"
	"haloleads/internal/providersandbox"
)

// One httptest server serves all five providers; a client's base URL is the server URL plus
// the provider's prefix.
func ExampleNew() {
	sb := providersandbox.New(providersandbox.Options{Seed: 1, People: 50})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	for _, p := range lead.Providers {
		fmt.Println(p, providersandbox.Prefix(p))
	}
	fmt.Println(len(sb.People()), "people,", sb.Credits(lead.Apollo), "credits spent")
	// Output:
	// apollo /apollo/api/v1
	// zoominfo /zoominfo
	// hunter /hunter/v2
	// uplead /uplead/v2
	// lusha /lusha
	// 50 people, 0 credits spent
}
