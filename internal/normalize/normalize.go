// Package normalize cleans provider values and derives the keys that de-duplication matches on.
//
// Two forms come out of every value. The display form goes to HaloPSA: an e-mail address as
// received, phones in E.164 with their extension, names trimmed and cased, the company domain
// filled in. The match form is only compared: an e-mail key with Gmail's dot and plus rules,
// folded names with nicknames made canonical, a company key without legal suffixes, a
// registrable domain, a sorted title.
//
// Record and KeysOf work on one value at a time. A Normalizer does the same with a shared,
// bounded phone-parse cache and is safe for concurrent use; use one for bulk work.
package normalize

import (
	"errors"
	"slices"
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/safetext"
)

// Options configure a Normalizer.
type Options struct {
	// DefaultRegion is the region (ISO code or country name) for phone numbers of records with
	// neither a person nor an HQ country. Default "US".
	DefaultRegion string
	// PhoneCacheSize bounds the phone-parse cache (entries; each about 150 bytes), and its
	// memo of numbers' validity (8 entries of 16 bytes for each). 0 means 1<<21, enough for a
	// million records; negative disables both.
	PhoneCacheSize int
}

// Normalizer cleans records and derives match keys. It is safe for concurrent use.
type Normalizer struct {
	region string
	phones *PhoneCache
}

// New returns a Normalizer configured by opts.
func New(opts Options) *Normalizer {
	n := &Normalizer{region: Region(opts.DefaultRegion)}
	if n.region == "" {
		n.region = "US"
	}
	switch {
	case opts.PhoneCacheSize == 0:
		n.phones = NewPhoneCache(1 << 21)
	case opts.PhoneCacheSize > 0:
		n.phones = NewPhoneCache(opts.PhoneCacheSize)
	}
	return n
}

// Record returns r with cleaned display values, without a cache and with region US as the
// default; see Normalizer.Record.
func Record(r lead.Record) lead.Record {
	return New(Options{PhoneCacheSize: -1}).Record(r)
}

// KeysOf returns the match keys of v, without a cache; see Normalizer.Keys.
func KeysOf(v lead.Values) Keys {
	return New(Options{PhoneCacheSize: -1}).Keys(v)
}

// ParsePhone is the package's ParsePhone through the Normalizer's cache.
func (n *Normalizer) ParsePhone(raw, region string) (Phone, error) {
	return n.phones.Parse(raw, region)
}

// Record returns a copy of r with cleaned display values:
//   - every value trimmed; empty values removed;
//   - first and last names in NFC with single spaces, capitalised if they arrived in one case;
//   - the e-mail address lower-cased, without display name or "mailto:" (the design doc's
//     cleansing rule; internationalised local parts are accepted, RFC 6531); an address that
//     fails the syntax check (or Apollo's "email_not_unlocked@" placeholder) is removed, the
//     reason kept in lead.EmailInvalid (not for the placeholder: no address was given);
//   - a company name that arrived in capitals only proper-cased (see CleanCompany);
//   - phones in E.164 plus " ext. N", parsed with the person's country, else the HQ country,
//     else the default region; a phone that does not parse is kept as received;
//   - the domain as a registrable domain, filled from the website, else from a non-free-mail
//     address;
//   - compliance flags as "true" when truthy ("true", "yes", "y", "1"), removed otherwise.
//
// Normalising a normalised record changes nothing.
func (n *Normalizer) Record(r lead.Record) lead.Record {
	v := make(lead.Values, len(r.Values)+1)
	for f, val := range r.Values {
		if val = strings.TrimSpace(val); val != "" {
			v[f] = val
		}
	}
	cleanNames(v)
	cleanEmail(v)
	n.cleanPhones(v)
	cleanDomain(v)
	cleanFlags(v)
	neutralise(v)
	r.Values = v
	return r
}

func cleanNames(v lead.Values) {
	for _, f := range []lead.Field{lead.FirstName, lead.LastName} {
		if val, ok := v[f]; ok {
			v[f] = CleanName(val)
		}
	}
	if val, ok := v[lead.Company]; ok {
		v[lead.Company] = CleanCompany(val)
	}
}

func cleanEmail(v lead.Values) {
	raw, ok := v[lead.Email]
	if !ok {
		return
	}
	e, err := ParseEmail(raw)
	if err == nil {
		v[lead.Email] = strings.ToLower(e.Address)
		return
	}
	delete(v, lead.Email)
	var ee *EmailError
	if errors.As(err, &ee) && ee.Reason != "placeholder for an address not unlocked" {
		v[lead.EmailInvalid] = ee.Reason
	}
}

// phoneFields are the fields holding telephone numbers.
var phoneFields = []lead.Field{lead.PhoneDirect, lead.PhoneMobile, lead.PhoneCompany}

func (n *Normalizer) cleanPhones(v lead.Values) {
	region := n.regionOf(v)
	for _, f := range phoneFields {
		if raw, ok := v[f]; ok {
			if p, err := n.phones.Parse(raw, region); err == nil {
				v[f] = p.String() // validated now, so that scoring the lead finds it cached
			}
		}
	}
}

// regionOf picks the default phone region of a record.
func (n *Normalizer) regionOf(v lead.Values) string {
	for _, f := range []lead.Field{lead.PersonCountry, lead.HQCountry} {
		if r := Region(v[f]); r != "" {
			return r
		}
	}
	return n.region
}

func cleanDomain(v lead.Values) {
	for _, src := range []lead.Field{lead.Domain, lead.Website} {
		if raw, ok := v[src]; ok {
			if d, err := Domain(raw); err == nil {
				v[lead.Domain] = d
				return
			}
		}
	}
	delete(v, lead.Domain)
	if e, err := ParseEmail(v[lead.Email]); err == nil && !e.Free {
		if d, err := Domain(e.Domain); err == nil {
			v[lead.Domain] = d
		}
	}
}

// complianceFields are the opt-out flags.
var complianceFields = []lead.Field{lead.DoNotContact, lead.DoNotCall, lead.EmailOptOut}

func cleanFlags(v lead.Values) {
	for _, f := range complianceFields {
		if raw, ok := v[f]; ok {
			if Truthy(raw) {
				v[f] = "true"
			} else {
				delete(v, f)
			}
		}
	}
}

// Truthy reports whether a provider's boolean cell means yes.
func Truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "t", "x":
		return true
	}
	return false
}

// neutralise drops control characters and escape sequences from every value and neutralises
// spreadsheet formulas (safetext.Cell): values land in HaloPSA's text fields and in files.
// The e-mail address is left alone (cleanEmail refused one that starts like a formula), and so
// is a parsed phone number.
func neutralise(v lead.Values) {
	for f, val := range v {
		if f == lead.Email || (slices.Contains(phoneFields, f) && isE164(strings.SplitN(val, " ext. ", 2)[0])) {
			continue // a parsed phone ("+15125550199 ext. 12") runs nothing
		}
		if val = safetext.Cell(safetext.Terminal(val)); val == "" {
			delete(v, f)
			continue
		}
		v[f] = val
	}
}
