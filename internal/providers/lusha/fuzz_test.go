package lusha_test

import (
	"testing"

	"haloleads/internal/providers/lusha"
)

func FuzzParsePerson(f *testing.F) {
	f.Add([]byte(`{"contact":{"error":null,"isCreditCharged":true,"data":{"personId":7,"firstName":"Y","lastName":"T","emailAddresses":[{"email":"y@l.example.com","emailType":"work"},{"address":"p@gmail.example.com","type":"private"}],"phoneNumbers":[{"number":"+44","phoneType":"mobile","doNotCall":true}],"company":{"name":"L","companySize":[51,200],"revenueRange":[1]}}}}`))
	f.Add([]byte(`{"contact":{"data":{"fullName":"Yuki Tanabe","emails":["y@l.example.com"]}}}`))
	f.Add([]byte(`{"contact":{"data":null}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cells, charged, err := lusha.ParsePerson(body)
		if err != nil && (cells != nil || charged) {
			t.Fatalf("cells %v charged %v with error %v", cells, charged, err)
		}
		if cells != nil && cells["Do Not Call"] != "" && cells["Do Not Call"] != "true" {
			t.Fatalf("Do Not Call = %q", cells["Do Not Call"])
		}
	})
}
