package normalize

import (
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Phone is a parsed telephone number.
type Phone struct {
	// E164 is the number in E.164 form ("+14155552671"), without extension.
	E164 string
	// Extension is the extension, if any ("123").
	Extension string
	// Valid reports whether the number is valid for its region (not only well-formed).
	Valid bool
}

// String returns the display form: E.164, then " ext. N" when there is an extension.
func (p Phone) String() string {
	if p.Extension == "" {
		return p.E164
	}
	return p.E164 + " ext. " + p.Extension
}

// PhoneError says why a string is not a telephone number. It never holds the number.
type PhoneError struct {
	Reason string
}

func (e *PhoneError) Error() string { return "invalid phone number: " + e.Reason }

// ParsePhone parses raw with region (an ISO 3166 code, a country name or "") as the default
// region for numbers written without a country code. Errors are *PhoneError.
func ParsePhone(raw, region string) (Phone, error) {
	return parsePhone(raw, region, true)
}

// parsePhone is ParsePhone; without validate it leaves Valid false and saves the validity
// check, which costs about as much as the parse.
func parsePhone(raw, region string, validate bool) (Phone, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Phone{}, &PhoneError{Reason: "empty"}
	}
	code := Region(region)
	if code == "" {
		code = "ZZ" // unknown region: only numbers with a country code parse
	}
	num, err := phonenumbers.Parse(raw, code)
	if err != nil {
		return Phone{}, &PhoneError{Reason: phoneReason(err)}
	}
	return Phone{
		E164:      phonenumbers.Format(num, phonenumbers.E164),
		Extension: num.GetExtension(),
		Valid:     validate && phonenumbers.IsValidNumber(num),
	}, nil
}

func phoneReason(err error) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "no country code and no known default region"
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return "not a number"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "too short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "too long"
	}
	return fmt.Sprintf("unparsable (%v)", err)
}

// PhoneCache memoises ParsePhone by raw string and region (see cacheKey: "(415) 256-2671" and
// "415.256.2671" share an entry): parsing is the slowest step of normalisation (about 25 µs a
// number) and providers repeat the same numbers in a few formats. It is
// safe for concurrent use and bounded: each of its shards keeps two generations of at most
// capacity/(2·shards) entries and drops the older generation when the newer one is full, so
// entries used since the last turn survive.
type PhoneCache struct {
	seed   maphash.Seed
	shards []phoneShard
	limit  int // entries per generation per shard
	// valid memoises the validity of parsed numbers by their E.164 digits, in 16 bytes an
	// entry rather than a string entry's 150: checking validity costs as much as the parse,
	// and merged leads ask for it again on numbers normalised long before (see validity).
	valid      []validShard
	validLimit int
}

// shard is one shard of a two-generation cache: entries go into cur, and when cur is full it
// becomes older (dropping the previous older); a hit in older moves back into cur.
type shard[K comparable, V any] struct {
	mu         sync.Mutex
	cur, older map[K]V
}

// phoneShard caches parse results by raw input; validShard (PhoneCache.valid) caches a
// number's validity by its E.164 digits.
type (
	phoneShard = shard[string, phoneResult]
	validShard = shard[uint64, bool]
)

type phoneResult struct {
	phone     Phone
	err       error
	validated bool // phone.Valid has been computed
}

const phoneShards = 64

// validPerEntry is how many validity entries PhoneCache keeps for each string entry: about
// the same memory again.
const validPerEntry = 8

// NewPhoneCache returns a cache that holds at most capacity entries (at least 2·64), and the
// validity of at most validPerEntry·capacity numbers.
func NewPhoneCache(capacity int) *PhoneCache {
	limit := max(capacity/(2*phoneShards), 1)
	c := &PhoneCache{seed: maphash.MakeSeed(), shards: make([]phoneShard, phoneShards), limit: limit,
		valid: make([]validShard, phoneShards), validLimit: validPerEntry * limit}
	for i := range c.shards {
		c.shards[i].cur = make(map[string]phoneResult)
		c.valid[i].cur = make(map[uint64]bool)
	}
	return c
}

// Parse is ParsePhone through the cache. A nil cache parses directly. A number written with
// "+" is cached without its region (which does not apply to it), and each parsed number is
// also cached under its display form, so that reading normalised values back costs no parse.
func (c *PhoneCache) Parse(raw, region string) (Phone, error) {
	return c.parse(raw, region, true)
}

// parse looks raw up and parses it on a miss. Without validate, Phone.Valid is not computed
// (and not meaningful): normalisation needs only the E.164 form.
func (c *PhoneCache) parse(raw, region string, validate bool) (Phone, error) {
	if c == nil {
		return parsePhone(raw, region, validate)
	}
	if validate {
		if p, ok := c.validity(raw); ok {
			return p, nil
		}
	}
	key := cacheKey(raw, region)
	r, ok := c.shard(key).get(key, c.limit)
	if ok && (r.validated || !validate || r.err != nil) {
		return r.phone, r.err
	}
	p, err := parsePhone(raw, region, validate)
	res := phoneResult{p, err, validate}
	c.shard(key).put(key, res, c.limit)
	if display := cacheKey(p.String(), ""); err == nil && display != key {
		c.shard(display).put(display, res, c.limit)
	}
	if n, ok := e164Digits(p.String()); ok && err == nil && validate {
		c.valid[n%phoneShards].put(n, p.Valid, c.validLimit)
	}
	return p, err
}

// validity answers a display form without extension ("+14155552671") from the validity memo:
// such a number parses to itself, as the string cache's display-form entries assume.
func (c *PhoneCache) validity(raw string) (Phone, bool) {
	raw = strings.TrimSpace(raw)
	n, ok := e164Digits(raw)
	if !ok {
		return Phone{}, false
	}
	valid, ok := c.valid[n%phoneShards].get(n, c.validLimit)
	return Phone{E164: raw, Valid: valid}, ok
}

// e164Digits returns the number of an E.164 string ("+" and 8 to 15 digits, no leading zero),
// which fits in a uint64 and identifies it: without a leading zero, no two such strings have
// the same digits.
func e164Digits(s string) (uint64, bool) {
	if !isE164(s) {
		return 0, false
	}
	var n uint64
	for i := 1; i < len(s); i++ {
		n = n*10 + uint64(s[i]-'0')
	}
	return n, true
}

// cacheKey is region, a 0 byte and raw, where a number written with "+" drops its region
// (which does not apply to it) and a number written only with digits and the usual separators
// (space . - ( ) /) keeps only its digits: libphonenumber reads "(415) 256-2671" and
// "415.256.2671" alike, so they share one entry.
func cacheKey(raw, region string) string {
	raw = strings.TrimSpace(raw)
	plus := strings.HasPrefix(raw, "+")
	if plus {
		region, raw = "", raw[1:]
	}
	digits := make([]byte, 0, len(raw)+1)
	if plus {
		digits = append(digits, '+')
	}
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '/':
		default: // letters, extensions, other scripts: keep the string as it is
			if plus {
				return "\x00+" + raw
			}
			return region + "\x00" + raw
		}
	}
	return region + "\x00" + string(digits)
}

func (c *PhoneCache) shard(key string) *phoneShard {
	return &c.shards[maphash.String(c.seed, key)%phoneShards]
}

// Len returns the number of cached entries.
func (c *PhoneCache) Len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		n += len(sh.cur) + len(sh.older)
		sh.mu.Unlock()
	}
	return n
}

// get looks key up in both generations and moves a hit from the older one into the newer one.
func (sh *shard[K, V]) get(key K, limit int) (V, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if v, ok := sh.cur[key]; ok {
		return v, true
	}
	v, ok := sh.older[key]
	if ok {
		sh.store(key, v, limit)
	}
	return v, ok
}

func (sh *shard[K, V]) put(key K, v V, limit int) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.store(key, v, limit)
}

// store adds to the newer generation, first turning generations over when it is full.
func (sh *shard[K, V]) store(key K, v V, limit int) {
	if len(sh.cur) >= limit {
		sh.older, sh.cur = sh.cur, make(map[K]V, limit)
	}
	sh.cur[key] = v
}
