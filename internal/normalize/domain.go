package normalize

import (
	"fmt"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// DomainError says why a website, host or e-mail address has no registrable domain.
type DomainError struct {
	Reason string
}

func (e *DomainError) Error() string { return "no registrable domain: " + e.Reason }

// Domain returns the registrable domain (eTLD+1, lower-case, ASCII) of a website URL, a bare host
// name or an e-mail address: "https://www.Acme.co.uk:8443/about" and "jane@mail.acme.co.uk" both
// give "acme.co.uk". Errors are *DomainError.
func Domain(raw string) (string, error) {
	host := hostOf(raw)
	if host == "" {
		return "", &DomainError{Reason: "no host"}
	}
	host, err := asciiHost(host)
	if err != nil {
		return "", &DomainError{Reason: "host is not a valid internationalised name"}
	}
	if reason := checkHost(host); reason != "" {
		return "", &DomainError{Reason: reason}
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return "", &DomainError{Reason: fmt.Sprintf("public suffix lookup: %v", err)}
	}
	return documentationDomain(host, d), nil
}

// documentationDomains are the second-level names reserved for examples (RFC 2606). Nobody owns a
// company under them, so made-up data (samples, tests, the sandboxes) names companies one label
// deeper: acme.example.com and zenith.example.com are two companies, not one.
var documentationDomains = map[string]bool{"example.com": true, "example.net": true, "example.org": true}

// documentationDomain treats a reserved documentation domain as a public suffix.
func documentationDomain(host, registrable string) string {
	if !documentationDomains[registrable] || host == registrable {
		return registrable
	}
	rest := strings.TrimSuffix(host, "."+registrable)
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[i+1:]
	}
	return rest + "." + registrable
}

// hostOf strips scheme, user info, path, query, fragment, port, "www." and a trailing dot.
func hostOf(raw string) string {
	s := strings.ToLower(strings.TrimSpace(raw))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#\\ "); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".")
	for _, p := range []string{"www.", "www2.", "www3."} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}
