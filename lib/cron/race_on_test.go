//go:build race

package cron

// raceEnabled shrinks the brute-force comparisons, which the race detector
// slows down tenfold without finding anything (this package has no
// goroutines).
const raceEnabled = true
