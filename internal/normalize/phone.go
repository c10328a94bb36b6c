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
}

type phoneShard struct {
	mu         sync.Mutex
	cur, older map[string]phoneResult
}

type phoneResult struct {
	phone     Phone
	err       error
	validated bool // phone.Valid has been computed
}

const phoneShards = 64

// NewPhoneCache returns a cache that holds at most capacity entries (at least 2·64).
func NewPhoneCache(capacity int) *PhoneCache {
	limit := max(capacity/(2*phoneShards), 1)
	c := &PhoneCache{seed: maphash.MakeSeed(), shards: make([]phoneShard, phoneShards), limit: limit}
	for i := range c.shards {
		c.shards[i].cur = make(map[string]phoneResult)
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
	return p, err
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
func (sh *phoneShard) get(key string, limit int) (phoneResult, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if r, ok := sh.cur[key]; ok {
		return r, true
	}
	r, ok := sh.older[key]
	if ok {
		sh.store(key, r, limit)
	}
	return r, ok
}

func (sh *phoneShard) put(key string, r phoneResult, limit int) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.store(key, r, limit)
}

// store adds to the newer generation, first turning generations over when it is full.
func (sh *phoneShard) store(key string, r phoneResult, limit int) {
	if len(sh.cur) >= limit {
		sh.older, sh.cur = sh.cur, make(map[string]phoneResult, limit)
	}
	sh.cur[key] = r
}
