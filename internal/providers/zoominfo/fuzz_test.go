package zoominfo_test

import (
	"testing"
	"time"

	"haloleads/internal/providers/zoominfo"
)

func FuzzParseSearch(f *testing.F) {
	f.Add([]byte(`{"totalResults":1,"data":[{"id":9001,"firstName":"Rosa","lastName":"L","company":{"name":"N"}}]}`))
	f.Add([]byte(`{"data":[{"id":null}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, _, err := zoominfo.ParseSearch(body, time.Time{})
		for _, r := range recs {
			if err != nil || r.SourceID == "" {
				t.Fatalf("record %+v, %v", r, err)
			}
		}
	})
}

func FuzzParseEnrichContact(f *testing.F) {
	f.Add([]byte(`{"success":true,"data":{"result":[{"matchStatus":"FULL_MATCH","data":[{"id":1,"firstName":"R","email":"r@n.example.com","directPhoneDoNotCall":true,"jobFunction":[{"department":"Ops"}],"externalUrls":[{"type":"linkedin.com","url":"u"}],"company":{"id":"12","name":"N"}}]},{"matchStatus":"OPT_OUT","data":[]}]}}`))
	f.Add([]byte(`{"data":{"result":[{"matchStatus":"opt_out","data":[{"id":3}]}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		results, err := zoominfo.ParseEnrichContact(body)
		for _, r := range results {
			if err != nil || (r.Status == "OPT_OUT" && r.Cells != nil) {
				t.Fatalf("result %+v, %v: an opt-out must carry no data", r, err)
			}
		}
	})
}

func FuzzParseEnrichCompany(f *testing.F) {
	f.Add([]byte(`{"data":{"result":[{"data":[{"id":123,"name":"N","revenue":410000,"techAttributes":[{"attribute":"Azure"}]}]}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		found, err := zoominfo.ParseEnrichCompany(body)
		if err != nil && len(found) > 0 {
			t.Fatalf("companies %v with error %v", found, err)
		}
	})
}
