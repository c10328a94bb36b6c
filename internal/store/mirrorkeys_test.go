package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"testing"
)

// TestMirrorKeys: keyed records are matched by their keys (the lowest id holding a key), a
// record saved again without keys loses them until it is keyed again, records keyed by other
// rules are listed for keying, and a record saved since it was read is not keyed by the stale
// read.
func TestMirrorKeys(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		rec := func(id int, v string) MirrorRecord {
			return MirrorRecord{Kind: "user", ID: id, Record: json.RawMessage(`{"v":"` + v + `"}`)}
		}
		match := func(keys ...string) map[string]int {
			t.Helper()
			got, err := s.MirrorMatch(ctx, "user", keys)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		err := s.SaveKeyedMirror(ctx, 1, []MirrorRecord{rec(7, "a"), rec(3, "b"), rec(9, "c")},
			[][]string{{"email:a", "name:x"}, {"name:x"}, nil})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveMirror(ctx, []MirrorRecord{{Kind: "client", ID: 1, Record: json.RawMessage(`{}`)}}); err != nil {
			t.Fatal(err)
		}
		if got, want := match("email:a", "name:x", "email:none"), map[string]int{"email:a": 7, "name:x": 3}; !maps.Equal(got, want) {
			t.Errorf("matches = %v, want %v", got, want)
		}
		if got, err := s.MirrorMatch(ctx, "client", []string{"name:x"}); err != nil || len(got) != 0 {
			t.Errorf("another kind's matches = %v, %v", got, err)
		}
		// Keys are replaced by a keyed save; an unkeyed save leaves the record unkeyed.
		if err := s.SaveKeyedMirror(ctx, 1, []MirrorRecord{rec(3, "b2")}, [][]string{{"email:b"}}); err != nil {
			t.Fatal(err)
		}
		if got, want := match("name:x", "email:b"), map[string]int{"name:x": 7, "email:b": 3}; !maps.Equal(got, want) {
			t.Errorf("after a keyed save: %v, want %v", got, want)
		}
		if unkeyed, err := s.UnkeyedMirror(ctx, "user", 1, 10); err != nil || len(unkeyed) != 0 {
			t.Errorf("unkeyed records after keyed saves: %v, %v", unkeyed, err)
		}
		if err := s.SaveMirror(ctx, []MirrorRecord{rec(9, "c2")}); err != nil {
			t.Fatal(err)
		}
		unkeyed, err := s.UnkeyedMirror(ctx, "user", 1, 10)
		if err != nil || len(unkeyed) != 1 || unkeyed[0].ID != 9 || string(unkeyed[0].Record) != `{"v":"c2"}` {
			t.Fatalf("unkeyed records = %v, %v; want user 9 as saved", unkeyed, err)
		}
		// Other rules (version 2): every record is listed, in id order, a page at a time.
		unkeyed, err = s.UnkeyedMirror(ctx, "user", 2, 2)
		if err != nil || len(unkeyed) != 2 || unkeyed[0].ID != 3 || unkeyed[1].ID != 7 {
			t.Fatalf("records to key by version 2 = %v, %v; want users 3 and 7", unkeyed, err)
		}
		stale := rec(7, "a")
		if err := s.SaveMirror(ctx, []MirrorRecord{rec(7, "a2")}); err != nil {
			t.Fatal(err)
		}
		n, err := s.KeyMirror(ctx, 2, []MirrorRecord{unkeyed[0], stale}, [][]string{{"email:b2"}, {"email:stale"}})
		if err != nil || n != 1 {
			t.Errorf("KeyMirror keyed %d, %v; want 1 (user 7 was saved since it was read)", n, err)
		}
		if got, want := match("email:b", "email:b2", "email:stale", "email:a"), map[string]int{"email:b2": 3, "email:a": 7}; !maps.Equal(got, want) {
			t.Errorf("after KeyMirror: %v, want %v", got, want)
		}
		if top, err := s.MirrorTop(ctx, "user"); err != nil || top != 9 {
			t.Errorf("MirrorTop(user) = %d, %v; want 9", top, err)
		}
		if top, err := s.MirrorTop(ctx, "ticket"); err != nil || top != 0 {
			t.Errorf("MirrorTop(ticket) = %d, %v; want 0", top, err)
		}
		if err := s.SaveKeyedMirror(ctx, 1, []MirrorRecord{rec(1, "x")}, nil); err == nil {
			t.Error("SaveKeyedMirror took a record without its keys")
		}
		// More keys than one query asks for.
		many := make([]string, 2*mirrorMatchChunk+1)
		for i := range many {
			many[i] = fmt.Sprintf("phone:%d", i)
		}
		many[len(many)-1] = "email:b2"
		if got := match(many...); len(got) != 1 || got["email:b2"] != 3 {
			t.Errorf("matching %d keys: %v, want email:b2 → 3", len(many), got)
		}
	})
}
