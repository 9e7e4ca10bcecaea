// Package testwait gives tests one bound for waiting on an event that must
// come (a task ready, a page loaded, a message delivered). Reaching it fails
// the test; it is not a measurement, so it is generous: a loaded 2-core
// machine running another build beside the tests must not reach it.
package testwait

import (
	"testing"
	"time"
)

// Most is the bound when the test binary has no deadline of its own.
const Most = 10 * time.Minute

// grace is left before the binary's deadline (go test -timeout), so that a
// wait that gives up fails the test naming what it waited for instead of
// the binary panicking with every goroutine's stack.
const grace = 30 * time.Second

// least keeps a wait meaningful when the deadline is already close.
const least = 5 * time.Second

// Bound is how long tb may wait for one event: Most, or less when the test
// binary's deadline comes sooner. Benchmarks, which have no deadline, get
// Most.
func Bound(tb testing.TB) time.Duration {
	d, ok := tb.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return Most
	}
	at, ok := d.Deadline()
	if !ok {
		return Most
	}
	return bound(time.Until(at))
}

// bound is Bound given the time left before the binary's deadline.
func bound(left time.Duration) time.Duration {
	return max(least, min(Most, left-grace))
}
