package halosandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// apiPoster writes prefill items through the harness's HTTP API (the time is the sandbox's
// clock, which the harness holds still).
func apiPoster(h *harness) Poster {
	return func(resName string, items []Record, _ func(int) time.Time) ([]Record, error) {
		v := h.must(http.StatusCreated, http.MethodPost, "/api/"+resName, items)
		if one, ok := v.(map[string]any); ok {
			return []Record{one}, nil
		}
		var out []Record
		for _, e := range v.([]any) {
			out = append(out, Record(e.(map[string]any)))
		}
		return out, nil
	}
}

// TestPrefillMatchesAPI: inserting a tenant directly gives the same records, ids and all, as
// writing it through the API, with the same clock.
func TestPrefillMatchesAPI(t *testing.T) {
	t.Parallel()
	p := Prefill{People: 250, Clients: 7, TicketTypeID: 1}
	direct, viaAPI := start(t, Options{}), start(t, Options{})
	got, err := direct.sb.Prefill(p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := PrefillOver(p, viaAPI.clock.Now(), apiPoster(viaAPI))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("ids: direct %+v, API %+v", got, want)
	}
	if got.Users.Count != 250 || got.Tickets.Count != 250 || got.Clients.Count != 7 || got.Sites.Count != 7 {
		t.Errorf("counts: %+v", got)
	}
	for _, snap := range []func(*Server) []Record{(*Server).Customers, (*Server).Sites, (*Server).Users, (*Server).Tickets} {
		a, _ := json.Marshal(snap(direct.sb))
		b, _ := json.Marshal(snap(viaAPI.sb))
		if string(a) != string(b) {
			t.Errorf("direct and API tenants differ:\n%.600s\n%.600s", a, b)
		}
	}
	if n := direct.sb.Stats().Requests; n != 1 { // the harness's token request only
		t.Errorf("a direct prefill made %d requests, want only the token's", n)
	}
}

// TestPrefillSpreadsLastUpdates: the people's last updates rise with their ids over the span,
// so a read since a time returns only the newest of them.
func TestPrefillSpreadsLastUpdates(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	span := 10 * time.Hour
	ids, err := h.sb.Prefill(Prefill{People: 1000, TicketTypeID: 1, Span: span})
	if err != nil {
		t.Fatal(err)
	}
	now := h.clock.Now()
	since := haloTime(now.Add(-span/10 + time.Second)) // the newest tenth (person 899 is at exactly -span/10)
	list := h.must(http.StatusOK, http.MethodGet, "/api/Users?pageinate=true&page_size=100&lastupdatefromdate="+since, nil).(map[string]any)
	if n, _ := intOf(list["record_count"]); n != 100 {
		t.Errorf("users updated in the last tenth of the span: %d, want 100", n)
	}
	tickets := h.must(http.StatusOK, http.MethodGet, "/api/Tickets?pageinate=true&page_size=100&requesttype_id=1&lastupdatefromdate="+since, nil).(map[string]any)
	if n, _ := intOf(tickets["record_count"]); n != 100 {
		t.Errorf("tickets updated in the last tenth of the span: %d, want 100", n)
	}
	first := h.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/Users/%d", ids.Users.First), nil).(map[string]any)
	last := h.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/Users/%d", ids.Users.ID(999)), nil).(map[string]any)
	if a, b := textOf(first["ulastupdate"]), textOf(last["ulastupdate"]); a >= b || b != haloTime(now) {
		t.Errorf("last updates: first %s, last %s (now %s)", a, b, haloTime(now))
	}
}

// TestListPagesSeeChanges: the pages of a listing are filtered once, but a change between two
// requests is seen by the next page.
func TestListPagesSeeChanges(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	ids, err := h.sb.Prefill(Prefill{People: 300, TicketTypeID: 1})
	if err != nil {
		t.Fatal(err)
	}
	page := func(n int, query string) map[string]any {
		return h.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/Users?pageinate=true&page_size=100&page_no=%d%s", n, query), nil).(map[string]any)
	}
	if n, _ := intOf(page(1, "")["record_count"]); n != 300 {
		t.Fatalf("record_count %d, want 300", n)
	}
	h.clock.Advance(time.Minute)
	if err := h.sb.AgentEditUser(ids.Users.ID(250), map[string]any{"surname": "Changed"}); err != nil {
		t.Fatal(err)
	}
	row := page(3, "")["users"].([]any)[50].(map[string]any)
	if row["surname"] != "Changed" || row["name"] == nil {
		t.Errorf("page 3 after an edit shows %v", row)
	}
	since := "&lastupdatefromdate=" + haloTime(h.clock.Now())
	if n, _ := intOf(page(1, since)["record_count"]); n != 1 {
		t.Errorf("users changed since the edit: %d, want 1", n)
	}
	h.must(http.StatusOK, http.MethodDelete, fmt.Sprintf("/api/Users/%d", ids.Users.ID(0)), nil)
	if n, _ := intOf(page(1, "")["record_count"]); n != 299 {
		t.Errorf("record_count after a delete %d, want 299", n)
	}
}

// TestPrefillRefusesWithoutTicketType: a prefill needs the type of its tickets.
func TestPrefillRefusesWithoutTicketType(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	if _, err := h.sb.Prefill(Prefill{People: 10}); err == nil {
		t.Error("a prefill without a ticket type succeeded")
	}
	if _, err := h.sb.Prefill(Prefill{People: 10, TicketTypeID: 999}); err == nil {
		t.Error("a prefill with an unknown ticket type succeeded")
	}
}

// TestPrefillHeap measures the sandbox's heap per prefilled person (a user and a ticket) and
// the time it takes; HALOSANDBOX_PREFILL sets the number of people (BENCHMARKS.md measures a
// million). Figures are logged, not asserted.
func TestPrefillHeap(t *testing.T) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("HALOSANDBOX_PREFILL")); err == nil && v > 0 {
		n = v
	}
	before := heapAfterGC()
	sb, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ids, err := sb.Prefill(Prefill{People: n, TicketTypeID: 1, Span: 24 * time.Hour})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	heap := heapAfterGC() - before
	if ids.Users.Count != n || ids.Tickets.Count != n {
		t.Fatalf("prefilled %+v, want %d people", ids, n)
	}
	t.Logf("%d people (%d records): %.1f s, heap %.1f MiB (%.0f bytes per person)", n, 2*n+2*DefaultPrefillClients,
		took.Seconds(), float64(heap)/(1<<20), float64(heap)/float64(n))
	runtime.KeepAlive(sb)
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
