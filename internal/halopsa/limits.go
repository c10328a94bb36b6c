package halopsa

// TextLimit is the longest value, in characters, HaloPSA keeps in a text field haloleads writes
// (resource as its API path names it: "Users", "Client", "Site", "Tickets"), or 0 when there
// is no known limit. HaloPSA publishes no field sizes (its swagger gives none for these
// resources); these are the column sizes the sandbox enforces too, so a value past them is
// refused before landing rather than by a 400 that fails its whole batch.
func TextLimit(resource, field string) int {
	switch resource + "." + field {
	case "Users.firstname", "Users.surname":
		return 100
	case "Users.phonenumber", "Users.mobilenumber":
		return 50
	case "Users.name", "Users.emailaddress", "Users.title", "Client.name", "Client.website", "Site.name", "Tickets.summary":
		return 255
	}
	return 0
}

// LimitedFields lists the fields TextLimit knows, by resource.
func LimitedFields() map[string][]string {
	return map[string][]string{
		"Users":   {"name", "firstname", "surname", "emailaddress", "phonenumber", "mobilenumber", "title"},
		"Client":  {"name", "website"},
		"Site":    {"name"},
		"Tickets": {"summary"},
	}
}
