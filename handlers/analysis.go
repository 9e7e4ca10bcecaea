package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"glimpse/analysisstore"
	"glimpse/templates"
	"glimpse/webapp"
)

// AnalysisAPI is what the analysis feature asks of the TwelveLabs API.
type AnalysisAPI = webapp.AnalysisAPI

// AnalysisStore keeps each video's generated analysis (webapp.AnalysisStore).
type AnalysisStore = webapp.AnalysisStore

// maxPromptRunes keeps absurd input away from the API; the API itself
// counts tokens (2,000 at most) and says so when a prompt is too long.
const maxPromptRunes = 8000

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
	analyses := s.analysisRuns()
	account := webapp.AccountScope(s.Sessions.Get(c.Request).APIKey)

	var (
		rec analysisstore.Record
		ok  bool
	)
	if !fresh {
		rec, ok = analyses.Kept(ctx, account, indexID, videoID)
	}
	if !ok && !fresh && c.Query("generate") == "" {
		// Say at once that it is coming; the placeholder asks for it.
		return render(c, templates.AnalysisPending(indexID, videoID))
	}
	if !ok {
		var err error
		rec, err = analyses.Generate(ctx, s.backend(c).Client, account, indexID, videoID)
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
	q, err := s.answers().Ask(c.Request.Context(), webapp.Question{
		Owner: owner, IndexID: indexID, VideoID: videoID, Prompt: prompt, Temperature: temperature,
	})
	if err != nil {
		return err
	}
	return render(c, templates.AnswerFragment(templates.AnswerView{
		IndexID: indexID, VideoID: videoID, ID: q.ID, Prompt: prompt, State: templates.AnswerStreaming,
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

// answerEvents is the SSE stream of one answer
// (GET .../analysis/answers/{answerID}/events). The upstream request starts
// once the stream has subscribed, so no word is published to nobody, and it
// is cancelled as soon as this client leaves.
func (s *Server) answerEvents(c *gin.Context) error {
	ctx := c.Request.Context()
	answers := s.answers()
	q, err := answers.Find(ctx, c.Param("answerID"), s.Sessions.Get(c.Request).ID, c.Param("indexID"), c.Param("videoID"))
	if errors.Is(err, webapp.ErrNoAnswer) {
		// Gone (or never this session's): end the page's fragment so its
		// EventSource does not keep reconnecting.
		return serveFinalEvent(c, nil)
	}
	if err != nil {
		return err
	}
	first, final, err := answers.Begin(ctx, q)
	if err != nil {
		return err
	}
	if !first {
		// A reconnect: the answer ran (or runs) on an earlier stream, whose
		// end cancelled it. Hand back its final form when there is one.
		return serveFinalEvent(c, final)
	}

	// Serve ends when the client leaves, or when the run lets the stream
	// go a while after the answer has ended. The backend is picked here:
	// gin reuses c once the handler returns.
	api := s.backend(c).Client
	serveCtx, endServe := context.WithCancel(ctx)
	defer endServe()
	runCtx, endRun := context.WithCancel(context.WithoutCancel(ctx))
	w := &subscribeSignal{ResponseWriter: c.Writer, subscribed: make(chan struct{})}
	written := make(chan struct{})
	go func() {
		defer close(written)
		answers.Run(runCtx, api, q, w.subscribed, endServe)
	}()
	s.Events.Serve(w, c.Request.WithContext(serveCtx), q.Stream())
	// The client left: stop the upstream at once.
	endRun()
	<-written
	return nil
}

// stopAnswer cancels an answer's upstream request, on whichever instance
// it runs (POST .../analysis/answers/{answerID}/stop). The stream then
// says "Stopped." and keeps the text written so far.
func (s *Server) stopAnswer(c *gin.Context) error {
	err := s.answers().Stop(c.Request.Context(), c.Param("answerID"), s.Sessions.Get(c.Request).ID)
	if errors.Is(err, webapp.ErrNoAnswer) {
		return notFound("There is no such answer.")
	}
	if err != nil {
		return err
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
