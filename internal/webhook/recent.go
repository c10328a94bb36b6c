package webhook

import (
	"container/list"
	"sync"
)

// recentIDs is a bounded set of recently seen event ids, evicting the least recently seen. It
// is safe for concurrent use.
type recentIDs struct {
	mu    sync.Mutex
	max   int
	order *list.List               // front: most recently seen
	index map[string]*list.Element // id → its element in order
}

// newRecentIDs returns an empty set that remembers up to max ids.
func newRecentIDs(max int) *recentIDs {
	return &recentIDs{max: max, order: list.New(), index: make(map[string]*list.Element, max)}
}

// add records id and reports whether it was new. A repeat counts as a fresh sighting.
func (r *recentIDs) add(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.index[id]; ok {
		r.order.MoveToFront(el)
		return false
	}
	r.index[id] = r.order.PushFront(id)
	if r.order.Len() > r.max {
		oldest := r.order.Back()
		r.order.Remove(oldest)
		delete(r.index, oldest.Value.(string))
	}
	return true
}

// remove forgets id, so that its next delivery is treated as new.
func (r *recentIDs) remove(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.index[id]; ok {
		r.order.Remove(el)
		delete(r.index, id)
	}
}

// len reports how many ids are remembered.
func (r *recentIDs) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.order.Len()
}
