package halopsa_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
)

// A client is built once per tenant; every client of the tenant shares one rate-limit budget
// through the Limiters registry.
func Example() {
	sb, _ := halosandbox.New(halosandbox.Options{})
	srv := httptest.NewServer(sb)
	defer srv.Close()

	var limiters halopsa.Limiters // one per process, passed to every Config
	c, err := halopsa.New(halopsa.Config{
		BaseURL: srv.URL, Tenant: halosandbox.DefaultTenant,
		ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret,
		Limiters: &limiters,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	customers, _ := c.SaveCustomers(ctx, []halopsa.Customer{{Name: "Acme"}})
	sites, _ := c.SaveSites(ctx, []halopsa.Site{{Name: "Main", ClientID: customers[0].ID}})
	users, err := c.SaveUsers(ctx, []halopsa.User{
		{Name: "Jane Doe", EmailAddress: "jane@acme.example", ClientID: customers[0].ID, SiteID: sites[0].ID},
		{Name: "John Roe", EmailAddress: "john@acme.example", ClientID: customers[0].ID, SiteID: sites[0].ID},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range users {
		fmt.Println(u.EmailAddress, u.ID > 0)
	}
	n := 0
	for _, err := range c.Users(ctx, halopsa.UserQuery{ClientID: customers[0].ID}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		n++
	}
	fmt.Println("listed", n, "users with", c.WriteRequests(), "writes")
	// Output:
	// jane@acme.example true
	// john@acme.example true
	// listed 2 users with 3 writes
}
