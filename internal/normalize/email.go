package normalize

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"haloleads/internal/safetext"
)

// Email is a parsed e-mail address: the address as received (for display) and the forms used
// for matching.
type Email struct {
	// Address is the address as received, trimmed and without any display name.
	Address string
	// Key is the match key: lower-case; for gmail.com and googlemail.com also without dots and
	// "+tag" in the local part, and with the domain gmail.com. Other providers keep dots and
	// tags, since only Gmail documents that they are ignored.
	Key string
	// Local and Domain are the lower-cased parts of the address (before Gmail rules).
	Local, Domain string
	// Free reports a free-mail provider (gmail.com, outlook.com, …): never a company domain.
	Free bool
	// Role reports a role address (info@, sales@, …): it never identifies one person.
	Role bool
}

// EmailError says why a string is not a usable e-mail address. It never holds the address.
type EmailError struct {
	Reason string
}

func (e *EmailError) Error() string { return "invalid email: " + e.Reason }

// apolloPlaceholder is the local part Apollo returns for addresses that are not unlocked.
const apolloPlaceholder = "email_not_unlocked"

// ParseEmail checks the syntax of raw (a bare address or `"Name" <address>`) and returns its
// match forms. Errors are *EmailError.
func ParseEmail(raw string) (Email, error) {
	addr := strings.TrimSpace(raw)
	if strings.ContainsAny(addr, "<>") {
		parsed, err := mail.ParseAddress(addr)
		if err != nil {
			return Email{}, &EmailError{Reason: "unparsable address with display name"}
		}
		addr = parsed.Address
	}
	addr = strings.TrimPrefix(addr, "mailto:")
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return Email{}, &EmailError{Reason: "no at sign"}
	}
	local, domain := strings.ToLower(addr[:at]), strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	if safetext.IsFormula(addr) {
		// Valid atext, but a spreadsheet would run it ("=cmd|'/C calc'!A0@x.example").
		return Email{}, &EmailError{Reason: "begins with a spreadsheet formula character"}
	}
	if err := checkLocal(local); err != nil {
		return Email{}, err
	}
	domain, err := asciiHost(domain)
	if err != nil {
		return Email{}, &EmailError{Reason: "domain: not a valid internationalised name"}
	}
	if reason := checkHost(domain); reason != "" {
		return Email{}, &EmailError{Reason: "domain: " + reason}
	}
	e := Email{Address: addr, Local: local, Domain: domain}
	e.Key = emailKey(local, domain)
	e.Free = freeMail[domain]
	e.Role = isRoleLocal(local)
	return e, nil
}

// EmailKey returns the match key of raw, or "" when raw is not a usable address.
func EmailKey(raw string) string {
	e, err := ParseEmail(raw)
	if err != nil {
		return ""
	}
	return e.Key
}

// emailKey applies the provider rules: Gmail ignores dots and "+tag", googlemail is gmail.
func emailKey(local, domain string) string {
	if domain != "gmail.com" && domain != "googlemail.com" {
		return local + "@" + domain
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return strings.ReplaceAll(local, ".", "") + "@gmail.com"
}

// checkLocal accepts the dot-atom form of RFC 5322 local parts (what providers export),
// extended by RFC 6531 to non-ASCII letters, marks and digits (josé@…, 用户@…).
func checkLocal(local string) error {
	switch {
	case local == "":
		return &EmailError{Reason: "empty local part"}
	case len(local) > 64:
		return &EmailError{Reason: "local part longer than 64"}
	case local == apolloPlaceholder:
		return &EmailError{Reason: "placeholder for an address not unlocked"}
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return &EmailError{Reason: "misplaced dot in local part"}
	}
	if !utf8.ValidString(local) {
		return &EmailError{Reason: "local part is not valid UTF-8"}
	}
	for _, r := range local {
		if r < utf8.RuneSelf {
			if !isAtext(byte(r)) && r != '.' {
				return &EmailError{Reason: "character not allowed in local part"}
			}
		} else if !unicode.In(r, unicode.L, unicode.M, unicode.N) {
			return &EmailError{Reason: "non-ASCII character that is not a letter or digit in local part"}
		}
	}
	return nil
}

func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+/=?^_`{|}~-", c) >= 0
}

// checkHost accepts lower-case LDH host names with at least two labels and an alphabetic (or
// punycode) top-level label. It returns why host is rejected, or "".
func checkHost(host string) string {
	if host == "" || len(host) > 253 {
		return "bad length"
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return "no top-level domain"
	}
	for _, l := range labels {
		if !validLabel(l) {
			return "bad label"
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 || (!strings.HasPrefix(tld, "xn--") && strings.Trim(tld, "abcdefghijklmnopqrstuvwxyz") != "") {
		return "bad top-level domain"
	}
	return ""
}

// asciiHost converts an internationalised host name to its lower-case ASCII (punycode) form.
func asciiHost(host string) (string, error) {
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			a, err := idna.Lookup.ToASCII(host)
			if err != nil {
				return "", fmt.Errorf("converting host to ASCII: %w", err)
			}
			return strings.ToLower(a), nil
		}
	}
	return host, nil
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// IsFreeMailDomain reports whether domain (lower-case) belongs to a free-mail provider.
func IsFreeMailDomain(domain string) bool { return freeMail[domain] }

// isRoleLocal reports a role mailbox: the local part, up to a "+tag", is a function, not a person.
func isRoleLocal(local string) bool {
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return roleLocals[local]
}

// freeMail lists consumer mailbox providers whose domain says nothing about an employer.
var freeMail = setOf(
	"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.es",
	"yahoo.it", "yahoo.ca", "yahoo.com.au", "yahoo.co.in", "yahoo.co.jp", "ymail.com",
	"rocketmail.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it",
	"hotmail.es", "outlook.com", "outlook.fr", "outlook.de", "live.com", "live.co.uk", "live.fr",
	"live.nl", "msn.com", "passport.com", "aol.com", "aim.com", "icloud.com", "me.com", "mac.com",
	"protonmail.com", "proton.me", "pm.me", "tutanota.com", "tuta.io", "zoho.com", "zohomail.com",
	"yandex.com", "yandex.ru", "mail.ru", "gmx.com", "gmx.de", "gmx.net", "gmx.at", "web.de",
	"t-online.de", "freenet.de", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr",
	"libero.it", "virgilio.it", "btinternet.com", "sky.com", "talktalk.net", "virginmedia.com",
	"ntlworld.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net",
	"cox.net", "charter.net", "earthlink.net", "optonline.net", "shaw.ca", "rogers.com",
	"sympatico.ca", "bigpond.com", "bigpond.net.au", "optusnet.com.au", "xtra.co.nz", "qq.com",
	"163.com", "126.com", "sina.com", "naver.com", "hanmail.net", "rediffmail.com", "fastmail.com",
	"fastmail.fm", "hey.com", "hushmail.com", "mail.com", "email.com", "inbox.com", "seznam.cz",
	"wp.pl", "o2.pl", "onet.pl", "interia.pl", "bluewin.ch", "telenet.be", "skynet.be", "ziggo.nl",
	"kpnmail.nl", "terra.com.br", "uol.com.br", "bol.com.br",
)

// roleLocals lists local parts that name a function or a shared mailbox.
var roleLocals = setOf(
	"info", "sales", "admin", "administrator", "support", "help", "helpdesk", "noreply",
	"no-reply", "donotreply", "do-not-reply", "contact", "contactus", "hello", "hi", "office",
	"enquiries", "enquiry", "inquiries", "inquiry", "billing", "accounts", "accounting", "finance",
	"invoices", "hr", "jobs", "careers", "recruiting", "recruitment", "marketing", "team", "service",
	"services", "customerservice", "webmaster", "postmaster", "hostmaster", "abuse", "security",
	"privacy", "legal", "compliance", "reception", "mail", "email", "feedback", "press", "media",
	"pr", "news", "newsletter", "orders", "order", "bookings", "reservations", "it", "ops", "dev",
	"general", "all", "staff", "operations", "purchasing", "procurement", "partners",
)

func setOf(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}
