package testwait

import (
	"testing"
	"time"
)

func TestBound(t *testing.T) {
	for _, tc := range []struct {
		left, want time.Duration
	}{
		{time.Hour, Most},
		{20 * time.Minute, Most},
		{5 * time.Minute, 5*time.Minute - grace},
		{grace + time.Second, least},
		{-time.Minute, least},
	} {
		if got := bound(tc.left); got != tc.want {
			t.Errorf("bound(%v) = %v, want %v", tc.left, got, tc.want)
		}
	}
	// This test's own deadline, if go test set one, is honoured.
	got := Bound(t)
	if at, ok := t.Deadline(); ok && time.Now().Add(got).After(at) {
		t.Errorf("Bound %v runs past the test's deadline %v", got, at)
	}
	if got < least || got > Most {
		t.Errorf("Bound = %v", got)
	}
	var b testing.B
	if got := Bound(&b); got != Most {
		t.Errorf("Bound(benchmark) = %v, want %v", got, Most)
	}
}
