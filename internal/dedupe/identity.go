package dedupe

import (
	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// Identity key prefixes.
const (
	emailPrefix = "email:"
	namePrefix  = "name:"
)

// EmailIdentity returns "email:<e-mail key>", or "" when there is no address or it is a role
// address (a role mailbox never identifies one person).
func EmailIdentity(k normalize.Keys) string {
	if k.Email == "" || k.EmailRole {
		return ""
	}
	return emailPrefix + k.Email
}

// NameIdentity returns "name:<company domain>|<canonical first> <last>" (nicknames made
// canonical: Bob and Robert give the same key), or "" without domain, first or last name.
func NameIdentity(k normalize.Keys) string {
	if k.Domain == "" || k.FirstCanon == "" || k.Last == "" {
		return ""
	}
	return namePrefix + k.Domain + "|" + k.FirstCanon + " " + k.Last
}

// IdentityKeys returns the identity keys of v: its e-mail key first, then its name key.
// Phone numbers are never identity keys (switchboards are shared).
func IdentityKeys(v lead.Values) []string {
	return identityKeys(normalize.KeysOf(v))
}

func identityKeys(k normalize.Keys) []string {
	var keys []string
	for _, key := range []string{EmailIdentity(k), NameIdentity(k)} {
		if key != "" {
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 && mailboxOnly(k) {
		// A role mailbox (info@, sales@) with no person behind it is a contact of its own:
		// one lead per mailbox, whichever provider lists it.
		keys = append(keys, emailPrefix+k.Email)
	}
	return keys
}

// mailboxOnly reports whether k is a role address with no person's name.
func mailboxOnly(k normalize.Keys) bool {
	return k.Email != "" && k.EmailRole && k.First == "" && k.Last == ""
}
