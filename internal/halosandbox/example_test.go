package halosandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"haloleads/internal/halosandbox"
)

// Example runs the sandbox under httptest, gets a token and creates a client.
func Example() {
	sb, err := halosandbox.New(halosandbox.Options{})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()

	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {halosandbox.DefaultClientID},
		"client_secret": {halosandbox.DefaultClientSecret}, "scope": {"all"}}
	resp, err := http.PostForm(srv.URL+"/auth/token", form)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("token:", resp.StatusCode)

	// (A real client decodes access_token; the sandbox's Tickets/Users/Customers helpers let a
	// test read the state directly.)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/client", strings.NewReader(`[{"name":"Acme Ltd"}]`))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Println("without a bearer token:", resp.StatusCode)
	fmt.Println("clients:", len(sb.Customers()))
	// Output:
	// token: 200
	// without a bearer token: 401
	// clients: 0
}
