package gen

import (
	"fmt"
	"strings"
)

// phone is a generated number: country calling code and national significant number.
type phone struct {
	cc, nsn string
}

func (p phone) empty() bool { return p.nsn == "" }

var usAreas = []string{"212", "312", "415", "512", "617", "646", "702", "713", "303", "206", "404", "305", "614", "919"}
var caAreas = []string{"416", "604", "514", "403", "613"}

// phone returns a new number in country's numbering plan (mobile or landline).
func (g *generator) phone(country string, mobile bool) phone {
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + g.r.IntN(10)))
		}
		return b.String()
	}
	nanp := func(areas []string) string {
		exch := fmt.Sprintf("%d%d%d", 2+g.r.IntN(8), g.r.IntN(10), 2+g.r.IntN(8))
		return g.pick(areas) + exch + digits(4)
	}
	switch country {
	case "GB":
		if mobile {
			return phone{"44", "74" + digits(8)}
		}
		return phone{"44", "20" + fmt.Sprint(3+g.r.IntN(2)*4) + digits(7)}
	case "DE":
		if mobile {
			return phone{"49", "151" + digits(8)}
		}
		return phone{"49", "30" + digits(8)}
	case "AU":
		if mobile {
			return phone{"61", "4" + digits(8)}
		}
		return phone{"61", "29" + digits(7)}
	case "CA":
		return phone{"1", nanp(caAreas)}
	}
	return phone{"1", nanp(usAreas)}
}

// format writes p the way some provider would; national forms only when the record says which
// country it is in (otherwise nobody could read them).
func (g *generator) format(p phone, countryKnown bool) string {
	if p.cc == "1" {
		a, e, l := p.nsn[:3], p.nsn[3:6], p.nsn[6:]
		return g.pick([]string{
			"+1 " + a + "-" + e + "-" + l, "(" + a + ") " + e + "-" + l, a + "." + e + "." + l,
			a + e + l, "+1" + a + e + l, "1-" + a + "-" + e + "-" + l,
		})
	}
	forms := []string{"+" + p.cc + p.nsn, "+" + p.cc + " " + groups(p.nsn)}
	if countryKnown {
		forms = append(forms, "0"+groups(p.nsn), "0"+p.nsn)
	}
	return g.pick(forms)
}

// groups splits digits into blocks of four from the end, as international forms do.
func groups(d string) string {
	var parts []string
	for len(d) > 4 {
		parts = append([]string{d[len(d)-4:]}, parts...)
		d = d[:len(d)-4]
	}
	return strings.Join(append([]string{d}, parts...), " ")
}
