package halopsa_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"haloleads/internal/halopsa"
)

// TestTextLimitsMatchTheSandbox saves, for every field TextLimit knows, a value as long as the
// limit (it lands) and one character longer (the sandbox refuses it with a 400): the limits the
// import checks before landing are the ones the sandbox enforces.
func TestTextLimitsMatchTheSandbox(t *testing.T) {
	t.Parallel()
	c := unlimitedSandbox(t)
	ctx := context.Background()
	clients, err := c.SaveCustomers(ctx, []halopsa.Customer{{Name: "Limits Ltd"}})
	if err != nil {
		t.Fatal(err)
	}
	sites, err := c.SaveSites(ctx, []halopsa.Site{{Name: "Main", ClientID: clients[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	types, err := c.TicketTypes(ctx)
	if err != nil || len(types) == 0 {
		t.Fatalf("ticket types: %v", err)
	}
	save := func(resource, field, v string) error {
		switch resource {
		case "Users":
			u := halopsa.User{FirstName: "Ann", Surname: "Lee", SiteID: sites[0].ID}
			*map[string]*string{"name": &u.Name, "firstname": &u.FirstName, "surname": &u.Surname, "emailaddress": &u.EmailAddress,
				"phonenumber": &u.PhoneNumber, "mobilenumber": &u.MobileNumber, "title": &u.Title}[field] = v
			_, err := c.SaveUsers(ctx, []halopsa.User{u})
			return err
		case "Client":
			cu := halopsa.Customer{Name: "Other Ltd"}
			*map[string]*string{"name": &cu.Name, "website": &cu.Website}[field] = v
			_, err := c.SaveCustomers(ctx, []halopsa.Customer{cu})
			return err
		case "Site":
			_, err := c.SaveSites(ctx, []halopsa.Site{{Name: v, ClientID: clients[0].ID}})
			return err
		case "Tickets":
			_, err := c.SaveTickets(ctx, []halopsa.Ticket{{Summary: v, TicketTypeID: types[0].ID, ClientID: clients[0].ID, SiteID: sites[0].ID}})
			return err
		}
		t.Fatalf("no saver for %s", resource)
		return nil
	}
	for resource, fields := range halopsa.LimitedFields() {
		for _, field := range fields {
			n := halopsa.TextLimit(resource, field)
			if n == 0 {
				t.Errorf("%s.%s is listed without a limit", resource, field)
				continue
			}
			if err := save(resource, field, strings.Repeat("é", n)); err != nil {
				t.Errorf("%s.%s of %d characters refused: %v", resource, field, n, err)
			}
			err := save(resource, field, strings.Repeat("é", n+1))
			var ae *halopsa.APIError
			if !errors.As(err, &ae) || ae.StatusCode != 400 {
				t.Errorf("%s.%s of %d characters: %v, want a 400", resource, field, n+1, err)
			}
		}
	}
}
