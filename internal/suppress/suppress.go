// Package suppress provides the keys of the Do-Not-Contact list and the keyed hash they are
// stored under. A person is suppressed under every key haloleads holds for them: the e-mail
// address (in its match form: case, Gmail dots and "+tags" do not matter), each of their own
// phone numbers in E.164 form, their LinkedIn profile, the name-at-company identity, and, when
// asked, their company's domain. The store keeps only HMAC-SHA256 digests of these keys under a
// secret key (HALOLEADS_SUPPRESSION_KEY), so the list can be checked but not read back.
package suppress

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"haloleads/internal/dedupe"
	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// Kinds of suppression key: the text before the first colon of a key.
const (
	KindEmail    = "email"
	KindPhone    = "phone"
	KindLinkedIn = "linkedin"
	KindName     = "name"
	KindDomain   = "domain"
)

// Options choose the optional keys.
type Options struct {
	// Domain adds the company's domain: everyone at it is suppressed (a company that asked not
	// to be contacted at all). Free-mail domains are never added.
	Domain bool
}

// Keys returns the suppression keys of a person's values, sorted and unique. Raw and
// normalised values give the same keys: "Jane.Doe@ACME.com" and "jane.doe@acme.com", or
// "(415) 555-0123" and "+14155550123" (with the person's country), are one key.
func Keys(v lead.Values, opts Options) []string {
	k := normalize.KeysOf(v)
	var out []string
	if k.Email != "" {
		out = append(out, KindEmail+":"+k.Email)
	}
	for _, p := range k.Phones {
		out = append(out, KindPhone+":"+p)
	}
	if k.LinkedIn != "" {
		out = append(out, KindLinkedIn+":"+k.LinkedIn)
	}
	if n := dedupe.NameIdentity(k); n != "" {
		out = append(out, n)
	}
	if opts.Domain && k.Domain != "" && !normalize.IsFreeMailDomain(k.Domain) {
		out = append(out, KindDomain+":"+k.Domain)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ProviderKey is the key of a provider's own id of a person ("apollo:<person id>"): a pull
// checks it on search results, which carry no e-mail, before spending credits on them.
func ProviderKey(src lead.Source, id string) string {
	if id == "" {
		return ""
	}
	return string(src) + ":" + id
}

// Merge returns the sorted union of key lists.
func Merge(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// KindOf returns the kind of a key ("email" for "email:a@b.example"), or "" when it has none.
func KindOf(key string) string {
	kind, _, ok := strings.Cut(key, ":")
	if !ok {
		return ""
	}
	return kind
}

// Hasher computes the stored form of suppression keys: hex HMAC-SHA256 under a secret key.
// The zero value is not usable; build one with NewHasher.
type Hasher struct {
	secret []byte
}

// MinSecretLen is the shortest secret NewHasher accepts (128 bits).
const MinSecretLen = 16

// ErrShortSecret is returned by NewHasher for a secret shorter than MinSecretLen bytes.
var ErrShortSecret = errors.New("the suppression key must be at least 16 bytes")

// NewHasher returns a Hasher keyed with secret.
func NewHasher(secret []byte) (Hasher, error) {
	if len(secret) < MinSecretLen {
		return Hasher{}, ErrShortSecret
	}
	return Hasher{secret: slices.Clone(secret)}, nil
}

// Hash returns the stored form of key: 64 hex digits.
func (h Hasher) Hash(key string) string {
	m := hmac.New(sha256.New, h.secret)
	m.Write([]byte(key))
	return hex.EncodeToString(m.Sum(nil))
}

// Fingerprint identifies the secret without revealing it (the hash of a fixed label), so a
// store can tell that it is opened with the key its entries were hashed with.
func (h Hasher) Fingerprint() string {
	return h.Hash("haloleads suppression key fingerprint")[:16]
}

// IsDigest reports whether s has the stored form (64 lower-case hex digits) rather than a
// plaintext key, as lists from before hashing hold.
func IsDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ReasonErased is the suppression reason of a person erased with `starter forget`: an import
// drops them before staging or saving anything, where another suppressed person lands as Do Not
// Contact.
const ReasonErased = "erased"
