package apollo_test

import (
	"testing"

	"haloleads/internal/lead"
	"haloleads/internal/providers/apollo"
)

func FuzzParseSearch(f *testing.F) {
	f.Add([]byte(`{"total_entries":2,"people":[{"id":"a","first_name":"Dana","title":"CTO","organization":{"name":"Bright Kettle"}},{"id":7}]}`))
	f.Add([]byte(`{"people":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, _, err := apollo.ParseSearch(body, seenAt)
		for _, r := range recs {
			if err != nil || r.SourceID == "" || r.Source != lead.Apollo {
				t.Fatalf("record %+v with error %v", r, err)
			}
		}
	})
}

func FuzzParseBulkMatch(f *testing.F) {
	f.Add([]byte(`{"credits_consumed":1,"matches":[null,{"id":"p","first_name":"Dana","last_name":"Okafor","email":"d@b.example.com","organization":{"id":"o","name":"B","estimated_num_employees":"12"},"contact":{"contact_stage_id":"s","email_unsubscribed":true,"phone_numbers":[{"raw_number":"+1 512","type":"mobile","dnc_status":"dnc"}]}}]}`))
	f.Add([]byte(`{"matches":[{"id":"p","name":"Dana Okafor","organization":{"name":"B"}}]}`))
	f.Add([]byte(`{"matches":[{"id":"p","first_name":"\"x\n","email":"a,b@c.example.com"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, _, err := apollo.ParseBulkMatch(body, map[string]string{"s": "Do Not Contact"}, seenAt)
		for _, r := range recs {
			if r.SourceID == "" || r.Source != lead.Apollo || !r.SeenAt.Equal(seenAt) {
				t.Fatalf("record %+v (error %v)", r, err)
			}
		}
	})
}
