package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAnswerStreamsIntoThePage(t *testing.T) {
	tests := []struct {
		name      string
		pieces    []string
		finish    string
		reject    string
		abort     bool
		wantState string
		wantNote  string
		wantText  string
	}{
		{"finished answer", []string{"The **fire** ", "starts at 1:05 ", "<script>alert(1)</script>", "and ends."}, "stop", "", false,
			"done", "", "The fire starts at 1:05 <script>alert(1)</script>and ends."},
		{"length limit", []string{"Smoke ", "rises"}, "length", "", false,
			"done", "The answer reached its length limit.", "Smoke rises"},
		{"stream ends without stream_end", []string{"The train ", "derailed "}, "", "", false,
			"failed", "the API closed the stream before the end", "The train derailed"},
		{"connection breaks mid-stream", []string{"Toxic ", "smoke "}, "", "", true,
			"failed", "the connection to the API failed", "Toxic smoke"},
		{"API refuses the prompt", nil, "stop", "The prompt is 2301 tokens long; the limit is 2000.", false,
			"failed", "The answer stopped: The prompt is 2301 tokens long; the limit is 2000.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakePegasus(t)
			fake.pieces, fake.finish, fake.reject, fake.abort = tt.pieces, tt.finish, tt.reject, tt.abort
			app := newAnalysisApp(t, fake, newTestStore(t))
			evs := app.openSSE(t, t.Context(), app.ask(t, "alice", "What happens?"), "alice")

			var updates []string
			var done sseEvent
			for done.name == "" {
				switch ev := next(t, evs); ev.name {
				case "answer":
					updates = append(updates, ev.data)
				case "done":
					done = ev
				}
			}
			// Pieces 20 ms apart each show, bar one coalesced under load.
			if len(updates) < min(2, len(tt.pieces)) || len(updates) > len(tt.pieces) {
				t.Errorf("%d answer updates for %d pieces", len(updates), len(tt.pieces))
			}
			for i := 1; i < len(updates); i++ {
				if len(updates[i]) < len(updates[i-1]) {
					t.Errorf("update %d is shorter than the one before: %q then %q", i, updates[i-1], updates[i])
				}
			}
			doc := parseHTML(t, done.data)
			answer := doc.Find(`[data-testid=answer]`)
			if got := answer.AttrOr("data-state", ""); got != tt.wantState {
				t.Errorf("state = %q, want %q", got, tt.wantState)
			}
			if _, ok := answer.Attr("sse-connect"); ok {
				t.Error("the final answer still holds the stream")
			}
			text := strings.Join(strings.Fields(answer.Find(`[data-testid=answer-text]`).Text()), " ")
			if text != tt.wantText {
				t.Errorf("text = %q, want %q", text, tt.wantText)
			}
			if got := answer.Find(`[data-testid=answer-status]`).Text(); !strings.Contains(got, tt.wantNote) {
				t.Errorf("status = %q, want %q", got, tt.wantNote)
			}
			if answer.Find("script").Length() != 0 || strings.Contains(done.data, "alert(1)</script>") {
				t.Errorf("model HTML reached the page: %s", done.data)
			}
			if strings.Contains(tt.wantText, "1:05") {
				if got := answer.Find(`a[data-seek]`).AttrOr("data-seek", ""); got != "65" {
					t.Errorf("1:05 links to %q, want data-seek 65", got)
				}
			}
		})
	}
}

func TestStoppingReachesTheUpstream(t *testing.T) {
	tests := []struct {
		name string
		end  func(t *testing.T, app *analysisApp, stream string, leave context.CancelFunc)
	}{
		{"stop button", func(t *testing.T, app *analysisApp, stream string, _ context.CancelFunc) {
			stop := strings.TrimSuffix(stream, "/events") + "/stop"
			if resp, body := app.do(t, "POST", stop, "alice", url.Values{}); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("stop = %d: %s", resp.StatusCode, body)
			}
		}},
		{"leaving the page", func(t *testing.T, _ *analysisApp, _ string, leave context.CancelFunc) { leave() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakePegasus(t)
			fake.pieces, fake.hold = []string{"So far "}, true
			app := newAnalysisApp(t, fake, newTestStore(t))
			stream := app.ask(t, "alice", "Describe the video.")
			ctx, leave := context.WithCancel(t.Context())
			defer leave()
			evs := app.openSSE(t, ctx, stream, "alice")
			if ev := next(t, evs); ev.name != "answer" || !strings.Contains(ev.data, "So far") {
				t.Fatalf("first event = %+v", ev)
			}

			tt.end(t, app, stream, leave)
			select {
			case <-fake.gone:
			case <-time.After(waitLimit):
				t.Fatal("the upstream /analyze connection stayed open")
			}
			if tt.name == "stop button" {
				ev := next(t, evs)
				answer := parseHTML(t, ev.data).Find(`[data-testid=answer]`)
				if ev.name != "done" || answer.AttrOr("data-state", "") != "stopped" ||
					!strings.Contains(answer.Text(), "So far") || !strings.Contains(answer.Text(), "Stopped.") {
					t.Fatalf("after stop: %+v", ev)
				}
			}
		})
	}
}

func TestAskRejectsBadInput(t *testing.T) {
	fake := newFakePegasus(t)
	app := newAnalysisApp(t, fake, newTestStore(t))
	tests := []struct {
		name, prompt, temperature, want string
	}{
		{"empty question", "   ", "0.2", "Type a question"},
		{"temperature out of range", "Why?", "2", "Temperature is a number from 0 to 1."},
		{"temperature not a number", "Why?", "warm", "Temperature is a number from 0 to 1."},
		{"question too long", strings.Repeat("why ", 2001), "", "keep it under 8000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := app.do(t, "POST", panelPath+"/answers", "alice", url.Values{"prompt": {tt.prompt}, "temperature": {tt.temperature}})
			if got := parseHTML(t, body).Find(`[data-testid=error-message]`).Text(); !strings.Contains(got, tt.want) {
				t.Fatalf("error = %q, want %q (body %s)", got, tt.want, body)
			}
		})
	}
	if fake.asks.Load() != 0 {
		t.Fatalf("bad input reached the API %d times", fake.asks.Load())
	}
}

func TestAnswerBelongsToItsSession(t *testing.T) {
	fake := newFakePegasus(t)
	fake.pieces, fake.hold = []string{"Private "}, true
	app := newAnalysisApp(t, fake, newTestStore(t))
	stream := app.ask(t, "alice", "What happens?")

	// Another session neither reads nor stops it, and starts nothing upstream.
	evs := app.openSSE(t, t.Context(), stream, "mallory")
	ev := next(t, evs)
	if ev.name != "done" || strings.Contains(ev.data, "Private") || !strings.Contains(ev.data, "no longer streaming") {
		t.Fatalf("another session's stream gave %+v", ev)
	}
	stop := strings.TrimSuffix(stream, "/events") + "/stop"
	if _, body := app.do(t, "POST", stop, "mallory", url.Values{}); !strings.Contains(body, "There is no such answer.") {
		t.Fatalf("another session's stop answered %s", body)
	}
	if fake.asks.Load() != 0 {
		t.Fatalf("the API was asked %d times before the owner connected", fake.asks.Load())
	}
	// The owner still gets the answer.
	if ev := next(t, app.openSSE(t, t.Context(), stream, "alice")); !strings.Contains(ev.data, "Private") {
		t.Fatalf("owner's first event = %+v", ev)
	}
}

func TestReconnectGetsTheFinalAnswer(t *testing.T) {
	fake := newFakePegasus(t)
	fake.pieces = []string{"Smoke ", "over ", "the yard."}
	app := newAnalysisApp(t, fake, newTestStore(t))
	stream := app.ask(t, "alice", "What happens?")

	ctx, leave := context.WithCancel(t.Context())
	evs := app.openSSE(t, ctx, stream, "alice")
	for ev := next(t, evs); ev.name != "done"; ev = next(t, evs) {
	}
	leave()

	// A page that missed "done" (its connection broke, or the hub dropped
	// the event) reconnects and is handed the final form; nothing is asked again.
	ev := next(t, app.openSSE(t, t.Context(), stream, "alice"))
	answer := parseHTML(t, ev.data).Find(`[data-testid=answer]`)
	if ev.name != "done" || answer.AttrOr("data-state", "") != "done" ||
		strings.TrimSpace(answer.Find(`[data-testid=answer-text]`).Text()) != "Smoke over the yard." {
		t.Fatalf("reconnect got %+v", ev)
	}
	if fake.asks.Load() != 1 {
		t.Fatalf("the API was asked %d times, want 1", fake.asks.Load())
	}
}
