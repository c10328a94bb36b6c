package halopsa

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func makeUsers(n, client int) []User {
	out := make([]User, n)
	for i := range out {
		out[i] = User{Name: fmt.Sprint("User ", i), EmailAddress: fmt.Sprintf("User%d@Example.com", i),
			ClientID: ID(client), SiteID: 1}
	}
	return out
}

func TestSaveUsersUnderBothAnswerShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		firstOnly bool
		n         int
		wantPosts int
		wantReads int64 // GET requests (read-backs)
	}{
		{"whole array answer", false, 250, 3, 0},
		{"first object only answer", true, 250, 3, 3 * 1},
		{"single item", true, 1, 1, 0},
		{"exactly one batch", true, 100, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			f.firstOnly = tc.firstOnly
			f.seed("users", 30, func(i int) map[string]any { // other client's users, never matched
				return map[string]any{"emailaddress": fmt.Sprintf("user%d@example.com", i), "client_id": 9}
			})
			var gets atomic.Int64
			f.intercept = countGets(&gets)
			c := f.client(t, nil)
			in := makeUsers(tc.n, 5)
			got, err := c.SaveUsers(context.Background(), in)
			if err != nil {
				t.Fatalf("SaveUsers: %v", err)
			}
			checkSavedInOrder(t, f, in, got)
			if f.posts != tc.wantPosts || gets.Load() != tc.wantReads {
				t.Errorf("posts = %d, gets = %d; want %d and %d", f.posts, gets.Load(), tc.wantPosts, tc.wantReads)
			}
			if f.count("users") != 30+tc.n {
				t.Errorf("store holds %d users, want %d", f.count("users"), 30+tc.n)
			}
		})
	}
}

// checkSavedInOrder checks that got[i] is in[i] with the id the server gave it.
func checkSavedInOrder(t *testing.T, f *fakeHalo, in, got []User) {
	t.Helper()
	if len(got) != len(in) {
		t.Fatalf("got %d users, want %d", len(got), len(in))
	}
	byEmail := map[string]any{}
	f.mu.Lock()
	for _, rec := range f.store["users"] {
		if rec["client_id"] == float64(5) || rec["client_id"] == 5 {
			byEmail[fmt.Sprint(rec["emailaddress"])] = rec["id"]
		}
	}
	f.mu.Unlock()
	for i := range in {
		if got[i].EmailAddress != in[i].EmailAddress || got[i].ID == 0 {
			t.Fatalf("item %d = %+v, want %s with an id", i, got[i], in[i].EmailAddress)
		}
		if fmt.Sprint(byEmail[in[i].EmailAddress]) != fmt.Sprint(got[i].ID) {
			t.Fatalf("item %d has id %d, server has %v", i, got[i].ID, byEmail[in[i].EmailAddress])
		}
	}
}

func countGets(n *atomic.Int64) func(http.ResponseWriter, *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/") {
			n.Add(1)
		}
		return false
	}
}

func TestSaveMixesCreatesAndUpdates(t *testing.T) {
	t.Parallel()
	for _, firstOnly := range []bool{false, true} {
		t.Run(fmt.Sprint("firstOnly=", firstOnly), func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			f.firstOnly = firstOnly
			c := f.client(t, nil)
			ctx := context.Background()
			first, err := c.SaveCustomers(ctx, []Customer{{Name: "Acme"}, {Name: "Globex"}})
			if err != nil {
				t.Fatal(err)
			}
			in := []Customer{{Name: "Initech"}, {ID: first[1].ID, Website: "globex.example"}, {Name: "Umbrella"}, {ID: first[0].ID, Notes: "n"}}
			got, err := c.SaveCustomers(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if got[1].ID != first[1].ID || got[3].ID != first[0].ID || got[0].ID == 0 || got[2].ID == 0 ||
				got[0].Name != "Initech" || got[2].Name != "Umbrella" {
				t.Fatalf("got %+v", got)
			}
			if f.count("client") != 4 {
				t.Errorf("store holds %d clients, want 4", f.count("client"))
			}
		})
	}
}

func TestUnknownOutcomeCreateIsNotDuplicated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault func(w http.ResponseWriter) // answer after the server has saved the batch
	}{
		{"connection dropped", func(w http.ResponseWriter) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}},
		{"gateway timeout", func(w http.ResponseWriter) {
			http.Error(w, "<html>504 Gateway Time-out</html>", http.StatusGatewayTimeout)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			var faulted atomic.Bool
			f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/api/") || faulted.Swap(true) {
					return false
				}
				f.post(httptest.NewRecorder(), r, "users") // the write lands…
				tc.fault(w)                                // …but its answer is lost
				return true
			}
			c := f.client(t, nil)
			in := makeUsers(120, 5)
			got, err := c.SaveUsers(context.Background(), in)
			if err != nil {
				t.Fatalf("SaveUsers: %v", err)
			}
			checkSavedInOrder(t, f, in, got)
			if f.count("users") != 120 {
				t.Errorf("store holds %d users, want 120 (no duplicates)", f.count("users"))
			}
		})
	}
}

func TestUnknownOutcomeThatPersistsIsReported(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/api/") {
			return false
		}
		http.Error(w, "boom", http.StatusBadGateway)
		return true
	}
	c := f.client(t, nil)
	_, err := c.SaveTickets(context.Background(), []Ticket{{Summary: "Jane Doe - Acme", UserID: 3, TicketTypeID: 21}})
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrServer) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown wrapping a server error", err)
	}
	if f.posts != 0 {
		t.Errorf("fake recorded %d posts", f.posts)
	}
}

func TestUpsertFindsExistingRecords(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	f.firstOnly = true
	f.seed("users", 2, func(i int) map[string]any {
		return map[string]any{"emailaddress": fmt.Sprintf("user%d@example.com", i), "client_id": 5, "title": "old"}
	})
	c := f.client(t, nil)
	in := makeUsers(4, 5)
	in[0].Title, in[1].Title = "new", "new"
	got, err := c.UpsertUsers(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	checkSavedInOrder(t, f, in, got)
	if f.count("users") != 4 {
		t.Errorf("store holds %d users, want 4", f.count("users"))
	}
	u, err := c.User(context.Background(), got[0].ID)
	if err != nil || u.Title != "new" {
		t.Errorf("existing user not updated: %+v %v", u, err)
	}
}

func TestSaveFailsWhenIDsCannotBeRecovered(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/") {
			writeJSON(w, 201, map[string]any{}) // saved, but nothing useful echoed and nothing stored
			return true
		}
		return false
	}
	c := f.client(t, nil)
	_, err := c.SaveTags(context.Background(), []Tag{{Text: "hot"}, {Text: "cold"}})
	if !errors.Is(err, ErrOutcomeUnknown) || !strings.Contains(err.Error(), "2 of 2") {
		t.Fatalf("err = %v, want ErrOutcomeUnknown naming 2 of 2", err)
	}
}

func TestSaveActionsNeedsAnOutcome(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	c := f.client(t, nil)
	_, err := c.SaveActions(context.Background(), []Action{{TicketID: 1, Note: "hello"}})
	if !errors.Is(err, ErrMissingOutcome) || !IsValidation(err) || c.Requests() != 0 {
		t.Fatalf("err = %v after %d requests", err, c.Requests())
	}
	got, err := c.SaveActions(context.Background(), []Action{{TicketID: 1, Outcome: "Call", Note: "a"}, {TicketID: 1, Outcome: "Call", Note: "b"}})
	if err != nil || got[0].ID == 0 || got[1].ID == 0 || got[0].ID == got[1].ID {
		t.Fatalf("SaveActions = %+v, %v", got, err)
	}
}

func TestSingleEchoWithoutIDKeepsTheInput(t *testing.T) {
	t.Parallel()
	f := newFakeHalo(t)
	var posted atomic.Bool
	f.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/api/") {
			return false
		}
		posted.Store(true)
		f.post(httptest.NewRecorder(), r, "tags")              // saved…
		writeJSON(w, 201, map[string]any{"_warning": "saved"}) // …but the echo carries no id
		return true
	}
	c := f.client(t, nil)
	got, err := c.SaveTags(context.Background(), []Tag{{Text: "hot"}})
	if err != nil || got[0].Text != "hot" || got[0].ID == 0 || !posted.Load() {
		t.Fatalf("SaveTags = %+v, %v", got, err)
	}
}
