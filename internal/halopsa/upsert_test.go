package halopsa

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// TestUpsertAboveFloorFindsAnEarlierAttemptsCreates: records created by an earlier attempt
// whose answer was lost are found by a read-back that stops at the floor (one page), and are
// updated, not created again; a server that ignores the ordering costs a full read, never a
// duplicate.
func TestUpsertAboveFloorFindsAnEarlierAttemptsCreates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, ordered := range []bool{true, false} {
		t.Run(fmt.Sprint("ordered=", ordered), func(t *testing.T) {
			t.Parallel()
			f := newFakeHalo(t)
			f.seed("users", 450, func(i int) map[string]any {
				return map[string]any{"emailaddress": fmt.Sprintf("old%d@example.com", i), "client_id": 5}
			})
			c := f.client(t, nil)
			floors, err := c.ReadFloors(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.SaveUsers(ctx, makeUsers(5, 5)); err != nil { // attempt 1, ids lost
				t.Fatal(err)
			}
			f.mu.Lock()
			f.ignoreOrder = !ordered
			f.mu.Unlock()
			var gets atomic.Int64
			f.intercept = countGets(&gets)
			got, err := c.UpsertUsersAbove(ctx, floors.Users, makeUsers(8, 5)) // attempt 2
			if err != nil {
				t.Fatal(err)
			}
			if n := f.count("users"); n != 458 {
				t.Errorf("%d users after the retry, want 458 (no duplicate)", n)
			}
			for i, u := range got {
				if u.ID == 0 {
					t.Errorf("user %d has no id", i)
				}
			}
			want := int64(1)
			if !ordered {
				want = 5 // the whole resource, 455 rows
			}
			if gets.Load() != want {
				t.Errorf("read-back took %d GETs, want %d", gets.Load(), want)
			}
		})
	}
}
