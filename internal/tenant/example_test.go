package tenant_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/tenant"
)

// Apply sets a tenant up; Plan then finds nothing left to do (what `starter setup --check`
// prints).
func ExampleApply() {
	sb, _ := halosandbox.New(halosandbox.Options{})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	c, _ := halopsa.New(halopsa.Config{BaseURL: srv.URL, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret})
	ctx := context.Background()

	spec := tenant.DefaultSpec()
	spec.TicketTypes[0].Name = "Sales Lead" // names are configurable; keys are not
	res, err := tenant.Apply(ctx, c, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	id, _ := res.StatusID(tenant.Lead, "New Lead")
	fmt.Println("lead type set up:", res.TicketTypes[tenant.Lead] > 0, "initial status:", id > 0)

	diff, _ := tenant.Plan(ctx, c, spec)
	fmt.Print(diff)
	again, _ := tenant.Apply(ctx, c, spec)
	fmt.Println("writes on the second run:", again.Writes)
	// Output:
	// lead type set up: true initial status: true
	// HaloPSA tenant is set up for haloleads: no changes needed.
	// writes on the second run: 0
}
