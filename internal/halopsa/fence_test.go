package halopsa

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestWriteFence: every write request calls the fence before it waits for budget, and again
// when the wait outlived MaxAge; a fence that fails stops the write unsent (ErrFenced, nothing
// created); reads are never fenced.
func TestWriteFence(t *testing.T) {
	t.Parallel()
	refuse := errors.New("attempt superseded")
	tests := []struct {
		name      string
		fenceErr  error
		maxAge    time.Duration
		wantUsers int
		wantCalls int64
	}{
		{"fence passes", nil, time.Hour, 3, 1},
		{"fence fails", refuse, 0, 0, 1},
		{"a wait for budget past MaxAge is fenced again", nil, time.Nanosecond, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			c := f.client(t, nil)
			var calls atomic.Int64
			ctx := WithWriteFence(context.Background(), Fence{Check: func(context.Context) error {
				calls.Add(1)
				return tt.fenceErr
			}, MaxAge: tt.maxAge})
			if _, err := collect(c.Users(ctx, UserQuery{})); err != nil {
				t.Fatalf("reading users: %v", err)
			}
			if calls.Load() != 0 {
				t.Errorf("a read called the fence %d times", calls.Load())
			}
			_, err := c.SaveUsers(ctx, makeUsers(3, 5))
			if tt.fenceErr == nil && err != nil {
				t.Fatalf("save: %v", err)
			}
			if tt.fenceErr != nil && (!errors.Is(err, ErrFenced) || !errors.Is(err, refuse)) {
				t.Fatalf("save error = %v, want ErrFenced wrapping the fence's error", err)
			}
			if n := f.count("users"); n != tt.wantUsers {
				t.Errorf("%d users created, want %d", n, tt.wantUsers)
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("the fence was called %d times for one POST, want %d", calls.Load(), tt.wantCalls)
			}
		})
	}
}

// TestUpsertTellsSameNamedCompaniesApart: a read-back matches a client by name only when its
// website agrees (scheme, "www." and a trailing slash aside), so a retry never adopts another
// company that happens to share the name.
func TestUpsertTellsSameNamedCompaniesApart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		website string
		want    int // clients afterwards
	}{
		{"same website", "https://www.acme-one.example/", 1},
		{"another website", "acme-two.example", 2},
		{"no website", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			f.seed("client", 1, func(int) map[string]any {
				return map[string]any{"name": "Acme", "website": "acme-one.example"}
			})
			c := f.client(t, nil)
			got, err := c.UpsertCustomersAbove(context.Background(), 0, []Customer{{Name: "ACME ", Website: tt.website}})
			if err != nil {
				t.Fatal(err)
			}
			if n := f.count("client"); n != tt.want {
				t.Errorf("%d clients, want %d", n, tt.want)
			}
			if got[0].ID == 0 {
				t.Errorf("the client has no id")
			}
		})
	}
}
