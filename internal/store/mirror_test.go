package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

func TestMirrorAndWatermarks(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		recs := []MirrorRecord{{"user", 2, json.RawMessage(`{"id":2,"name":"B"}`)}, {"user", 1, json.RawMessage(`{"id":1}`)},
			{"client", 1, json.RawMessage(`{"id":1,"name":"Acme"}`)}}
		if err := s.SaveMirror(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveMirror(ctx, []MirrorRecord{{"user", 2, json.RawMessage(`{"id":2,"name":"B2"}`)}}); err != nil {
			t.Fatal(err)
		}
		var got []string
		err := s.Mirror(ctx, "user", func(id int, rec json.RawMessage) error {
			got = append(got, string(rec))
			return nil
		})
		if err != nil || len(got) != 2 || got[0] != `{"id":1}` || got[1] != `{"id":2,"name":"B2"}` {
			t.Errorf("users in the mirror: %q, %v", got, err)
		}
		if _, ok, err := s.Watermark(ctx, "mirror:users"); ok || err != nil {
			t.Errorf("unset watermark: ok %v, %v", ok, err)
		}
		t1 := time.Date(2026, 12, 3, 10, 0, 0, 123456700, time.UTC)
		for _, at := range []time.Time{t1, t1.Add(-time.Hour)} { // never moves back
			if err := s.AdvanceWatermark(ctx, "mirror:users", at); err != nil {
				t.Fatal(err)
			}
		}
		if at, ok, err := s.Watermark(ctx, "mirror:users"); !ok || err != nil || !at.Equal(t1) {
			t.Errorf("watermark = %v %v %v, want %v", at, ok, err, t1)
		}
		if err := s.AdvanceWatermark(ctx, "reconcile:users", t1); err != nil {
			t.Fatal(err)
		}
		if err := s.ForgetWatermark(ctx, "mirror:users"); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.Watermark(ctx, "mirror:users"); ok || err != nil {
			t.Errorf("forgotten watermark: ok %v, %v", ok, err)
		}
		if _, ok, err := s.Watermark(ctx, "reconcile:users"); !ok || err != nil {
			t.Errorf("another watermark after a forget: ok %v, %v", ok, err)
		}
	})
}
