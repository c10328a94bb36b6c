//go:build !linux

package bench

// peakRSS is not measured on this platform: the figure reads 0.
func peakRSS() int64 { return 0 }
