package normalize

import (
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Region returns the ISO 3166-1 alpha-2 code (upper-case) of a country given as an alpha-2 or
// alpha-3 code, a numeric code, or an English name ("United States", "USA", "U.K.", "Deutschland"
// and a few other common spellings too). It returns "" for anything it does not know.
func Region(country string) string {
	c := strings.TrimSpace(country)
	if c == "" {
		return ""
	}
	regions := supportedRegions()
	if len(c) <= 3 {
		if r, err := language.ParseRegion(c); err == nil && regions[r.String()] {
			return r.String()
		}
	}
	return countryNames()[countryNameKey(c)]
}

// supportedRegions is phonenumbers' region set, read once (it is immutable).
var supportedRegions = sync.OnceValue(phonenumbers.GetSupportedRegions)

// countryNames maps folded English country names and common aliases to alpha-2 codes. It is
// built once from x/text's CLDR names and never changes afterwards.
var countryNames = sync.OnceValue(func() map[string]string {
	names := make(map[string]string, 400)
	en := display.English.Regions()
	for code := range supportedRegions() {
		r, err := language.ParseRegion(code)
		if err != nil {
			continue
		}
		if n := en.Name(r); n != "" {
			names[countryNameKey(n)] = code
		}
	}
	for alias, code := range countryAliases {
		names[countryNameKey(alias)] = code
	}
	return names
})

// countryNameKey folds case, accents, punctuation and a leading "the".
func countryNameKey(s string) string {
	k := strings.Join(strings.Fields(punctToSpace(Fold(s))), " ")
	return strings.TrimPrefix(k, "the ")
}

// countryAliases are spellings providers use that CLDR's English names do not cover.
var countryAliases = map[string]string{
	"USA": "US", "U.S.A.": "US", "U.S.": "US", "United States of America": "US", "America": "US",
	"UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB", "England": "GB",
	"Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB",
	"Deutschland": "DE", "Holland": "NL", "The Netherlands": "NL", "Czech Republic": "CZ",
	"Republic of Ireland": "IE", "Eire": "IE", "Korea": "KR", "Republic of Korea": "KR",
	"Russian Federation": "RU", "Viet Nam": "VN", "Ivory Coast": "CI", "UAE": "AE",
	"Türkiye": "TR", "Turkiye": "TR", "Hong Kong SAR": "HK", "Macau": "MO", "Burma": "MM",
	"Swaziland": "SZ", "Cape Verde": "CV", "East Timor": "TL", "Vatican": "VA", "España": "ES",
	"Österreich": "AT", "Schweiz": "CH", "Suisse": "CH", "Italia": "IT", "Brasil": "BR",
	"México": "MX", "Polska": "PL", "Sverige": "SE", "Norge": "NO", "Danmark": "DK",
	"Suomi": "FI", "Nederland": "NL", "België": "BE", "Belgique": "BE",
}
