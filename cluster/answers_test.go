package cluster

import (
	"context"
	"testing"
	"time"

	"glimpse/internal/testwait"
	"glimpse/webapp"
)

func answerBook(t *testing.T, url string) *AnswerBook {
	b := connect(t, url).AnswerBook()
	t.Cleanup(b.Close)
	return b
}

// A question asked on instance A is found, run once, stopped and handed
// over in its final form on instance B.
func TestAnswerBookSharedBetweenInstances(t *testing.T) {
	ctx := context.Background()
	url := startRedis(t)
	a, b := answerBook(t, url), answerBook(t, url)
	q := webapp.Question{ID: "q1", Owner: "s1", IndexID: "i1", VideoID: "v1", Prompt: "Where is this?"}

	if _, ok, err := b.Get(ctx, "q1"); ok || err != nil {
		t.Fatalf("before Put: ok %v err %v", ok, err)
	}
	if started, _ := b.Start(ctx, "q1", time.Minute); started {
		t.Fatal("an unknown question could be started")
	}
	if err := a.Put(ctx, q, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, ok, err := b.Get(ctx, "q1")
	if err != nil || !ok || got != q {
		t.Fatalf("B gets %+v ok %v err %v, want %+v", got, ok, err, q)
	}

	// One run wherever the streams open.
	starts := []struct {
		name string
		book *AnswerBook
		want bool
	}{{"B claims the run", b, true}, {"A then finds it claimed", a, false}, {"B again (a reconnect)", b, false}}
	for _, s := range starts {
		if got, err := s.book.Start(ctx, "q1", time.Minute); got != s.want || err != nil {
			t.Errorf("%s: started %v err %v, want %v", s.name, got, err, s.want)
		}
	}

	// Stop asked on A ends the run watching on B.
	stopped, release := b.Stopped(ctx, "q1")
	defer release()
	select {
	case <-stopped:
		t.Fatal("stopped before Stop")
	default:
	}
	if err := a.Stop(ctx, "q1"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(testwait.Bound(t)):
		t.Fatal("B's run did not hear A's Stop")
	}
	// A watch begun after the stop is closed at once.
	late, release2 := a.Stopped(ctx, "q1")
	defer release2()
	select {
	case <-late:
	default:
		t.Error("a watch begun after Stop is not closed")
	}

	// The final form, kept on B, is what a page reconnecting to A gets.
	if final, err := a.Final(ctx, "q1"); final != nil || err != nil {
		t.Errorf("final before Finish: %q %v", final, err)
	}
	if err := b.Finish(ctx, "q1", []byte("<article>East Palestine</article>"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if final, err := a.Final(ctx, "q1"); string(final) != "<article>East Palestine</article>" || err != nil {
		t.Errorf("A's final: %q %v", final, err)
	}
}

// Questions expire as the in-process book's do, and a stop or a finish for
// one that is gone does not bring it back.
func TestAnswerBookForgetsExpiredQuestions(t *testing.T) {
	ctx := context.Background()
	url := startRedis(t)
	a, b := answerBook(t, url), answerBook(t, url)
	if err := a.Put(ctx, webapp.Question{ID: "q2", Owner: "s1"}, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(testwait.Bound(t))
	for {
		if _, ok, _ := b.Get(ctx, "q2"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a question never started is still registered")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := b.Stop(ctx, "q2"); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(ctx, "q2", []byte("late"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := a.Get(ctx, "q2"); ok {
		t.Error("Stop or Finish brought an expired question back")
	}
	if started, _ := a.Start(ctx, "q2", time.Minute); started {
		t.Error("an expired question could be started")
	}
}
