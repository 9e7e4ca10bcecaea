package webapp

import (
	"fmt"
	"testing"
	"time"

	"glimpse/internal/testwait"
)

func TestAnswerUpdatesCoalesce(t *testing.T) {
	published := make(chan string, 100)
	u := &answerUpdates{publish: func(md string) { published <- md }}
	// The opening updates go out as they come...
	text := ""
	for i := range answerOpening {
		text += fmt.Sprintf("w%d ", i)
		u.set(text)
		if got := <-published; got != text {
			t.Fatalf("opening update %d = %q, want %q at once", i, got, text)
		}
	}
	// ...then a burst is coalesced, and its latest text still goes out.
	u.mu.Lock()
	u.last = time.Now() // so that the burst starts inside the interval
	u.mu.Unlock()
	for i := range 50 {
		text += fmt.Sprintf("b%d ", i)
		u.set(text)
	}
	var got []string
	for len(got) == 0 || got[len(got)-1] != text {
		select {
		case md := <-published:
			got = append(got, md)
		case <-time.After(testwait.Bound(t)):
			t.Fatalf("published %d updates; the latest text never went out", len(got))
		}
	}
	if len(got) > 5 {
		t.Fatalf("a burst of 50 texts made %d updates; want them coalesced", len(got))
	}

	// After stop, a pending update never goes out: the final form follows it.
	u.mu.Lock()
	u.last = time.Now() // so that the next text waits
	u.mu.Unlock()
	u.set("The train derailed in Ohio")
	u.stop()
	select {
	case md := <-published:
		t.Fatalf("published %q after stop", md)
	case <-time.After(5 * answerUpdateEvery):
	}
}
