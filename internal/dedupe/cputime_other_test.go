//go:build !unix

package dedupe

import "time"

// cpuTime is not measured off Unix; records/cpu-s then reads as +Inf.
func cpuTime() time.Duration { return 0 }

// maxRSS is not measured off Unix.
func maxRSS() uint64 { return 0 }
