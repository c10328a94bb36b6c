package providers_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
	"haloleads/internal/providers/apollo"
	"haloleads/internal/providersandbox"
)

// An incremental pull: search (free) page by page, skip the people bought before, enrich the
// rest. Searches are deterministic, so a second pull finds nothing new to buy.
func ExampleSearcher() {
	sb := providersandbox.New(providersandbox.Options{Seed: 1, People: 60})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	var src providers.Searcher
	src, _ = apollo.New(apollo.Config{BaseURL: srv.URL + providersandbox.Prefix(lead.Apollo),
		APIKey: providersandbox.DefaultAPIKey})

	bought := map[string]bool{}
	pull := func(q providers.Query) (int, int) {
		records, credits := 0, 0
		for cursor := ""; ; {
			page, err := src.Search(context.Background(), q, cursor)
			if err != nil {
				log.Fatal(err)
			}
			var fresh []lead.Record
			for _, r := range page.Records {
				if !bought[r.SourceID] {
					fresh = append(fresh, r)
				}
			}
			recs, n, err := src.Enrich(context.Background(), fresh)
			if err != nil {
				log.Fatal(err)
			}
			for _, r := range recs {
				bought[r.SourceID] = true
			}
			records, credits = records+len(recs), credits+n
			if cursor = page.Next; cursor == "" {
				return records, credits
			}
		}
	}
	q := providers.Query{Titles: []string{"Manager"}, PageSize: 5}
	n, credits := pull(q)
	fmt.Println("first pull:", n > 0, n == credits)
	n, credits = pull(q)
	fmt.Println("second pull:", n, credits)
	// Output:
	// first pull: true true
	// second pull: 0 0
}
