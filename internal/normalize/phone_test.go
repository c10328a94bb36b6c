package normalize

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestParsePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, region, e164, ext string
		valid                  bool
	}{
		{"(415) 555-2671", "US", "+14155552671", "", true},
		{"(415) 256-2671", "United States", "+14152562671", "", true},
		{"415.256.2671 x123", "USA", "+14152562671", "123", true},
		{"+1 415-256-2671 ext. 45", "", "+14152562671", "45", true},
		{"06 12 34 56 78", "France", "+33612345678", "", true},
		{"06 12 34 56 78", "FR", "+33612345678", "", true},
		{"1-800-FLOWERS", "US", "+18003569377", "", true},
		{"020 7946 0958", "UK", "+442079460958", "", true},
		{"+44 20 7946 0958", "Germany", "+442079460958", "", true},
		{"030 12345678", "Deutschland", "+493012345678", "", true},
		{"+61 2 9876 5432", "", "+61298765432", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw+"/"+tt.region, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePhone(tt.raw, tt.region)
			if err != nil {
				t.Fatalf("ParsePhone: %v", err)
			}
			if p.E164 != tt.e164 || p.Extension != tt.ext || p.Valid != tt.valid {
				t.Errorf("got %+v (valid %v), want %s ext %q valid %v", p, p.Valid, tt.e164, tt.ext, tt.valid)
			}
		})
	}
}

func TestPhoneString(t *testing.T) {
	t.Parallel()
	if got := (Phone{E164: "+14152562671", Extension: "12"}).String(); got != "+14152562671 ext. 12" {
		t.Errorf("String() = %q", got)
	}
	if got := (Phone{E164: "+14152562671"}).String(); got != "+14152562671" {
		t.Errorf("String() = %q", got)
	}
}

func TestParsePhoneRejects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ raw, region string }{
		{"", "US"}, {"n/a", "US"}, {"415 256 2671", ""}, {"415 256 2671", "Atlantis"}, {"1", "US"},
		{strings.Repeat("9", 40), "US"},
	} {
		t.Run(tt.raw+"/"+tt.region, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePhone(tt.raw, tt.region)
			var pe *PhoneError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePhone(%q, %q) error = %v, want *PhoneError", tt.raw, tt.region, err)
			}
			if tt.raw != "" && strings.Contains(err.Error(), tt.raw) {
				t.Errorf("error %q repeats the number", err)
			}
		})
	}
}

// TestPhoneCacheConcurrent parses the same numbers from several goroutines through a small
// cache and checks every answer against an uncached parse, and that the cache stays bounded.
func TestPhoneCacheConcurrent(t *testing.T) {
	t.Parallel()
	const capacity = 256
	c := NewPhoneCache(capacity)
	var raws []string
	for i := range 600 {
		raws = append(raws, fmt.Sprintf("(415) %03d-%04d", 200+i%700, i))
	}
	want := make(map[string]Phone, len(raws))
	for _, r := range raws {
		p, err := ParsePhone(r, "US")
		if err != nil {
			t.Fatalf("ParsePhone(%q): %v", r, err)
		}
		want[r] = p
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 3 * len(raws) {
				r := raws[(i*7+w)%len(raws)]
				if got, err := c.Parse(r, "US"); err != nil || got != want[r] {
					errs <- fmt.Sprintf("Parse(%q) = %+v, %v; want %+v", r, got, err, want[r])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := c.Len(); n > capacity || n == 0 {
		t.Errorf("cache holds %d entries, want 1..%d", n, capacity)
	}
}

func TestPhoneCacheDisplayForm(t *testing.T) {
	t.Parallel()
	c := NewPhoneCache(1024)
	p, err := c.Parse("415.256.2671 x9", "US")
	if err != nil {
		t.Fatal(err)
	}
	before := c.Len()
	again, err := c.Parse(p.String(), "FR") // region is irrelevant after "+"
	if err != nil || again != p {
		t.Fatalf("Parse(display) = %+v, %v; want %+v", again, err, p)
	}
	if c.Len() != before {
		t.Errorf("display form parsed again: %d entries, want %d", c.Len(), before)
	}
	var nilCache *PhoneCache
	if got, err := nilCache.Parse("+14152562671", ""); err != nil || got.E164 != "+14152562671" {
		t.Errorf("nil cache Parse = %+v, %v", got, err)
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"(415) 256-2671", "+44 20 7946 0958 ext. 3", "1-800-FLOWERS", "06 12 34 56 78", "++1", "x"} {
		f.Add(s, "US")
	}
	f.Add("030 12345678", "Deutschland")
	f.Fuzz(func(t *testing.T, raw, region string) {
		p, err := ParsePhone(raw, region)
		if err != nil {
			return
		}
		if !strings.HasPrefix(p.E164, "+") {
			t.Fatalf("E164 %q lacks +", p.E164)
		}
		if !p.Valid {
			return // libphonenumber formats invalid numbers on a best-effort basis
		}
		again, err := ParsePhone(p.String(), "")
		if err != nil {
			t.Fatalf("display form %q of %q does not parse: %v", p.String(), raw, err)
		}
		if again.E164 != p.E164 {
			t.Errorf("E164 not stable: %q then %q", p.E164, again.E164)
		}
	})
}

func BenchmarkParsePhone(b *testing.B) {
	raws := make([]string, 1000)
	for i := range raws {
		raws[i] = fmt.Sprintf("(415) %03d-%04d", 200+i%700, i)
	}
	b.Run("uncached", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, _ = ParsePhone(raws[i%len(raws)], "US")
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "parses/s")
	})
	b.Run("cached", func(b *testing.B) {
		c := NewPhoneCache(1 << 12)
		for i := 0; b.Loop(); i++ {
			_, _ = c.Parse(raws[i%len(raws)], "US")
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "parses/s")
	})
}

func TestPhoneCacheValidatesLazily(t *testing.T) {
	t.Parallel()
	c := NewPhoneCache(1024)
	fast, err := c.parse("(415) 256-2671", "US", false)
	if err != nil || fast.E164 != "+14152562671" {
		t.Fatalf("parse without validation = %+v, %v", fast, err)
	}
	for _, raw := range []string{"(415) 256-2671", fast.String()} {
		if p, err := c.Parse(raw, "US"); err != nil || !p.Valid {
			t.Errorf("Parse(%q) after an unvalidated parse = %+v, %v; want valid", raw, p, err)
		}
	}
	if p, _ := c.Parse("+1 000 000 0000", ""); p.Valid {
		t.Error("invalid number reported valid")
	}
}

// FuzzPhoneCacheKey checks that numbers sharing a cache key parse alike: the key keeps only
// the digits of numbers written with separators, which must not change libphonenumber's answer.
func FuzzPhoneCacheKey(f *testing.F) {
	for _, s := range []string{"(415) 256-2671", "+44 (0)20 7946 0958", "1-415-256-2671", "06 12 34 56 78", "+1/415/256", "()"} {
		f.Add(s, "US")
	}
	f.Add("030 12345678", "DE")
	f.Fuzz(func(t *testing.T, raw, region string) {
		key := cacheKey(raw, region)
		i := strings.IndexByte(key, 0)
		if i < 0 {
			t.Fatalf("cacheKey(%q, %q) = %q has no separator", raw, region, key)
		}
		keyRegion, canon := key[:i], key[i+1:]
		a, errA := ParsePhone(raw, region)
		b, errB := ParsePhone(canon, keyRegion)
		if (errA == nil) != (errB == nil) || a != b {
			t.Errorf("%q/%q parses to %+v, %v but its key %q/%q to %+v, %v", raw, region, a, errA, canon, keyRegion, b, errB)
		}
	})
}

func TestE164Digits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"+14155552671", 14155552671, true},
		{"+442079460958", 442079460958, true},
		{"+123456789012345", 123456789012345, true},
		{"+12345678", 12345678, true},
		{"+1234567", 0, false},          // too short for a line
		{"+1234567890123456", 0, false}, // longer than E.164
		{"+04155552671", 0, false},      // no country code starts with 0
		{"14155552671", 0, false},
		{"+1415555267x", 0, false},
		{"+14155552671 ext. 2", 0, false},
		{"", 0, false},
	} {
		got, ok := e164Digits(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("e164Digits(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzE164Digits: a string is read as a number exactly when it is E.164, and the number
// spells the string back (so no two numbers share an entry of the validity memo).
func FuzzE164Digits(f *testing.F) {
	for _, s := range []string{"+14155552671", "+0123456789", "+1 415", "", "+999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := e164Digits(s)
		if ok != isE164(s) {
			t.Fatalf("e164Digits(%q) ok = %v, isE164 %v", s, ok, isE164(s))
		}
		if ok && "+"+strconv.FormatUint(n, 10) != s {
			t.Errorf("e164Digits(%q) = %d", s, n)
		}
	})
}

// TestPhoneCacheValidityMemo parses numbers through a cache too small to keep their string
// entries, then asks for their display forms: the answers come from the validity memo and
// agree with an uncached parse, valid and invalid numbers alike, and the memo stays bounded.
func TestPhoneCacheValidityMemo(t *testing.T) {
	t.Parallel()
	const capacity = 128
	c := NewPhoneCache(capacity)
	raws := []string{"+1 000 000 0000", "+44 20 7946 0958"}
	for i := range 2000 {
		raws = append(raws, fmt.Sprintf("(415) %03d-%04d", 200+i%700, i))
	}
	for _, r := range raws {
		if _, err := c.Parse(r, "US"); err != nil {
			t.Fatalf("Parse(%q): %v", r, err)
		}
	}
	for _, r := range raws {
		p, _ := ParsePhone(r, "US")
		want, err := ParsePhone(p.String(), "")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := c.Parse(p.String(), "US"); err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", p.String(), got, err, want)
		}
	}
	if _, ok := c.validity("+14157991999"); !ok { // the last number asked for
		t.Error("validity memo forgot a number parsed recently")
	}
	n := 0
	for i := range c.valid {
		n += len(c.valid[i].cur) + len(c.valid[i].older)
	}
	if limit := validPerEntry * capacity; n > limit {
		t.Errorf("validity memo holds %d numbers, want at most %d", n, limit)
	}
}
