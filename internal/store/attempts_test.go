package store

import (
	"context"
	"encoding/json"
	"testing"
)

func TestLandCountsAddUpEarlierAttempts(t *testing.T) {
	t.Parallel()
	s := openSQLite(t)
	ctx := context.Background()
	for _, c := range []struct {
		batch, attempt int
		n              LandCount
	}{
		{0, 1, LandCount{Requests: 9, Writes: 3}},
		{0, 1, LandCount{Requests: 12, Writes: 4}}, // the same attempt, later: replaces
		{0, 2, LandCount{Requests: 5, Writes: 2}},
		{1, 1, LandCount{Requests: 100, Writes: 50}}, // another batch
	} {
		if err := s.SaveLandCount(ctx, "run", c.batch, c.attempt, c.n); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		batch, attempt int
		want           LandCount
	}{
		{0, 1, LandCount{}},
		{0, 2, LandCount{Requests: 12, Writes: 4}},
		{0, 3, LandCount{Requests: 17, Writes: 6}},
		{1, 2, LandCount{Requests: 100, Writes: 50}},
	} {
		got, err := s.EarlierLandCounts(ctx, "run", tt.batch, tt.attempt)
		if err != nil || got != tt.want {
			t.Errorf("EarlierLandCounts(batch %d, attempt %d) = %+v, %v; want %+v", tt.batch, tt.attempt, got, err, tt.want)
		}
	}
	if err := s.DropRun(ctx, "run"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.EarlierLandCounts(ctx, "run", 0, 3); got != (LandCount{}) {
		t.Errorf("after DropRun: %+v, want nothing", got)
	}
}

func TestLandProgressAndAllCounts(t *testing.T) {
	t.Parallel()
	s := openSQLite(t)
	ctx := context.Background()
	if p, err := s.LandProgress(ctx, "run", 0); p != nil || err != nil {
		t.Fatalf("LandProgress before any = %s, %v; want nothing", p, err)
	}
	for attempt, n := range []LandCount{{Requests: 7, Writes: 2}, {Requests: 4, Writes: 1}} {
		if err := s.SaveLandCount(ctx, "run", 0, attempt+1, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{`{"ids":[{"user_id":1}]}`, `{"ids":[{"user_id":1,"ticket_id":9}]}`} {
		if err := s.SaveLandProgress(ctx, "run", 0, json.RawMessage(p)); err != nil {
			t.Fatal(err)
		}
	}
	if p, err := s.LandProgress(ctx, "run", 0); string(p) != `{"ids":[{"user_id":1,"ticket_id":9}]}` || err != nil {
		t.Errorf("LandProgress = %s, %v; want the last one saved", p, err)
	}
	// The progress row is not an attempt: the counts are the two attempts'.
	if got, err := s.LandCounts(ctx, "run", 0); got != (LandCount{Requests: 11, Writes: 3}) || err != nil {
		t.Errorf("LandCounts = %+v, %v; want 11 requests, 3 writes", got, err)
	}
	if got, _ := s.EarlierLandCounts(ctx, "run", 0, 3); got != (LandCount{Requests: 11, Writes: 3}) {
		t.Errorf("EarlierLandCounts(attempt 3) = %+v; want 11 requests, 3 writes", got)
	}
	if err := s.DropRun(ctx, "run"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.LandProgress(ctx, "run", 0); p != nil {
		t.Errorf("after DropRun: progress %s, want none", p)
	}
}
