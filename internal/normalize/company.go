package normalize

import (
	"strings"
	"unicode"
)

// CompanyKey returns the match key of a company name: folded, punctuation removed, "&" and "+"
// read as "and", a leading "the" dropped and legal-form suffixes stripped from the end
// repeatedly ("Acme, Inc.", "ACME Incorporated" and "The Acme Co. Ltd" all give "acme").
// A name that is nothing but legal forms keeps its words.
func CompanyKey(name string) string {
	key, _ := SplitCompany(name)
	return key
}

// SplitCompany returns CompanyKey(name) and the legal-form words it stripped, in order
// ("Acme Pty Ltd" gives "acme" and "pty ltd"). Different legal forms are evidence of
// different companies.
func SplitCompany(name string) (key, legal string) {
	w := words(andReplacer.Replace(name))
	if len(w) > 1 && w[0] == "the" {
		w = w[1:]
	}
	end := len(w)
	for end > 1 && (legalForms[w[end-1]] || (w[end-1] == "and" && end < len(w))) {
		end-- // "and" only between legal forms: "Müller GmbH & Co. KG" → "muller"
	}
	return strings.Join(w[:end], " "), strings.Join(w[end:], " ")
}

// andReplacer reads "&" and "+" as "and".
var andReplacer = strings.NewReplacer("&", " and ", "+", " and ")

// legalForms are company legal-form words (after folding and removing dots, so "S.A." is "sa").
var legalForms = setOf(
	"inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "corp", "corporation", "co",
	"company", "plc", "pty", "pte", "gmbh", "ag", "kg", "kgaa", "ug", "ev", "sa", "sas", "sarl",
	"sl", "slu", "srl", "spa", "bv", "nv", "vof", "ab", "oy", "oyj", "as", "asa", "aps", "sro",
	"kft", "zrt", "sp", "zoo", "doo", "ad", "oao", "ooo", "zao", "pvt", "bhd", "sdn", "kk",
	"lda", "ltda", "sca", "scs", "cv", "se", "pc", "pllc", "lc", "ltee", "cie", "et",
)

// CleanCompany returns a company name for display: white space collapsed and, when the name
// arrived in capitals only ("BRIGHT KETTLE IT SERVICES LLC"), proper-cased word by word
// ("Bright Kettle IT Services LLC"). Words of up to three letters stay in capitals unless they
// are common short words ("of", "the", "and"), since those are mostly acronyms or legal forms
// (IT, HR, LLC, USA); a one-word name of up to four letters ("IBM", "ACME") is left alone. A
// name with any lower-case letter is kept as received: "McKinsey", "eBay" and "ACME Labs" are
// someone's spelling.
func CleanCompany(s string) string {
	s = collapseSpace(s)
	if s == "" || !hasUpper(s) || hasLower(s) {
		return s
	}
	fields := strings.Split(s, " ")
	if len(fields) == 1 && letterCount(s) <= 4 {
		return s
	}
	for i, w := range fields {
		lw := strings.ToLower(w)
		switch {
		case commonShortWords[strings.Trim(lw, ".,&()")] && i > 0:
			fields[i] = lw
		case commonShortWords[strings.Trim(lw, ".,&()")] || letterCount(w) > 3 || legalMixed[strings.Trim(lw, ".,")]:
			fields[i] = titleCase(w)
		}
	}
	return strings.Join(fields, " ")
}

// commonShortWords are short words that are not acronyms: lower-case inside a name.
var commonShortWords = setOf("a", "an", "and", "as", "at", "by", "de", "du", "for", "in", "of", "on", "or", "the", "to", "und", "van", "von")

// legalMixed are short words written in mixed case: legal forms ("Inc", "Ltd", "Co") and
// common short words of company names that are not acronyms ("Law", "Bay", "New").
var legalMixed = setOf("inc", "ltd", "co", "corp", "bros", "law", "bay", "sun", "sea", "air", "oak",
	"new", "one", "two", "top", "big", "red", "art", "car", "pet", "tax", "web", "net", "box", "lab",
	"key", "hub", "fox", "bar", "bio", "eco", "gas", "oil", "inn", "spa", "zoo", "way", "all",
	"day", "dog", "cat", "tea", "pro", "max", "go", "my", "our", "pay", "run", "sky", "sub")

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
