package hunter_test

import (
	"testing"

	"haloleads/internal/lead"
	"haloleads/internal/providers/hunter"
)

func FuzzParseDomainSearch(f *testing.F) {
	f.Add([]byte(`{"data":{"domain":"q.example.com","organization":"Q","emails":[{"value":"m@q.example.com","confidence":94,"first_name":"M","verification":{"status":"valid"}}]},"meta":{"results":1}}`))
	f.Add([]byte(`{"data":{"emails":[]},"meta":{"results":0}}`))
	f.Add([]byte(`{"data":{"emails":[1,{"value":null}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, _, credits, err := hunter.ParseDomainSearch(body, seenAt)
		if err != nil {
			return
		}
		if credits < 0 || credits*10 < len(recs) {
			t.Fatalf("%d records for %d credits", len(recs), credits)
		}
		for _, r := range recs {
			if r.Source != lead.Hunter {
				t.Fatalf("record %+v", r)
			}
		}
	})
}

func FuzzParseVerifierAndFinder(f *testing.F) {
	f.Add([]byte(`{"data":{"status":"valid","score":91,"email":"a@b.example.com"}}`))
	f.Add([]byte(`{"data":{"result":"risky","email":"a@b.example.com","first_name":"A","verification":{"status":"accept_all"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := hunter.ParseVerifier(body)
		if err != nil && v.Status != "" {
			t.Fatalf("status %q with error %v", v.Status, err)
		}
		_, _ = hunter.ParseFinder(body)
	})
}
