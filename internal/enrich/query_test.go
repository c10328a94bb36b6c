package enrich_test

import (
	"errors"
	"reflect"
	"testing"

	"haloleads/internal/enrich"
	"haloleads/internal/providers"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    providers.Query
		wantErr bool
	}{
		{in: "domain=example.com,title=IT", want: providers.Query{Domains: []string{"example.com"}, Titles: []string{"IT"}}},
		{in: " Domain = A.example.com , domain=b.example.org,title=IT Manager, title=CFO ,",
			want: providers.Query{Domains: []string{"a.example.com", "b.example.org"}, Titles: []string{"IT Manager", "CFO"}}},
		{in: "company=Bright Kettle,page_size=50", want: providers.Query{Company: "Bright Kettle", PageSize: 50}},
		{in: "", wantErr: true},
		{in: "page_size=10", wantErr: true},
		{in: "domain", wantErr: true},
		{in: "domain=", wantErr: true},
		{in: "city=Austin", wantErr: true},
		{in: "company=A,company=B", wantErr: true},
		{in: "title=IT,page_size=0", wantErr: true},
		{in: "title=IT,page_size=x", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := enrich.ParseQuery(tc.in)
			var qe *enrich.QueryError
			if tc.wantErr != errors.As(err, &qe) {
				t.Fatalf("ParseQuery(%q) error %v, want error %v", tc.in, err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseQuery(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	f.Add("domain=example.com,title=IT")
	f.Add("company=A,page_size=5")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := enrich.ParseQuery(s)
		if err == nil && len(q.Domains) == 0 && len(q.Titles) == 0 && q.Company == "" {
			t.Errorf("ParseQuery(%q) accepted a query that selects nobody", s)
		}
	})
}
