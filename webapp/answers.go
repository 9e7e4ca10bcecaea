package webapp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"

	"glimpse/templates"
	"glimpse/tlclient"
)

const (
	// answerStartTimeout drops an answer whose page never opened its stream.
	answerStartTimeout = time.Minute
	// answerRunTTL bounds how long a started answer stays registered when
	// its run never reached an end (its instance went away).
	answerRunTTL = 30 * time.Minute
	// doneGrace is how long a finished answer waits for its page to close
	// the stream, which the page does on the "done" event.
	doneGrace = 2 * time.Second
	// answerLinger is how long a finished answer's final form is kept for a
	// page that reconnects.
	answerLinger = time.Minute
)

// Question is one question about a video, as registered until answered.
type Question struct {
	ID               string
	Owner            string // the asking session; only it may stream or stop the answer
	IndexID, VideoID string
	Prompt           string
	Temperature      *float64
}

// Stream is the hub stream the answer is written to.
func (q Question) Stream() string { return "answer-" + q.ID }

// AnswerBook registers the questions being answered, so that the stream of
// an answer may be opened, and its answer stopped, on any instance. A nil
// AnswerBook in Answers is an in-process one.
type AnswerBook interface {
	// Put registers q, which is dropped unless started within ttl.
	Put(ctx context.Context, q Question, ttl time.Duration) error
	// Get is a registered question.
	Get(ctx context.Context, id string) (q Question, ok bool, err error)
	// Start claims the run of id: only the first caller, on any instance,
	// gets true; the question then stays registered for ttl.
	Start(ctx context.Context, id string, ttl time.Duration) (bool, error)
	// Finish keeps the answer's final form for ttl, for a page that reconnects.
	Finish(ctx context.Context, id string, final []byte, ttl time.Duration) error
	// Final is the final form, nil while there is none.
	Final(ctx context.Context, id string) ([]byte, error)
	// Stop asks the answer's run to stop wherever it runs (or, before it
	// starts, to stop at once).
	Stop(ctx context.Context, id string) error
	// Stopped is closed once Stop has been called for id; release frees
	// what watching for it holds.
	Stopped(ctx context.Context, id string) (stopped <-chan struct{}, release func())
}

// Answers answers questions about videos: the question is registered when
// asked, its upstream request runs once the page's stream subscribes
// (on whichever instance it reaches), each piece updates the text so far
// on the stream, and the end is one "done" fragment kept for a while.
type Answers struct {
	Hub Hub
	Log *slog.Logger
	// Book registers the questions; nil keeps them in this process.
	Book AnswerBook
}

// ErrNoAnswer is an answer that is unknown, over, or not the session's.
var ErrNoAnswer = errors.New("webapp: no such answer")

// NewAnswers makes Answers over hub with an in-process book.
func NewAnswers(hub Hub, log *slog.Logger) *Answers {
	return &Answers{Hub: hub, Log: log, Book: NewMemoryAnswerBook()}
}

func (a *Answers) log() *slog.Logger {
	if a.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Log
}

// Ask registers q under a new ID and opens its stream for q.Owner.
func (a *Answers) Ask(ctx context.Context, q Question) (Question, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return Question{}, err
	}
	q.ID = hex.EncodeToString(b)
	if !a.Hub.Open(q.Stream(), q.Owner) {
		return Question{}, errors.New("webapp: the events hub refused a new answer stream")
	}
	if err := a.Book.Put(ctx, q, answerStartTimeout); err != nil {
		return Question{}, err
	}
	return q, nil
}

// Find is the answer id of owner about the video, or ErrNoAnswer.
func (a *Answers) Find(ctx context.Context, id, owner, indexID, videoID string) (Question, error) {
	q, ok, err := a.Book.Get(ctx, id)
	if err != nil {
		return Question{}, err
	}
	if !ok || owner == "" || q.Owner != owner || q.IndexID != indexID || q.VideoID != videoID {
		return Question{}, ErrNoAnswer
	}
	return q, nil
}

// Begin claims the run of q for the stream being opened, and opens the
// stream on this instance. When another stream ran it already (a page
// reconnecting), first is false and final is its final form, nil while
// there is none.
func (a *Answers) Begin(ctx context.Context, q Question) (first bool, final []byte, err error) {
	first, err = a.Book.Start(ctx, q.ID, answerRunTTL)
	if err != nil || !first {
		if err == nil {
			final, err = a.Book.Final(ctx, q.ID)
		}
		return false, final, err
	}
	a.Hub.Open(q.Stream(), q.Owner)
	return true, nil, nil
}

// Stop stops owner's answer id wherever it runs; an answer that ended is
// not an error, another session's is ErrNoAnswer.
func (a *Answers) Stop(ctx context.Context, id, owner string) error {
	q, ok, err := a.Book.Get(ctx, id)
	if err != nil || !ok {
		return err
	}
	if q.Owner != owner {
		return ErrNoAnswer
	}
	return a.Book.Stop(ctx, id)
}

// Run writes the answer to q: it waits until the stream has subscribed,
// reads the upstream NDJSON stream, publishes the text so far after every
// piece (throttled), then the final form. ctx ends the upstream request
// (the stream's client left); so does Stop. endServe lets the stream go a
// while after the final form was sent.
func (a *Answers) Run(ctx context.Context, api AnalysisAPI, q Question, subscribed <-chan struct{}, endServe func()) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopped, release := a.Book.Stopped(ctx, q.ID)
	defer release()
	go func() {
		select {
		case <-stopped:
			cancel()
		case <-ctx.Done():
		}
	}()
	select {
	case <-subscribed:
	case <-ctx.Done():
		return
	}
	var (
		text      strings.Builder
		ended     bool
		finish    string
		streamErr error
	)
	stream := q.Stream()
	updates := &answerUpdates{publish: func(md string) {
		a.Hub.Publish(stream, "answer", []byte(templates.AnswerBodyHTML(md)))
	}}
	for ev, err := range api.AnalyzeStream(ctx, tlclient.AnalyzeRequest{
		VideoID: q.VideoID, Prompt: q.Prompt, Temperature: q.Temperature,
	}) {
		if err != nil {
			streamErr = err
			break
		}
		switch ev.EventType {
		case tlclient.EventTextGeneration:
			if ev.Text == "" {
				continue
			}
			text.WriteString(ev.Text)
			updates.set(text.String())
		case tlclient.EventStreamEnd:
			ended, finish = true, ev.FinishReason
		}
	}
	updates.stop()

	log := a.log()
	view := templates.AnswerView{
		IndexID: q.IndexID, VideoID: q.VideoID, ID: q.ID, Prompt: q.Prompt,
		Text: text.String(), State: templates.AnswerDone,
	}
	switch {
	case ctx.Err() != nil:
		view.State, view.Note = templates.AnswerStopped, "Stopped."
		log.Info("answer stopped", "video", q.VideoID, "answer", q.ID, "chars", text.Len())
	case streamErr != nil:
		view.State, view.Note = templates.AnswerFailed, streamFailure(streamErr)
		log.Error("answer failed", "video", q.VideoID, "answer", q.ID, "err", streamErr)
	case !ended:
		view.State = templates.AnswerFailed
		view.Note = "The answer was cut off: the API closed the stream before the end."
		log.Error("answer cut off", "video", q.VideoID, "answer", q.ID, "chars", text.Len())
	case finish == "length":
		view.Note = "The answer reached its length limit."
	}
	var buf bytes.Buffer
	if err := templates.AnswerFragment(view).Render(context.Background(), &buf); err != nil {
		log.Error("answer not rendered", "answer", q.ID, "err", err)
		return
	}
	final := []byte(templates.OneLine(buf.String()))
	kctx, kcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	if err := a.Book.Finish(kctx, q.ID, final, answerLinger); err != nil {
		log.Warn("answer's final form not kept", "answer", q.ID, "err", err)
	}
	kcancel()
	a.Hub.Publish(stream, "done", final)

	// The page closes the stream on "done". A client still there a moment
	// later may not have got it (the hub drops events for a client that
	// fell behind a burst): send it once more, then end the stream, and the
	// reconnecting page is handed the final form by Begin.
	select {
	case <-ctx.Done():
		return
	case <-time.After(doneGrace / 8):
		a.Hub.Publish(stream, "done", final)
	}
	select {
	case <-ctx.Done():
	case <-time.After(doneGrace):
		endServe()
	}
}

// streamFailure says what went wrong mid-answer, in words meant for the
// person; API errors keep the API's own message.
func streamFailure(err error) string {
	if _, msg, ok := DescribeAPIError(err); ok {
		return "The answer stopped: " + msg
	}
	return "The answer was cut off: the connection to the API failed."
}
