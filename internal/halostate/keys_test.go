package halostate_test

import (
	"encoding/json"
	"slices"
	"testing"

	"haloleads/internal/halostate"
)

// TestMatchKeys: the keys each kind of mirrored record is matched by. KeysVersion must change
// with any change here (the mirror's stored keys would no longer be the rules').
func TestMatchKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, kind, rec string
		want            []string
	}{
		{"user", halostate.KindUser, `{"id":1,"firstname":"Bob","surname":"Smith","emailaddress":"Bob.Smith@Acme.Example"}`,
			[]string{"email:bob.smith@acme.example", "name:acme.example|robert smith"}},
		{"user at a free-mail address", halostate.KindUser, `{"id":2,"firstname":"Ann","surname":"Lee","emailaddress":"ann@gmail.com"}`,
			[]string{"email:ann@gmail.com"}},
		{"role mailbox", halostate.KindUser, `{"id":3,"emailaddress":"info@acme.example"}`, []string{"email:info@acme.example"}},
		{"user without an address", halostate.KindUser, `{"id":4,"firstname":"Ann","surname":"Lee"}`, nil},
		{"inactive user", halostate.KindUser, `{"id":5,"firstname":"Bob","surname":"Smith","emailaddress":"bob@acme.example","inactive":true}`, nil},
		{"client", halostate.KindClient, `{"id":1,"name":"Acme Ltd","website":"https://www.acme.example/"}`,
			[]string{"domain:acme.example", "company:acme"}},
		{"client by name", halostate.KindClient, `{"id":2,"name":"Globex Corporation"}`, []string{"company:globex"}},
		{"inactive client", halostate.KindClient, `{"id":3,"name":"Acme","inactive":true}`, nil},
		{"ticket", halostate.KindTicket, `{"id":9,"user_id":4,"tickettype_id":31}`, []string{"lead-ticket:4:31"}},
		{"merged ticket", halostate.KindTicket, `{"id":10,"user_id":4,"tickettype_id":31,"merged_into_id":9}`, nil},
		{"another kind", "wrote-user", `"2026-12-03T10:00:00Z"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := halostate.MatchKeys(tc.kind, json.RawMessage(tc.rec))
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("MatchKeys(%s, %s) = %q, %v; want %q", tc.kind, tc.rec, got, err, tc.want)
			}
		})
	}
	if _, err := halostate.MatchKeys(halostate.KindUser, json.RawMessage(`{"id":`)); err == nil {
		t.Error("MatchKeys took a record cut short")
	}
}

// FuzzMatchKeys: any mirrored record decodes to keys or an error, the same each time.
func FuzzMatchKeys(f *testing.F) {
	f.Add(halostate.KindUser, `{"firstname":"Bob","surname":"Smith","emailaddress":"bob@acme.example"}`)
	f.Add(halostate.KindClient, `{"name":"Acme Ltd","website":"acme.example"}`)
	f.Add(halostate.KindTicket, `{"user_id":4,"tickettype_id":31}`)
	f.Fuzz(func(t *testing.T, kind, rec string) {
		a, errA := halostate.MatchKeys(kind, json.RawMessage(rec))
		b, errB := halostate.MatchKeys(kind, json.RawMessage(rec))
		if (errA == nil) != (errB == nil) || !slices.Equal(a, b) {
			t.Errorf("MatchKeys(%q, %q) differs between calls: %q %v, %q %v", kind, rec, a, errA, b, errB)
		}
	})
}
