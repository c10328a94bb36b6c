package store

import (
	"context"
	"path/filepath"
	"testing"
)

func TestLandCountsAddUpEarlierAttempts(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
