package pipeline_test

import (
	"errors"
	"io"
	"testing"

	"haloleads/internal/dedupe"
	"haloleads/internal/lead"
	"haloleads/internal/sources"
)

func TestZZScratch(t *testing.T) {
	var recs []lead.Record
	for _, f := range []string{"apollo.csv", "zoominfo.csv", "hunter.csv", "uplead.csv", "lusha.csv"} {
		r, err := sources.Open("../../testdata/unseen/" + f)
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, rej, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if rej != nil {
				t.Logf("rejected %s:%d %s", f, rej.Line, rej.Reason)
				continue
			}
			recs = append(recs, rec)
		}
	}
	res, _ := dedupe.Resolve(recs, nil, dedupe.Config{})
	for _, l := range res.Leads {
		var m []string
		for _, i := range res.Members[l.ID] {
			m = append(m, recs[i].File[len(recs[i].File)-10:]+":"+string(rune('0'+recs[i].Line)))
		}
		t.Logf("%s %s %s %s dnc=%v keys=%v %v", l.ID, l.Values[lead.FirstName], l.Values[lead.LastName], l.Values[lead.Email], l.Values.DoNotContactFlag(), l.Keys, m)
	}
	for _, r := range res.Review {
		t.Logf("review %+v", r)
	}
	t.Logf("companies: %d", len(dedupe.GroupByCompany(res.Leads)))
	for _, c := range dedupe.GroupByCompany(res.Leads) {
		t.Logf("company %s %v", c.Key, c.Names)
	}
}
