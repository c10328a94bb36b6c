package landing

import (
	"fmt"
	"unicode/utf8"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
)

// TooLong says, one phrase per value, which of a lead's values HaloPSA would refuse as longer
// than its field takes (halopsa.TextLimit), as the user and client records built from them carry
// them. A refused value fails its whole array POST, so the import rejects such a row instead.
func TooLong(v lead.Values) []string {
	u, c := User(0, 0, 0, v), Customer(v)
	checks := []struct{ label, resource, field, value string }{
		{"first name", "Users", "firstname", u.FirstName},
		{"last name", "Users", "surname", u.Surname},
		{"name", "Users", "name", u.Name},
		{"e-mail address", "Users", "emailaddress", u.EmailAddress},
		{"phone number", "Users", "phonenumber", u.PhoneNumber},
		{"mobile number", "Users", "mobilenumber", u.MobileNumber},
		{"job title", "Users", "title", u.Title},
		{"company name", "Client", "name", c.Name},
		{"website", "Client", "website", c.Website},
	}
	var out []string
	for _, ch := range checks {
		if n, limit := utf8.RuneCountInString(ch.value), halopsa.TextLimit(ch.resource, ch.field); limit > 0 && n > limit {
			out = append(out, fmt.Sprintf("%s is %d characters long, HaloPSA takes at most %d", ch.label, n, limit))
		}
	}
	return out
}

// clip cuts s to HaloPSA's limit for resource.field, in characters.
func clip(s, resource, field string) string {
	limit := halopsa.TextLimit(resource, field)
	if limit == 0 || utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit-1]) + "…"
}
