package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"glimpse/analysisstore"
	"glimpse/templates"
	"glimpse/tlclient"
)

// AnalysisAPI is what the analysis feature asks of the TwelveLabs API.
type AnalysisAPI interface {
	Gist(ctx context.Context, r tlclient.GistRequest) (*tlclient.Gist, error)
	Summarize(ctx context.Context, r tlclient.SummarizeRequest) (*tlclient.Summary, error)
	AnalyzeStream(ctx context.Context, r tlclient.AnalyzeRequest) iter.Seq2[tlclient.StreamEvent, error]
}

// AnalysisStore keeps each video's generated analysis, so a reload of the
// watch page does not ask the API again; package analysisstore implements it.
type AnalysisStore interface {
	Load(indexID, videoID string) (rec analysisstore.Record, ok bool, err error)
	Save(rec analysisstore.Record) error
}

const (
	// maxPromptRunes keeps absurd input away from the API; the API itself
	// counts tokens (2,000 at most) and says so when a prompt is too long.
	maxPromptRunes = 8000
	// answerStartTimeout drops an answer whose page never opened its stream.
	answerStartTimeout = time.Minute
	// answerUpdateEvery bounds how often the text so far is sent to the
	// page, after the first answerOpening updates, which go out at once.
	answerUpdateEvery = 15 * time.Millisecond
	answerOpening     = 8
	// doneGrace is how long a finished answer waits for its page to close
	// the stream, which the page does on the "done" event.
	doneGrace = 2 * time.Second
	// answerLinger is how long a finished answer's final form is kept for a
	// page that reconnects.
	answerLinger = time.Minute
)

// analysisPanel shows the kept analysis of a video (GET .../analysis, loaded
// by the watch page). When none is kept it answers with a placeholder that
// asks again with ?generate=1, which generates and keeps it.
func (s *Server) analysisPanel(c *gin.Context) error {
	return s.showAnalysis(c, false)
}

// regenerateAnalysis asks the API afresh and replaces what was kept
// (POST .../analysis, the "Ask afresh" button).
func (s *Server) regenerateAnalysis(c *gin.Context) error {
	return s.showAnalysis(c, true)
}

func (s *Server) showAnalysis(c *gin.Context, fresh bool) error {
	if s.Analyses == nil {
		return errors.New("handlers: Server.Analyses is not set")
	}
	indexID, videoID := c.Param("indexID"), c.Param("videoID")
	panel := templates.AnalysisPanel{IndexID: indexID, VideoID: videoID}
	ctx := c.Request.Context()

	var (
		rec analysisstore.Record
		ok  bool
		err error
	)
	account := accountScope(s.Sessions.Get(c.Request).APIKey)
	if !fresh {
		if rec, ok, err = s.Analyses.Load(indexID, videoID); err != nil {
			// A damaged record is regenerated rather than shown as an error.
			s.Log.WarnContext(ctx, "analysis record unreadable", "index", indexID, "video", videoID, "err", err)
		}
		// Another account's analysis (or one kept before accounts were
		// recorded) is not shown; this account's replaces it.
		ok = ok && rec.Account == account
	}
	if !ok && !fresh && c.Query("generate") == "" {
		// Say at once that it is coming; the placeholder asks for it.
		return render(c, templates.AnalysisPending(indexID, videoID))
	}
	if !ok {
		// The backend is picked here: the generation outlives this request,
		// and gin reuses c once the handler returns. Runs are shared only
		// between sessions on the same account.
		api := s.backend(c).Client
		rec, err = s.analyses.do(ctx, account+"/"+indexID+"/"+videoID, func(ctx context.Context) (analysisstore.Record, error) {
			rec, err := generateAnalysis(ctx, api, indexID, videoID)
			if err == nil {
				rec.Account = account
				if err := s.Analyses.Save(rec); err != nil {
					// The person still sees the analysis; only the keeping failed.
					s.Log.ErrorContext(ctx, "analysis not kept", "index", indexID, "video", videoID, "err", err)
				}
			}
			return rec, err
		})
		if err != nil {
			status, msg := classify(err)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			s.Log.Log(ctx, level, "analysis failed", "index", indexID, "video", videoID, "status", status, "err", err)
			// The panel says what went wrong in place, with a button to try again.
			panel.Error = "Could not analyse this video: " + msg
			return render(c, templates.AnalysisPanelView(panel))
		}
	}
	fillPanel(&panel, rec)
	return render(c, templates.AnalysisPanelView(panel))
}

// accountScope names the account a session's requests go to without
// keeping its key: a digest of the pasted key, or "default".
func accountScope(apiKey string) string {
	if apiKey == "" {
		return "default"
	}
	sum := sha256.Sum256([]byte(apiKey))
	return hex.EncodeToString(sum[:8])
}

// generations lets one generation of a video's analysis serve every
// request that wants it meanwhile (two tabs, a reload while it runs), so
// the API is asked once.
type generations struct {
	mu      sync.Mutex
	running map[string]*generation
}

type generation struct {
	done chan struct{}
	rec  analysisstore.Record
	err  error
}

// generationTimeout bounds one generation, which no single request owns.
const generationTimeout = 5 * time.Minute

// do runs gen for key unless it is running already, and waits for its
// result or for ctx to end. The generation itself does not end with the
// request that started it: others may be waiting, and its result is kept.
func (g *generations) do(ctx context.Context, key string, gen func(context.Context) (analysisstore.Record, error)) (analysisstore.Record, error) {
	g.mu.Lock()
	run, ok := g.running[key]
	if !ok {
		if g.running == nil {
			g.running = map[string]*generation{}
		}
		run = &generation{done: make(chan struct{})}
		g.running[key] = run
		go func() {
			gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), generationTimeout)
			defer cancel()
			run.rec, run.err = gen(gctx)
			g.mu.Lock()
			delete(g.running, key)
			g.mu.Unlock()
			close(run.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-run.done:
		return run.rec, run.err
	case <-ctx.Done():
		return analysisstore.Record{}, ctx.Err()
	}
}

// generateAnalysis asks for the gist and the three kinds of summary at once
// and keeps them only when all four answered.
func generateAnalysis(ctx context.Context, api AnalysisAPI, indexID, videoID string) (analysisstore.Record, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg        sync.WaitGroup
		gist      *tlclient.Gist
		summaries [3]*tlclient.Summary
		errs      [4]error
	)
	wg.Go(func() {
		gist, errs[0] = api.Gist(ctx, tlclient.GistRequest{VideoID: videoID, Types: []string{"title", "topic", "hashtag"}})
		if errs[0] != nil {
			cancel()
		}
	})
	for i, kind := range []string{"summary", "chapter", "highlight"} {
		wg.Go(func() {
			summaries[i], errs[i+1] = api.Summarize(ctx, tlclient.SummarizeRequest{VideoID: videoID, Type: kind})
			if errs[i+1] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	// The first error that is not the cancellation caused by another one.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return analysisstore.Record{}, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return analysisstore.Record{}, err
		}
	}
	return analysisstore.Record{
		IndexID:     indexID,
		VideoID:     videoID,
		Title:       gist.Title,
		Topics:      gist.Topics,
		Hashtags:    gist.Hashtags,
		Summary:     summaries[0].Summary,
		Chapters:    summaries[1].Chapters,
		Highlights:  summaries[2].Highlights,
		GeneratedAt: time.Now().UTC(),
	}, nil
}

func fillPanel(p *templates.AnalysisPanel, rec analysisstore.Record) {
	p.Ready = true
	p.Title = rec.Title
	p.Topics = rec.Topics
	p.Hashtags = rec.Hashtags
	p.Summary = rec.Summary
	p.GeneratedAt = rec.GeneratedAt
	for _, ch := range rec.Chapters {
		p.Chapters = append(p.Chapters, templates.AnalysisMoment{
			Start: ch.StartSec, End: ch.EndSec, Title: ch.ChapterTitle, Text: ch.ChapterSummary})
	}
	for _, h := range rec.Highlights {
		p.Highlights = append(p.Highlights, templates.AnalysisMoment{
			Start: h.StartSec, End: h.EndSec, Title: h.Highlight, Text: h.HighlightSummary})
	}
}

// answerRun is one question being answered. Its upstream request lives from
// the moment the page's SSE stream subscribes until the answer ends, the
// stream's client leaves, or the person presses stop.
type answerRun struct {
	id, owner, stream string
	indexID, videoID  string
	prompt            string
	temperature       *float64
	api               AnalysisAPI

	ctx    context.Context // the upstream request's; cancel stops it
	cancel context.CancelFunc
	// started is set once, by the SSE stream that runs the answer or by
	// the timer that drops an answer nobody came for.
	started atomic.Bool
	expire  *time.Timer

	mu    sync.Mutex
	final []byte // the "done" fragment, once the answer has ended
}

// answerRuns are the answers in flight (and, briefly, just finished).
type answerRuns struct {
	mu   sync.Mutex
	runs map[string]*answerRun
}

func (a *answerRuns) add(r *answerRun) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.runs == nil {
		a.runs = map[string]*answerRun{}
	}
	a.runs[r.id] = r
}

func (a *answerRuns) get(id string) *answerRun {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.runs[id]
}

func (a *answerRuns) remove(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.runs, id)
}

// askAboutVideo takes a question and answers with the answer's fragment,
// which opens the SSE stream the answer is written to
// (POST .../analysis/answers).
func (s *Server) askAboutVideo(c *gin.Context) error {
	indexID, videoID := c.Param("indexID"), c.Param("videoID")
	prompt := strings.TrimSpace(c.PostForm("prompt"))
	if prompt == "" {
		return badRequest("Type a question about the video first.")
	}
	if n := utf8.RuneCountInString(prompt); n > maxPromptRunes {
		return badRequest(fmt.Sprintf("The question is %d characters long; keep it under %d.", n, maxPromptRunes))
	}
	temperature, err := parseTemperature(c.PostForm("temperature"))
	if err != nil {
		return err
	}
	owner := s.Sessions.Get(c.Request).ID
	if owner == "" {
		return forbidden("Your session has expired; reload the page and ask again.")
	}

	id, err := newAnswerID()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &answerRun{
		id: id, owner: owner, stream: "answer-" + id,
		indexID: indexID, videoID: videoID, prompt: prompt, temperature: temperature,
		api: s.backend(c).Client, ctx: ctx, cancel: cancel,
	}
	if !s.Events.Open(run.stream, owner) {
		cancel()
		return errors.New("handlers: the events hub refused a new answer stream")
	}
	s.answers.add(run)
	run.expire = time.AfterFunc(answerStartTimeout, func() {
		if run.started.CompareAndSwap(false, true) {
			s.endAnswer(run)
		}
	})
	return render(c, templates.AnswerFragment(templates.AnswerView{
		IndexID: indexID, VideoID: videoID, ID: id, Prompt: prompt, State: templates.AnswerStreaming,
	}))
}

// parseTemperature reads the form's temperature; empty means the API's default.
func parseTemperature(v string) (*float64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	t, err := strconv.ParseFloat(v, 64)
	if err != nil || t < 0 || t > 1 {
		return nil, badRequest("Temperature is a number from 0 to 1.")
	}
	return &t, nil
}

func newAnswerID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// answerEvents is the SSE stream of one answer
// (GET .../analysis/answers/{answerID}/events). The upstream request starts
// once the stream has subscribed, so no word is published to nobody, and it
// is cancelled as soon as this client leaves.
func (s *Server) answerEvents(c *gin.Context) error {
	run := s.answers.get(c.Param("answerID"))
	owner := s.Sessions.Get(c.Request).ID
	if run == nil || run.owner != owner || run.indexID != c.Param("indexID") || run.videoID != c.Param("videoID") {
		// Gone (or never this session's): end the page's fragment so its
		// EventSource does not keep reconnecting.
		return serveFinalEvent(c, nil)
	}
	if !run.started.CompareAndSwap(false, true) {
		// A reconnect: the answer ran (or runs) on an earlier stream, whose
		// end cancelled it. Hand back its final form when there is one.
		run.mu.Lock()
		final := run.final
		run.mu.Unlock()
		return serveFinalEvent(c, final)
	}
	run.expire.Stop()

	// Serve ends when the client leaves, or when writeAnswer lets the
	// stream go a while after the answer has ended.
	serveCtx, endServe := context.WithCancel(c.Request.Context())
	defer endServe()
	w := &subscribeSignal{ResponseWriter: c.Writer, subscribed: make(chan struct{})}
	written := make(chan struct{})
	go func() {
		defer close(written)
		s.writeAnswer(run, w.subscribed, endServe)
	}()
	s.Events.Serve(w, c.Request.WithContext(serveCtx), run.stream)
	// The client left: stop the upstream at once.
	run.cancel()
	<-written
	time.AfterFunc(answerLinger, func() { s.answers.remove(run.id) })
	return nil
}

// writeAnswer reads the upstream NDJSON stream and publishes the text so
// far after every piece, then the answer's final form.
func (s *Server) writeAnswer(run *answerRun, subscribed <-chan struct{}, endServe context.CancelFunc) {
	select {
	case <-subscribed:
	case <-run.ctx.Done():
		return
	}
	var (
		text      strings.Builder
		ended     bool
		finish    string
		streamErr error
	)
	updates := &answerUpdates{publish: func(md string) {
		s.Events.Publish(run.stream, "answer", []byte(templates.AnswerBodyHTML(md)))
	}}
	for ev, err := range run.api.AnalyzeStream(run.ctx, tlclient.AnalyzeRequest{
		VideoID: run.videoID, Prompt: run.prompt, Temperature: run.temperature,
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

	view := templates.AnswerView{
		IndexID: run.indexID, VideoID: run.videoID, ID: run.id, Prompt: run.prompt,
		Text: text.String(), State: templates.AnswerDone,
	}
	switch {
	case run.ctx.Err() != nil:
		view.State, view.Note = templates.AnswerStopped, "Stopped."
		s.Log.Info("answer stopped", "video", run.videoID, "answer", run.id, "chars", text.Len())
	case streamErr != nil:
		view.State, view.Note = templates.AnswerFailed, streamFailure(streamErr)
		s.Log.Error("answer failed", "video", run.videoID, "answer", run.id, "err", streamErr)
	case !ended:
		view.State = templates.AnswerFailed
		view.Note = "The answer was cut off: the API closed the stream before the end."
		s.Log.Error("answer cut off", "video", run.videoID, "answer", run.id, "chars", text.Len())
	case finish == "length":
		view.Note = "The answer reached its length limit."
	}
	var buf bytes.Buffer
	if err := templates.AnswerFragment(view).Render(context.Background(), &buf); err != nil {
		s.Log.Error("answer not rendered", "answer", run.id, "err", err)
		return
	}
	final := []byte(templates.OneLine(buf.String()))
	run.mu.Lock()
	run.final = final
	run.mu.Unlock()
	s.Events.Publish(run.stream, "done", final)

	// The page closes the stream on "done". A client still there a moment
	// later may not have got it (the hub drops events for a client that
	// fell behind a burst): send it once more, then end the stream, and the
	// reconnecting page is handed the final form by answerEvents.
	select {
	case <-run.ctx.Done():
		return
	case <-time.After(doneGrace / 8):
		s.Events.Publish(run.stream, "done", final)
	}
	select {
	case <-run.ctx.Done():
	case <-time.After(doneGrace):
		endServe()
	}
}

// answerUpdates publishes the text so far. The opening updates go out as
// they come, so the first words show at once even when the upstream writes
// a whole answer in a few milliseconds (the hub's per-stream buffer of 16
// holds them). After that an update goes out at once when the last one is
// answerUpdateEvery old, else once that much time has passed, with
// whatever text there is then. Each update carries the whole text, so a
// coalesced or dropped one costs nothing; the bound keeps a fast upstream
// (one event per token) from re-rendering the text hundreds of times a
// second and from overrunning a client's queue in the hub.
type answerUpdates struct {
	publish func(markdown string)

	mu      sync.Mutex
	text    string
	sent    int
	last    time.Time
	pending *time.Timer
	stopped bool
}

func (u *answerUpdates) set(text string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.text = text
	if u.stopped || u.pending != nil {
		return
	}
	if wait := answerUpdateEvery - time.Since(u.last); wait > 0 && u.sent >= answerOpening {
		u.pending = time.AfterFunc(wait, u.flush)
		return
	}
	u.send()
}

// send publishes the current text; u.mu is held.
func (u *answerUpdates) send() {
	u.sent++
	u.last = time.Now()
	u.publish(u.text)
}

func (u *answerUpdates) flush() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.pending = nil
	if !u.stopped {
		u.send()
	}
}

// stop drops any pending update: the final form follows.
func (u *answerUpdates) stop() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.stopped = true
	if u.pending != nil {
		u.pending.Stop()
	}
}

// streamFailure says what went wrong mid-answer, in words meant for the
// person; API errors keep the API's own message.
func streamFailure(err error) string {
	var api *tlclient.APIError
	if errors.As(err, &api) {
		_, msg := classify(err)
		return "The answer stopped: " + msg
	}
	return "The answer was cut off: the connection to the API failed."
}

// endAnswer drops an answer whose page never opened its stream.
func (s *Server) endAnswer(run *answerRun) {
	run.cancel()
	s.answers.remove(run.id)
}

// stopAnswer cancels an answer's upstream request
// (POST .../analysis/answers/{answerID}/stop). The stream then says
// "Stopped." and keeps the text written so far.
func (s *Server) stopAnswer(c *gin.Context) error {
	run := s.answers.get(c.Param("answerID"))
	if run != nil && run.owner != s.Sessions.Get(c.Request).ID {
		return notFound("There is no such answer.")
	}
	if run != nil {
		run.cancel()
	}
	// Stopping an answer that already ended is not an error.
	c.Status(http.StatusNoContent)
	return nil
}

// serveFinalEvent answers an SSE request for an answer that is no longer
// streaming with one "done" event: its final form, or a note that it is
// gone. The fragment replaces the page's streaming one, which closes the
// EventSource.
func serveFinalEvent(c *gin.Context, final []byte) error {
	if final == nil {
		var buf bytes.Buffer
		view := templates.AnswerView{ID: c.Param("answerID"), State: templates.AnswerStopped,
			Note: "This answer is no longer streaming; ask again."}
		if err := templates.AnswerFragment(view).Render(c.Request.Context(), &buf); err != nil {
			return err
		}
		final = []byte(templates.OneLine(buf.String()))
	}
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-cache")
	c.Status(http.StatusOK)
	_, err := fmt.Fprintf(c.Writer, "event: done\ndata: %s\n\n", final)
	return err
}

// subscribeSignal closes subscribed when the hub starts the response, which
// it does after the client has joined the stream.
type subscribeSignal struct {
	http.ResponseWriter
	once       sync.Once
	subscribed chan struct{}
}

func (w *subscribeSignal) signal() { w.once.Do(func() { close(w.subscribed) }) }

func (w *subscribeSignal) WriteHeader(code int) {
	if code == http.StatusOK {
		w.signal()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *subscribeSignal) Flush() {
	w.signal()
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *subscribeSignal) Unwrap() http.ResponseWriter { return w.ResponseWriter }
