package halosandbox

import (
	"net/http"
	"unicode/utf8"
)

// textLimit is the size of a text column, in characters (0: unlimited), for the fields a lead
// pipeline writes. Real HaloPSA publishes no sizes; the sandbox refuses longer values with a 400
// that names no record, as a database column would, so that clients learn to check first.
func textLimit(store, field string) int {
	switch store + "." + field {
	case "users.firstname", "users.surname":
		return 100
	case "users.phonenumber", "users.mobilenumber":
		return 50
	case "users.name", "users.emailaddress", "users.title", "clients.name", "clients.website", "sites.name", "tickets.summary":
		return 255
	}
	return 0
}

// checkLengths refuses a record holding a text value longer than its column.
func checkLengths(res *resource, rec Record) error {
	for _, field := range []string{"name", "firstname", "surname", "emailaddress", "phonenumber", "mobilenumber", "title", "website", "summary"} {
		s, ok := rec[field].(string)
		if !ok {
			continue
		}
		if n := textLimit(res.store, field); n > 0 && utf8.RuneCountInString(s) > n {
			return errorf(http.StatusBadRequest, "The %s's %s is too long: at most %d characters", res.single, field, n)
		}
	}
	return nil
}
