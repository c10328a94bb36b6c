package bench

import (
	"context"
	"fmt"

	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/tenant"
)

// prefillClients is the number of clients the prefilled people work at.
const prefillClients = 100

// prefill gives the sandbox tenant n existing people who are not in the benchmark's input: n
// users at prefillClients clients, each with a ticket of the Lead type, as a tenant that has
// used HaloPSA for years holds. It writes through the API with the budget lifted (the set-up is
// not measured) and restores it afterwards.
func (w *tenantWorld) prefill(ctx context.Context, cfg Config, url string, n int) error {
	if n <= 0 {
		return nil
	}
	w.sandbox.SetRateLimit(-1, cfg.Window)
	defer w.sandbox.SetRateLimit(cfg.Limit, cfg.Window)
	c, err := halopsa.New(halopsa.Config{BaseURL: url, ClientID: halosandbox.DefaultClientID,
		ClientSecret: halosandbox.DefaultClientSecret, RateLimit: 1 << 30})
	if err != nil {
		return fmt.Errorf("building the prefill client: %w", err)
	}
	customers := make([]halopsa.Customer, prefillClients)
	for i := range customers {
		customers[i] = halopsa.Customer{Name: fmt.Sprintf("Prefill Holdings %03d", i)}
	}
	saved, err := c.SaveCustomers(ctx, customers)
	if err != nil {
		return fmt.Errorf("prefilling clients: %w", err)
	}
	sites := make([]halopsa.Site, len(saved))
	for i, cl := range saved {
		sites[i] = halopsa.Site{Name: "Main", ClientID: cl.ID}
	}
	savedSites, err := c.SaveSites(ctx, sites)
	if err != nil {
		return fmt.Errorf("prefilling sites: %w", err)
	}
	for i := range saved {
		saved[i].MainSiteID = savedSites[i].ID
	}
	for start := 0; start < n; start += 100 {
		if err := w.prefillPeople(ctx, c, saved, start, min(start+100, n)); err != nil {
			return err
		}
	}
	return nil
}

// prefillPeople writes people [from, to) and their tickets, in one array POST each.
func (w *tenantWorld) prefillPeople(ctx context.Context, c *halopsa.Client, clients []halopsa.Customer, from, to int) error {
	users := make([]halopsa.User, 0, to-from)
	for i := from; i < to; i++ {
		cl := clients[i%len(clients)]
		users = append(users, halopsa.User{Name: fmt.Sprintf("Prefill Person %d", i), FirstName: "Prefill",
			Surname: fmt.Sprintf("Person%d", i), EmailAddress: fmt.Sprintf("person%d@prefill-%03d.example.org", i, i%len(clients)),
			ClientID: cl.ID, SiteID: cl.MainSiteID})
	}
	saved, err := c.SaveUsers(ctx, users)
	if err != nil {
		return fmt.Errorf("prefilling users: %w", err)
	}
	tickets := make([]halopsa.Ticket, len(saved))
	for i, u := range saved {
		tickets[i] = halopsa.Ticket{Summary: "Lead: " + u.Name, TicketTypeID: w.result.TicketTypes[tenant.Lead],
			ClientID: u.ClientID, SiteID: u.SiteID, UserID: u.ID}
	}
	if _, err := c.SaveTickets(ctx, tickets); err != nil {
		return fmt.Errorf("prefilling tickets: %w", err)
	}
	return nil
}
