package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"glimpse/internal/testwait"
)

// TestBrowserWatchPageAsks walks the watch page in Chromium on a wide
// window: the analysis and the question box sit beside the player with the
// metadata below; the nav marks where the page was opened from; the
// duration reads the same on the card and the page. Enter sends a question
// (Shift+Enter is a new line), the answer comes into view and is seen
// growing over time with Stop in sight; Ctrl+Enter sends another, the first
// stays listed; Stop stops a third.
func TestBrowserWatchPageAsks(t *testing.T) {
	b := newBrowser(t)
	ix := b.createIndex("Streamed answers")
	uploadReady(t, b, ix)
	doc, _ := b.get("/indexes/" + ix)
	taskDuration := text(doc, "[data-testid=task-card][data-status=ready] .meta")

	ctx := newChromium(t)
	ctx, cancel := context.WithTimeout(ctx, testwait.Bound(t))
	defer cancel()
	bound := chromedp.WithPollingTimeout(testwait.Bound(t))
	eval := func(js string) map[string]any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](js))
		if err != nil {
			t.Fatalf("%v in %s", err, js)
		}
		return v
	}

	// Opened from the index page: Indexes is marked, the clocks agree.
	err := chromedp.Do(ctx,
		chromedp.Navigate(app.URL+"/indexes/"+ix),
		chromedp.WaitVisible(chromedp.CSS(`#videos [data-testid=video-card]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	cardDuration, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(`#videos [data-testid=video-card] .duration`)))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#videos [data-testid=video-card] a.video-title`)),
		chromedp.WaitVisible(chromedp.CSS(`#ask-prompt`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The analysis has been written (or has said why not).
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#analysis [data-testid=analysis-panel]`))); err != nil {
		t.Fatal(err)
	}
	got := eval(`({
		current: [...document.querySelectorAll('.top nav a[aria-current=page]')].map(a => a.textContent),
		duration: document.querySelector('[data-testid=video-duration]').textContent,
	})`)
	if cur, _ := got["current"].([]any); len(cur) != 1 || cur[0] != "Indexes" {
		t.Errorf("opened from the index page, the nav marks %v", got["current"])
	}
	if cardDuration == "" || got["duration"] != cardDuration || taskDuration != cardDuration {
		t.Errorf("durations: card %q, task card %q, watch page %q", cardDuration, taskDuration, got["duration"])
	}

	// Wide window: the analysis and the question box beside the player,
	// the metadata below it.
	layout := eval(`(() => {
		const r = s => { const e = document.querySelector(s); if (!e) return null; const b = e.getBoundingClientRect(); return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
		return {player: r('.player-frame'), analysis: r('#analysis [data-testid=analysis-panel]'),
			ask: r('[data-testid=ask-box]'), metadata: r('[data-testid=metadata]')};
	})()`)
	player, analysis, ask, metadata := box(layout["player"]), box(layout["analysis"]), box(layout["ask"]), box(layout["metadata"])
	if analysis.left < player.right || analysis.top >= player.bottom || ask.left < player.right {
		t.Errorf("analysis %v and question box %v are not beside the player %v", analysis, ask, player)
	}
	if metadata.top < player.bottom || metadata.left >= player.right {
		t.Errorf("metadata %v is not below the player %v", metadata, player)
	}

	// Put the question box at the very bottom of the view, so that an
	// answer must be brought into view; then watch the text grow.
	const watchGrowth = `(() => {
		document.querySelector('#ask-prompt').scrollIntoView({block: 'end'});
		window.__growth = [];
		let last = 0;
		window.__sampler = setInterval(() => {
			const el = document.querySelector('#analysis-answer [data-testid=answer][data-state=streaming] [data-testid=answer-text]');
			const n = el ? el.textContent.trim().length : 0;
			if (n > last) { window.__growth.push(performance.now()); }
			if (el) last = n;
		}, 5);
		return {};
	})()`
	eval(watchGrowth)
	err = chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`#ask-prompt`)),
		chromedp.SendKeys(chromedp.CSS(`#ask-prompt`), "What is shown"),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierShift)),
		chromedp.SendKeys(chromedp.CSS(`#ask-prompt`), "in this video?"),
	)
	if err != nil {
		t.Fatal(err)
	}
	v := eval(`({value: document.querySelector('#ask-prompt').value, answers: document.querySelectorAll('#analysis-answer [data-testid=answer]').length})`)
	if v["value"] != "What is shown\nin this video?" || v["answers"] != float64(0) {
		t.Fatalf("after Shift+Enter: %v; want a new line and nothing sent", v)
	}
	err = chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#analysis-answer [data-testid=answer][data-state=streaming] [data-testid=answer-text] p`)),
	)
	if err != nil {
		t.Fatalf("Enter did not send the question: %v", err)
	}
	// While it streams, the answer is in view and Stop can be clicked.
	inView := eval(stopReachable)
	if inView["answerInView"] != true || inView["stopHit"] != true {
		t.Errorf("while streaming: %v; want the answer in view and Stop on top where it is", inView)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('#analysis-answer [data-testid=answer][data-state=done]')`, bound)); err != nil {
		t.Fatalf("the answer never finished: %v", err)
	}
	growth := eval(`(() => { clearInterval(window.__sampler); const g = window.__growth;
		return {moments: g.length, spanMs: g.length ? g[g.length-1] - g[0] : 0,
			final: document.querySelector('#analysis-answer [data-testid=answer-text]').textContent.trim()}; })()`)
	t.Logf("answer seen growing at %v moments over %.0f ms: %q", growth["moments"], growth["spanMs"], growth["final"])
	if n, _ := growth["moments"].(float64); n < 3 {
		t.Errorf("the answer was seen growing at %v moments; want at least 3", growth["moments"])
	}
	if prompt := eval(`({v: document.querySelector('#ask-prompt').value})`); prompt["v"] != "" {
		t.Errorf("the question box still holds %q after sending", prompt["v"])
	}

	// Ctrl+Enter sends a second question; the first answer stays, below it.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#ask-prompt`), "Is there any speech?"),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#analysis-answer [data-testid=answer][data-state=done]').length === 2`, bound)); err != nil {
		t.Fatalf("Ctrl+Enter: %v", err)
	}
	list := eval(`({prompts: [...document.querySelectorAll('#analysis-answer .answer-prompt')].map(p => p.textContent),
		firstText: document.querySelectorAll('#analysis-answer [data-testid=answer-text]')[1].textContent.trim()})`)
	if p, _ := list["prompts"].([]any); len(p) != 2 || p[0] != "Is there any speech?" || !strings.HasPrefix(p[1].(string), "What is shown") || list["firstText"] != growth["final"] {
		t.Errorf("answers listed: %v", list)
	}

	// Stop, clicked while the third answer streams, stops it.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#ask-prompt`), "Describe the colours in detail."),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#analysis-answer [data-testid=answer][data-state=streaming] [data-testid=answer-text] p`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if r := eval(stopReachable); r["stopHit"] != true {
		t.Errorf("Stop is not clickable where it shows: %v", r)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#analysis-answer [data-state=streaming] [data-testid=stop]`)),
		chromedp.WaitVisible(chromedp.CSS(`#analysis-answer [data-testid=answer][data-state=stopped]`)),
	)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if n := eval(`({n: document.querySelectorAll('#analysis-answer [data-testid=answer]').length})`); n["n"] != float64(3) {
		t.Errorf("%v answers listed after three questions", n["n"])
	}

	// Opened with a search's query, the page belongs to Search.
	path, _ := eval(`({p: location.pathname})`)["p"].(string)
	err = chromedp.Do(ctx,
		chromedp.Navigate(app.URL+path+"?q=colours"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=back-to-results]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cur := eval(`({c: [...document.querySelectorAll('.top nav a[aria-current=page]')].map(a => a.textContent)})`); len(cur["c"].([]any)) != 1 || cur["c"].([]any)[0] != "Search" {
		t.Errorf("opened from a search, the nav marks %v", cur["c"])
	}
}

// stopReachable reports whether the streaming answer is in view and the
// point at the middle of its Stop button is Stop (nothing covers it).
const stopReachable = `(() => {
	const a = document.querySelector('#analysis-answer [data-testid=answer][data-state=streaming]');
	const s = a && a.querySelector('[data-testid=stop]');
	if (!s) return {streaming: false};
	const ar = a.getBoundingClientRect(), sr = s.getBoundingClientRect();
	const hit = document.elementFromPoint(sr.left + sr.width / 2, sr.top + sr.height / 2);
	return {streaming: true, answerInView: ar.top < innerHeight && ar.bottom > 0,
		stopHit: !!hit && s.contains(hit) && sr.top >= 0 && sr.bottom <= innerHeight,
		stop: [sr.top, sr.bottom], view: innerHeight};
})()`

type rect struct{ left, right, top, bottom float64 }

func box(v any) rect {
	m, _ := v.(map[string]any)
	f := func(k string) float64 { x, _ := m[k].(float64); return x }
	return rect{f("left"), f("right"), f("top"), f("bottom")}
}
