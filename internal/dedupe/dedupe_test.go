package dedupe

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"haloleads/internal/lead"
)

var day = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func rec(src lead.Source, kv ...string) lead.Record {
	v := lead.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v[lead.Field(kv[i])] = kv[i+1]
	}
	return lead.Record{Source: src, SourceID: string(src) + "-" + v[lead.Email] + v[lead.LastName], SeenAt: day, Values: v}
}

func resolve(t *testing.T, records []lead.Record, known Index) Result {
	t.Helper()
	res, err := Resolve(records, known, Config{})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return res
}

// groupsOf returns the member index sets, sorted, for comparing clusterings.
func groupsOf(res Result) [][]int {
	var out [][]int
	for _, m := range res.Members {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}

func TestResolveClusters(t *testing.T) {
	t.Parallel()
	const (
		fn, ln, em, ph, mob, co, web, title, li = "first_name", "last_name", "email", "phone_direct",
			"phone_mobile", "company", "website", "job_title", "linkedin_url"
	)
	tests := []struct {
		name    string
		records []lead.Record
		want    [][]int
		review  int // review pairs expected
	}{
		{
			name: "one person across providers",
			records: []lead.Record{
				rec(lead.ZoomInfo, fn, "Robert", ln, "Smith", em, "robert.smith@acme.com", co, "Acme, Inc.", title, "VP Sales"),
				rec(lead.Apollo, fn, "Bob", ln, "SMITH", em, "Robert.Smith@ACME.com", co, "ACME"),
				rec(lead.Lusha, fn, "Bob", ln, "Smith", web, "https://www.acme.com/", mob, "(415) 256-2671", title, "Vice President of Sales"),
				rec(lead.Hunter, em, "robert.smith@acme.com"),
			},
			want: [][]int{{0, 1, 2, 3}},
		},
		{
			name: "gmail dots and tags are one mailbox",
			records: []lead.Record{
				rec(lead.Apollo, fn, "Jane", ln, "Doe", em, "jane.doe+crm@gmail.com"),
				rec(lead.Lusha, fn, "Jane", ln, "Doe", em, "JaneDoe@googlemail.com"),
			},
			want: [][]int{{0, 1}},
		},
		{
			name: "two work addresses at one domain are two people",
			records: []lead.Record{
				rec(lead.Apollo, fn, "John", ln, "Smith", em, "john.smith@acme.com", co, "Acme"),
				rec(lead.ZoomInfo, fn, "John", ln, "Smith", em, "jsmith2@acme.com", co, "Acme"),
			},
			want: [][]int{{0}, {1}},
		},
		{
			name: "same name at different companies",
			records: []lead.Record{
				rec(lead.Apollo, fn, "Maria", ln, "Garcia", em, "maria.garcia@acme.com", mob, "+14152562671"),
				rec(lead.ZoomInfo, fn, "Maria", ln, "Garcia", em, "mgarcia@globex.com", mob, "+14152562671"),
			},
			want: [][]int{{0}, {1}},
		},
		{
			name: "shared switchboard with different names",
			records: []lead.Record{
				rec(lead.Apollo, fn, "Anna", ln, "Berg", ph, "+14152562600", web, "acme.com"),
				rec(lead.ZoomInfo, fn, "Anne", ln, "Berg", ph, "+14152562600", web, "acme.com"),
				rec(lead.Lusha, fn, "Carl", ln, "Jones", ph, "+14152562600", web, "acme.com"),
			},
			want: [][]int{{0}, {1}, {2}},
		},
		{
			name: "role address does not join people",
			records: []lead.Record{
				rec(lead.Hunter, fn, "Ada", ln, "Lovelace", em, "info@acme.com"),
				rec(lead.Hunter, fn, "Alan", ln, "Turing", em, "info@acme.com"),
			},
			want: [][]int{{0}, {1}},
		},
		{
			name: "different LinkedIn profiles",
			records: []lead.Record{
				rec(lead.Apollo, fn, "Li", ln, "Wei", web, "acme.com", li, "linkedin.com/in/li-wei-1"),
				rec(lead.ZoomInfo, fn, "Li", ln, "Wei", web, "acme.com", li, "linkedin.com/in/li-wei-2"),
			},
			want: [][]int{{0}, {1}},
		},
		{
			name: "same LinkedIn profile joins without email",
			records: []lead.Record{
				rec(lead.Apollo, fn, "Li", ln, "Wei", li, "https://www.linkedin.com/in/Li-Wei-1/"),
				rec(lead.ZoomInfo, fn, "Li", ln, "Wei", co, "Acme", li, "linkedin.com/in/li-wei-1"),
			},
			want: [][]int{{0, 1}},
		},
		{
			name: "name alone is only a review candidate",
			records: []lead.Record{
				rec(lead.Apollo, fn, "Priya", ln, "Patel", co, "Acme"),
				rec(lead.Lusha, fn, "Priya", ln, "Patel", em, "priya.patel77@gmail.com"),
			},
			want:   [][]int{{0}, {1}},
			review: 1,
		},
		{
			name: "guard holds across a chain",
			records: []lead.Record{
				rec(lead.Apollo, fn, "John", ln, "Smith", em, "john.smith@acme.com"),
				rec(lead.Lusha, fn, "John", ln, "Smith", web, "acme.com", title, "CTO"),
				rec(lead.ZoomInfo, fn, "John", ln, "Smith", em, "jsmith@acme.com", title, "CTO"),
			},
			want:   [][]int{{0}, {1, 2}},
			review: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := resolve(t, tt.records, nil)
			if got := groupsOf(res); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("clusters = %v, want %v", got, tt.want)
			}
			if len(res.Review) != tt.review {
				t.Errorf("review pairs = %+v, want %d", res.Review, tt.review)
			}
		})
	}
}

func TestResolveIDsAndKeys(t *testing.T) {
	t.Parallel()
	res := resolve(t, []lead.Record{
		rec(lead.ZoomInfo, "first_name", "Robert", "last_name", "Smith", "email", "Robert.Smith@acme.com"),
		rec(lead.Lusha, "first_name", "Bob", "last_name", "Smith", "website", "acme.com"),
		rec(lead.Apollo, "first_name", "Ada", "last_name", "Byron", "company", "Analytical"),
	}, nil)
	if len(res.Leads) != 2 {
		t.Fatalf("leads = %d, want 2", len(res.Leads))
	}
	want := lead.IDFor("email:robert.smith@acme.com")
	l := findLead(t, res, want)
	if got := []string{"email:robert.smith@acme.com", "name:acme.com|robert smith"}; !reflect.DeepEqual(l.Keys, got) {
		t.Errorf("keys = %v, want %v", l.Keys, got)
	}
	if !reflect.DeepEqual(res.Members[want], []int{0, 1}) {
		t.Errorf("members = %v", res.Members[want])
	}
	for _, l := range res.Leads {
		if l.ID == want {
			continue
		}
		if len(l.Keys) != 0 || !strings.HasPrefix(l.ID, "lead-") {
			t.Errorf("keyless lead %+v: want an ID from its content and no keys", l)
		}
	}
	if !slices.IsSortedFunc(res.Leads, func(a, b lead.Lead) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("leads not sorted by ID")
	}
}

func findLead(t *testing.T, res Result, id string) lead.Lead {
	t.Helper()
	for _, l := range res.Leads {
		if l.ID == id {
			return l
		}
	}
	t.Fatalf("no lead %s in %+v", id, res.Leads)
	return lead.Lead{}
}

func TestResolveKnownIdentities(t *testing.T) {
	t.Parallel()
	known := MapIndex{
		"email:robert.smith@acme.com": "lead-known-bob",
		"name:acme.com|jane doe":      "lead-known-jane",
	}
	res := resolve(t, []lead.Record{
		rec(lead.Apollo, "first_name", "Bob", "last_name", "Smith", "email", "robert.smith@acme.com"),
		rec(lead.Lusha, "first_name", "Jane", "last_name", "Doe", "email", "jane.doe@acme.com"),
		rec(lead.Hunter, "first_name", "Jane", "last_name", "Doe", "website", "acme.com", "email", "jane.doe@acme.com"),
	}, known)
	if !reflect.DeepEqual(res.Members["lead-known-bob"], []int{0}) || !reflect.DeepEqual(res.Members["lead-known-jane"], []int{1, 2}) {
		t.Fatalf("members = %v", res.Members)
	}
	jane := findLead(t, res, "lead-known-jane")
	if !slices.Contains(jane.Keys, "email:jane.doe@acme.com") || !slices.Contains(jane.Keys, "name:acme.com|jane doe") {
		t.Errorf("jane's keys = %v: want her new email key listed for persisting", jane.Keys)
	}
}

func TestResolveNeverFusesKnownLeads(t *testing.T) {
	t.Parallel()
	known := MapIndex{"email:bob@acme.com": "lead-a", "email:robertsmith@gmail.com": "lead-b"}
	res := resolve(t, []lead.Record{
		rec(lead.Apollo, "first_name", "Bob", "last_name", "Smith", "email", "bob@acme.com"),
		rec(lead.Lusha, "first_name", "Robert", "last_name", "Smith", "email", "robert.smith@gmail.com", "phone_mobile", "+14152562671"),
		rec(lead.ZoomInfo, "first_name", "Robert", "last_name", "Smith", "email", "bob@acme.com", "phone_mobile", "+14152562671"),
	}, known)
	if len(res.Leads) != 2 {
		t.Fatalf("leads = %v: the two known leads must stay apart", res.Members)
	}
	if len(res.Review) != 1 || res.Review[0].LeadA != "lead-a" || res.Review[0].LeadB != "lead-b" ||
		!strings.Contains(res.Review[0].Reason, "existing leads") {
		t.Errorf("review = %+v, want lead-a/lead-b as existing leads", res.Review)
	}
}

func TestResolveStableAcrossRuns(t *testing.T) {
	t.Parallel()
	first := []lead.Record{
		rec(lead.ZoomInfo, "first_name", "Robert", "last_name", "Smith", "website", "acme.com"),
		rec(lead.Apollo, "first_name", "Ada", "last_name", "Byron", "email", "ada@analytical.org"),
	}
	res1 := resolve(t, first, nil)
	index := MapIndex{}
	for _, l := range res1.Leads {
		for _, k := range l.Keys {
			index[k] = l.ID
		}
	}
	// Later Bob's e-mail shows up: his lead keeps the ID derived from his name key.
	second := append(slices.Clone(first),
		rec(lead.Hunter, "first_name", "Bob", "last_name", "Smith", "email", "bob.smith@acme.com"))
	res2 := resolve(t, second, index)
	for _, l := range res1.Leads {
		if _, ok := res2.Members[l.ID]; !ok {
			t.Errorf("lead %s vanished in the second run: %v", l.ID, res2.Members)
		}
	}
	bob := lead.IDFor("name:acme.com|robert smith")
	if !reflect.DeepEqual(res2.Members[bob], []int{0, 2}) {
		t.Errorf("bob's members = %v, want [0 2]", res2.Members[bob])
	}
}

func TestResolveOrderIndependent(t *testing.T) {
	t.Parallel()
	records := []lead.Record{
		rec(lead.ZoomInfo, "first_name", "Robert", "last_name", "Smith", "email", "robert.smith@acme.com", "job_title", "CTO"),
		rec(lead.Apollo, "first_name", "Bob", "last_name", "Smith", "email", "robert.smith@acme.com", "job_title", "Chief Technology Officer"),
		rec(lead.Lusha, "first_name", "John", "last_name", "Smith", "email", "john.smith@acme.com"),
		rec(lead.Hunter, "first_name", "J.", "last_name", "Smith", "website", "acme.com"),
		rec(lead.UpLead, "first_name", "Jon", "last_name", "Smith", "website", "acme.com", "phone_direct", "+14152562671"),
		rec(lead.Apollo, "first_name", "Jane", "last_name", "Doe", "company", "Initech"),
		rec(lead.ZoomInfo, "first_name", "Jane", "last_name", "Doe", "company", "Initech LLC", "phone_direct", "+14152562672"),
	}
	base := resolve(t, records, nil)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		perm := r.Perm(len(records))
		shuffled := make([]lead.Record, len(records))
		for i, p := range perm {
			shuffled[i] = records[p]
		}
		got := resolve(t, shuffled, nil)
		if !reflect.DeepEqual(got.Leads, base.Leads) {
			t.Fatalf("leads depend on input order:\n%+v\n%+v", got.Leads, base.Leads)
		}
		for id, members := range got.Members {
			var orig []int
			for _, m := range members {
				orig = append(orig, perm[m])
			}
			slices.Sort(orig)
			if !reflect.DeepEqual(orig, base.Members[id]) {
				t.Fatalf("members of %s depend on input order: %v vs %v", id, orig, base.Members[id])
			}
		}
	}
}

func TestResolveConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{AutoThreshold: 5, ReviewThreshold: 10},
		{AutoThreshold: 12, ReviewThreshold: 6, MaxBlock: 1},
	} {
		_, err := Resolve(nil, nil, cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("Resolve(%+v) error = %v, want *ConfigError", cfg, err)
		}
	}
	res, err := Resolve(nil, nil, Config{})
	if err != nil || len(res.Leads) != 0 {
		t.Errorf("Resolve(nil) = %+v, %v", res, err)
	}
}

func TestResolveOversizedIdentityBlock(t *testing.T) {
	t.Parallel()
	var records []lead.Record
	for i := range 120 { // far above MaxBlock: the same person exported again and again
		r := rec(lead.Apollo, "first_name", "Jane", "last_name", "Doe", "email", "jane.doe@acme.com")
		r.Line = i + 2
		records = append(records, r)
	}
	res := resolve(t, records, nil)
	if len(res.Leads) != 1 {
		t.Fatalf("leads = %d, want 1", len(res.Leads))
	}
	if res.Stats.Comparisons > 3*len(records) {
		t.Errorf("%d comparisons for %d records: oversized blocks must stay linear", res.Stats.Comparisons, len(records))
	}
}
