package search

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"glimpse/engine/understand"
	"glimpse/internal/testmedia"
	"glimpse/internal/testwait"
)

func TestSearchRejectsBadRequests(t *testing.T) {
	h := newHarness(t)
	base := func(extra ...[2]string) form { return textQuery("train", extra...) }
	tests := []struct {
		name   string
		f      form
		status int
		code   string
		// says is a part of the message a person reads.
		says string
	}{
		{"no index", form{fields: [][2]string{{"query_text", "x"}, {"search_options", "visual"}}}, 400, "parameter_not_provided", ""},
		{"no options", form{fields: [][2]string{{"index_id", exampleIndex}, {"query_text", "x"}}}, 400, "parameter_not_provided", ""},
		{"bad option", form{fields: [][2]string{{"index_id", exampleIndex}, {"query_text", "x"}, {"search_options", "smell"}}}, 400, "parameter_invalid", ""},
		{"no query", form{fields: [][2]string{{"index_id", exampleIndex}, {"search_options", "visual"}}}, 400, "parameter_not_provided", ""},
		{"unknown index", form{fields: [][2]string{{"index_id", "ffffffffffffffffffffffff"}, {"query_text", "x"}, {"search_options", "visual"}}}, 404, "resource_not_exist", ""},
		{"index without a search model", form{fields: [][2]string{{"index_id", pegasusIndex}, {"query_text", "x"}, {"search_options", "visual"}}}, 400, "index_not_supported_for_search", "Marengo"},
		{"page limit 51", base([2]string{"page_limit", "51"}), 400, "parameter_invalid", ""},
		{"bad threshold", base([2]string{"threshold", "very"}), 400, "parameter_invalid", ""},
		{"bad operator", base([2]string{"operator", "xor"}), 400, "parameter_invalid", ""},
		{"bad group_by", base([2]string{"group_by", "index"}), 400, "parameter_invalid", ""},
		{"bad sort", base([2]string{"sort_option", "random"}), 400, "parameter_invalid", ""},
		{"filter not json", base([2]string{"filter", "{duration:"}), 400, "search_filter_invalid", ""},
		{"filter not object", base([2]string{"filter", "[1,2]"}), 400, "search_filter_invalid", ""},
		{"filter bad range", base([2]string{"filter", `{"duration":{"gt":5}}`}), 400, "search_filter_invalid", ""},
		{"filter bad id", base([2]string{"filter", `{"id":[1,2]}`}), 400, "search_filter_invalid", ""},
		{"media type video", base([2]string{"query_media_type", "video"}, [2]string{"query_media_url", "https://example.com/a.png"}), 400, "parameter_invalid", ""},
		{"private media url", base([2]string{"query_media_type", "image"}, [2]string{"query_media_url", "http://127.0.0.1:1/a.png"}), 400, "parameter_invalid", ""},
		// Addresses the search side once let through: carrier-grade NAT, "this
		// network", and NAT64 to loopback. The engine's one guard refuses them.
		{"cgnat media url", base([2]string{"query_media_type", "image"}, [2]string{"query_media_url", "http://100.64.0.1:1/a.png"}), 400, "parameter_invalid", "private or loopback"},
		{"this-network media url", base([2]string{"query_media_type", "image"}, [2]string{"query_media_url", "http://0.1.2.3:1/a.png"}), 400, "parameter_invalid", "private or loopback"},
		{"nat64 loopback media url", base([2]string{"query_media_type", "image"}, [2]string{"query_media_url", "http://[64:ff9b::7f00:1]:1/a.png"}), 400, "parameter_invalid", "private or loopback"},
		{"image without visual", form{fields: [][2]string{{"index_id", exampleIndex}, {"search_options", "audio"}, {"query_media_type", "image"}},
			files: [][2]string{{"query_media_file", testmedia.Path(t, "search_sample.png")}}}, 400, "search_option_combination_not_supported", ""},
		{"not an image", form{fields: [][2]string{{"index_id", exampleIndex}, {"search_options", "visual"}, {"query_media_type", "image"}},
			files: [][2]string{{"query_media_file", testmedia.Path(t, "audio_sample.mp3")}}}, 400, "parameter_invalid", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, b := h.post(t, "/search", tt.f)
			var e struct{ Code, Message string }
			json.Unmarshal(b, &e)
			if status != tt.status || e.Code != tt.code || e.Message == "" || !strings.Contains(e.Message, tt.says) {
				t.Errorf("got %d %s, want %d %s", status, b, tt.status, tt.code)
			}
		})
	}
}

func TestPagesFollowAndExpire(t *testing.T) {
	h := newHarness(t)
	_, b := h.post(t, "/search", textQuery("train", [2]string{"page_limit", "2"}, [2]string{"threshold", "none"}))
	first := decodePage(t, b)
	if len(first.Data) != 2 || first.PageInfo.NextPageToken == "" || first.PageInfo.TotalResults <= 4 {
		t.Fatalf("first page: %s", b)
	}
	if exp, err := time.Parse(time.RFC3339, first.PageInfo.PageExpiresAt); err != nil || !exp.Equal(h.now.Add(10*time.Minute)) {
		t.Errorf("page_expires_at %q, want %s", first.PageInfo.PageExpiresAt, h.now.Add(10*time.Minute))
	}
	// Walk every page: no result twice, ranks continue, scores never rise.
	seen := map[[2]float64]bool{}
	all := first.Data
	tok := first.PageInfo.NextPageToken
	for tok != "" {
		code, b := h.get(t, "/search/"+tok)
		if code != 200 {
			t.Fatalf("page %s: %d %s", tok, code, b)
		}
		p := decodePage(t, b)
		all = append(all, p.Data...)
		tok = p.PageInfo.NextPageToken
	}
	if len(all) != first.PageInfo.TotalResults {
		t.Errorf("walked %d results of %d", len(all), first.PageInfo.TotalResults)
	}
	for i, r := range all {
		if seen[[2]float64{r.Start, r.End}] {
			t.Errorf("clip %.1f-%.1f twice", r.Start, r.End)
		}
		seen[[2]float64{r.Start, r.End}] = true
		if r.Rank != i+1 || (i > 0 && r.Score > all[i-1].Score) {
			t.Errorf("result %d: rank %d score %.2f after %.2f", i, r.Rank, r.Score, all[max(i-1, 0)].Score)
		}
	}

	h.advance(11 * time.Minute)
	code, b := h.get(t, "/search/"+first.PageInfo.NextPageToken)
	var e map[string]any
	json.Unmarshal(b, &e)
	if code != 400 || e["error_code"] != "search_page_token_expired" || e["message"] == "" {
		t.Errorf("expired page: %d %s", code, b)
	}
	if code, _ := h.get(t, "/search/not-a-token"); code != 400 {
		t.Errorf("made-up token: %d", code)
	}
}

func TestThresholdsAndConfidence(t *testing.T) {
	h := newHarness(t)
	counts := map[string]int{}
	for _, th := range []string{"high", "medium", "low", "none"} {
		_, b := h.post(t, "/search", textQuery("toxic train fallout", [2]string{"threshold", th}, [2]string{"page_limit", "50"}))
		p := decodePage(t, b)
		counts[th] = p.PageInfo.TotalResults
		for _, r := range p.Data {
			want := map[bool]string{true: "high"}[r.Score >= 75]
			if want == "" {
				want = map[bool]string{true: "medium", false: "low"}[r.Score >= 50]
			}
			if r.Confidence != want || r.Score < 0 || r.Score > 100 {
				t.Errorf("score %.1f has confidence %s", r.Score, r.Confidence)
			}
			if th == "high" && r.Score < 75 || th == "medium" && r.Score < 50 {
				t.Errorf("threshold %s let through %.1f", th, r.Score)
			}
		}
	}
	if !(counts["high"] > 0 && counts["high"] <= counts["medium"] && counts["medium"] <= counts["low"] && counts["low"] <= counts["none"]) {
		t.Errorf("result counts by threshold do not nest: %v", counts)
	}
}

func TestGroupByVideoAndFilters(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		filter string
		want   bool
	}{
		{``, true},
		{`{"id":["` + exampleVideo + `"]}`, true},
		{`{"id":["aaaaaaaaaaaaaaaaaaaaaaaa"]}`, false},
		{`{"duration":{"gte":100,"lte":200}}`, true},
		{`{"duration":{"lte":60}}`, false},
		{`{"width":640,"height":360}`, true},
		{`{"filename":"example.mp4"}`, true},
		{`{"filename":"other.mp4"}`, false},
		{`{"channel":"news"}`, true},
		{`{"channel":"sport"}`, false},
		{`{"year":2023}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			extra := [][2]string{{"group_by", "video"}}
			if tt.filter != "" {
				extra = append(extra, [2]string{"filter", tt.filter})
			}
			code, b := h.post(t, "/search", textQuery("bottled water", extra...))
			if code != 200 {
				t.Fatalf("%d %s", code, b)
			}
			p := decodePage(t, b)
			if !tt.want {
				if len(p.Data) != 0 {
					t.Errorf("filter let the video through: %s", b)
				}
				return
			}
			if len(p.Data) != 1 || p.Data[0].ID != exampleVideo || len(p.Data[0].Clips) == 0 {
				t.Fatalf("want one video group with clips: %s", b)
			}
			if p.PageInfo.TotalInnerMatches != len(p.Data[0].Clips) {
				t.Errorf("total_inner_matches %d, clips %d", p.PageInfo.TotalInnerMatches, len(p.Data[0].Clips))
			}
			for _, c := range p.Data[0].Clips {
				if c.ThumbnailURL == "" || c.Score > p.Data[0].Score {
					t.Errorf("clip %+v", c)
				}
			}
		})
	}
}

func TestOperatorAndNeedsEveryOption(t *testing.T) {
	h := newHarness(t)
	// "Palesteen" is only on screen; the speech never has it, so "and" finds nothing.
	_, b := h.post(t, "/search", textQuery("East Palestine", [2]string{"operator", "or"}))
	if len(decodePage(t, b).Data) == 0 {
		t.Fatalf("or found nothing: %s", b)
	}
	_, b = h.post(t, "/search", textQuery("East Palestine", [2]string{"operator", "and"}, [2]string{"threshold", "medium"}))
	if p := decodePage(t, b); len(p.Data) != 0 {
		t.Errorf("and found %d clips without both on-screen text and speech", len(p.Data))
	}
}

// TestEmbedOneSpace: without an image–text model an image embeds as the
// visual descriptor (the space of embedding tasks' clips, TestEmbedTasks),
// and text, which has no vector in that space, is refused, as are audio and
// bad requests.
func TestEmbedOneSpace(t *testing.T) {
	h := newHarness(t)
	code, b := h.post(t, "/embed", form{fields: [][2]string{{"model_name", "Marengo-retrieval-2.7"}},
		files: [][2]string{{"image_file", testmedia.Path(t, "search_sample.png")}}})
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	var r embedResponse
	json.Unmarshal(b, &r)
	if r.ModelName != "Marengo-retrieval-2.7" || r.TextEmbedding != nil ||
		r.ImageEmbedding == nil || len(r.ImageEmbedding.Segments[0].Float) != understand.VisualDim {
		t.Fatalf("embed answer: %.300s", b)
	}
	for _, c := range []struct {
		fields [][2]string
		image  bool
		code   string
		says   string // in the message
	}{
		{[][2]string{{"model_name", "marengo3.0"}, {"text", "a derailed train"}}, false, "parameter_invalid", "image–text model"},
		{[][2]string{{"model_name", "marengo3.0"}, {"text", "a derailed train"}}, true, "parameter_invalid", "image–text model"},
		{[][2]string{{"text", "x"}}, false, "parameter_not_provided", "model_name"},
		{[][2]string{{"model_name", "marengo3.0"}}, false, "parameter_not_provided", ""},
		{[][2]string{{"model_name", "marengo3.0"}, {"audio_url", "https://example.com/a.mp3"}}, false, "parameter_invalid", "Audio embeddings"},
		{[][2]string{{"model_name", "marengo3.0"}, {"video_url", "https://example.com/a.mp4"}}, false, "parameter_invalid", "/embed/tasks"},
		{[][2]string{{"model_name", "m"}, {"text", "x"}}, false, "parameter_invalid", "model_name"},
		{[][2]string{{"model_name", "Marengo-retrieval-2.7"}, {"text", "x"}, {"text_truncate", "middle"}}, false, "parameter_invalid", "text_truncate"},
		{[][2]string{{"model_name", "Marengo-retrieval-2.7"}, {"text", strings.Repeat("word ", 78)}, {"text_truncate", "none"}}, false, "token_limit_exceeded", ""},
	} {
		f := form{fields: c.fields}
		if c.image {
			f.files = [][2]string{{"image_file", testmedia.Path(t, "search_sample.png")}}
		}
		var e struct{ Code, Message string }
		code, b := h.post(t, "/embed", f)
		if json.Unmarshal(b, &e); code != 400 || e.Code != c.code || !strings.Contains(e.Message, c.says) {
			t.Errorf("%v (image %v): %d %s, want 400 %s saying %q", c.fields, c.image, code, b, c.code, c.says)
		}
	}
}

func TestEmbedTasks(t *testing.T) {
	h := newHarness(t)
	video := filepath.Join(t.TempDir(), "pattern.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=8",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", video).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	code, b := h.post(t, "/embed/tasks", form{fields: [][2]string{{"model_name", "Marengo-retrieval-2.7"},
		{"video_embedding_scopes", "clip"}, {"video_embedding_scopes", "video"}}, files: [][2]string{{"video_file", video}}})
	if code != 200 {
		t.Fatalf("create: %d %s", code, b)
	}
	var created struct {
		ID string `json:"_id"`
	}
	json.Unmarshal(b, &created)

	deadline := time.Now().Add(testwait.Bound(t))
	var status map[string]string
	for time.Now().Before(deadline) {
		_, b = h.get(t, "/embed/tasks/"+created.ID+"/status")
		json.Unmarshal(b, &status)
		if status["status"] != "processing" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status["status"] != "ready" {
		t.Fatalf("status: %s", b)
	}
	_, b = h.get(t, "/embed/tasks/"+created.ID)
	var task taskJSON
	json.Unmarshal(b, &task)
	var clips, videos int
	for _, s := range task.VideoEmbedding.Segments {
		switch s.EmbeddingScope {
		case "clip":
			clips++
		case "video":
			videos++
		}
		// The image space (TestEmbedOneSpace), named as Marengo 2.7 does.
		if len(s.Float) != understand.VisualDim || s.EndOffsetSec <= s.StartOffsetSec || s.EmbeddingOpt != "visual-text" {
			t.Errorf("segment %v-%v (%s) has %d floats", s.StartOffsetSec, s.EndOffsetSec, s.EmbeddingOpt, len(s.Float))
		}
	}
	if clips < 2 || videos != 1 || task.ModelName != "Marengo-retrieval-2.7" {
		t.Errorf("%d clip and %d video segments: %.200s", clips, videos, b)
	}
	for _, c := range []struct {
		query string
		code  int
	}{
		{"?embedding_option=visual-text", 200},
		{"?embedding_option=audio", 400},        // documented, not made here
		{"?embedding_option=visual", 400},       // Marengo 3.0's
		{"?embedding_option=visual-image", 400}, // not documented
	} {
		if code, b := h.get(t, "/embed/tasks/"+created.ID+c.query); code != c.code {
			t.Errorf("%s: %d %.200s, want %d", c.query, code, b, c.code)
		}
	}

	code, b = h.get(t, "/embed/tasks?page=1&page_limit=10")
	if code != 200 || !strings.Contains(string(b), created.ID) {
		t.Errorf("list: %d %s", code, b)
	}
	if _, b = h.get(t, "/embed/tasks?page=2&page_limit=10"); !strings.Contains(string(b), `"data":[]`) {
		t.Errorf("page past the end: %s", b)
	}
	if code, _ = h.get(t, "/embed/tasks/ffffffffffffffffffffffff"); code != http.StatusNotFound {
		t.Errorf("unknown task: %d", code)
	}
	if code, b = h.post(t, "/embed/tasks", form{fields: [][2]string{{"model_name", "m"}}}); code != 400 {
		t.Errorf("no video: %d %s", code, b)
	}
}

func TestIndexFollowsDeletes(t *testing.T) {
	h := newHarness(t)
	if _, b := h.post(t, "/search", textQuery("bottled water")); len(decodePage(t, b).Data) == 0 {
		t.Fatal("nothing found before delete")
	}
	h.search.Index().VideoDeleted(exampleIndex, exampleVideo)
	if _, b := h.post(t, "/search", textQuery("bottled water")); len(decodePage(t, b).Data) != 0 {
		t.Errorf("deleted video still found: %s", b)
	}
}

// TestVideoEmbeddings: an indexed video's embeddings are its clips'
// visual vectors, named for its index's Marengo model, in the space of
// EmbedImage.
func TestVideoEmbeddings(t *testing.T) {
	h := newHarness(t)
	model, segs, err := h.search.VideoEmbeddings(context.Background(), exampleVideo)
	if err != nil {
		t.Fatal(err)
	}
	if model != "marengo3.0" || len(segs) < 20 {
		t.Fatalf("%s, %d segments; want marengo3.0's clips of the 160 s example", model, len(segs))
	}
	for i, s := range segs {
		if s.Scope != "clip" || s.Option != "visual" || len(s.Float) != understand.VisualDim || s.End <= s.Start || (i > 0 && s.Start < segs[i-1].Start) {
			t.Fatalf("segment %d: %s %s %v-%v, %d floats", i, s.Scope, s.Option, s.Start, s.End, len(s.Float))
		}
	}
	if _, _, err := h.search.VideoEmbeddings(context.Background(), "ffffffffffffffffffffffff"); err == nil {
		t.Error("an unknown video has embeddings")
	}
}
