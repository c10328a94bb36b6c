package providersandbox

import (
	"bytes"
	"net/http/httptest"
	"testing"
)

func TestInputReadsQueryAndBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target, body string
		want               []string
		page               int
	}{
		{"query array syntax", "/x?person_titles[]=IT&person_titles[]=CFO&page=2", "", []string{"IT", "CFO"}, 2},
		{"json body", "/x", `{"person_titles":["IT","CFO"],"page":3}`, []string{"IT", "CFO"}, 3},
		{"comma separated string", "/x", `{"person_titles":"IT, CFO","page":"4"}`, []string{"IT", "CFO"}, 4},
		{"absent", "/x", `{}`, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := readInput(httptest.NewRequest("POST", tt.target, bytes.NewReader([]byte(tt.body))))
			if err != nil {
				t.Fatal(err)
			}
			got := in.list("person_titles")
			if len(got) != len(tt.want) || in.integer("page", 1) != tt.page {
				t.Fatalf("list %q page %d, want %q page %d", got, in.integer("page", 1), tt.want, tt.page)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("item %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func FuzzReadInput(f *testing.F) {
	f.Add("/x?a[]=1&a=2,3", `{"a":["4"],"details":[{"id":"x"}]}`)
	f.Add("/x", `{"a":1.5e300}`)
	f.Add("/x", `[1]`)
	f.Fuzz(func(t *testing.T, query, body string) {
		req := httptest.NewRequest("POST", "/x", bytes.NewReader([]byte(body)))
		req.URL.RawQuery = query
		in, err := readInput(req)
		if err != nil {
			return
		}
		for _, v := range in.list("a") {
			if v == "" {
				t.Fatalf("empty list item from %q %q", query, body)
			}
		}
		var details []apolloDetail
		_ = in.decode("details", &details)
		_ = in.integer("page", 1)
	})
}
