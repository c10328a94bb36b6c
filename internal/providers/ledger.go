package providers

import (
	"maps"
	"sync"
)

// Ledger counts the credits a client spent, in total and per operation ("people/bulk_match").
// It is safe for concurrent use; the zero value is ready.
type Ledger struct {
	mu    sync.Mutex
	total int
	byOp  map[string]int
}

// Charge records n credits spent by op. Non-positive n is ignored.
func (l *Ledger) Charge(op string, n int) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byOp == nil {
		l.byOp = make(map[string]int)
	}
	l.total += n
	l.byOp[op] += n
}

// Total returns all credits charged so far.
func (l *Ledger) Total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// ByOperation returns a copy of the credits per operation.
func (l *Ledger) ByOperation() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.byOp)
}
