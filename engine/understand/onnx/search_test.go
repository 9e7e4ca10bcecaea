//go:build cgo

package onnx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"glimpse/engine/api"
	"glimpse/engine/pipeline"
	"glimpse/engine/search"
	"glimpse/engine/understand"
	"glimpse/engine/understand/onnx"
	"glimpse/engine/wire"
)

type oneVideo struct{ meta pipeline.VideoMeta }

func (c oneVideo) ReadyVideos(context.Context) ([]pipeline.VideoMeta, error) {
	return []pipeline.VideoMeta{c.meta}, nil
}
func (c oneVideo) FindVideo(_ context.Context, id string) (*pipeline.VideoMeta, error) {
	if id != c.meta.VideoID {
		return nil, wire.NotFound("no such video")
	}
	m := c.meta
	return &m, nil
}
func (c oneVideo) IndexModels(_ context.Context, id string) ([]string, error) {
	if id != c.meta.IndexID {
		return nil, wire.NotFound("no such index")
	}
	return []string{"marengo3.0"}, nil
}

// With an image–text model, a text query finds clips by what they show:
// a video of three coloured shots, no words on screen or spoken, is searched
// by colour names through the real understanding stage and search endpoint.
func TestTextQueriesFindPicturesWithAModel(t *testing.T) {
	dir := t.TempDir()
	onnx.WriteTestModel(t, dir, true)
	model, err := onnx.Load(onnx.Config{Library: onnx.RuntimeLibrary(t), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()

	video := filepath.Join(t.TempDir(), "colours.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-y",
		"-f", "lavfi", "-i", "color=c=0xE01020:s=480x360:r=25:d=4",
		"-f", "lavfi", "-i", "color=c=0x20D030:s=480x360:r=25:d=4",
		"-f", "lavfi", "-i", "color=c=0x1020E0:s=480x360:r=25:d=4",
		"-filter_complex", "[0][1][2]concat=n=3:v=1:a=0", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", video).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	stage, err := understand.New(understand.Config{Semantic: model})
	if err != nil {
		t.Fatal(err)
	}
	vdir := t.TempDir()
	v := &pipeline.Video{IndexID: "idx", VideoID: "vid", SourcePath: video, Dir: vdir, Duration: 12, Width: 480, Height: 360}
	if err := stage.Run(context.Background(), v, nil); err != nil {
		t.Fatal(err)
	}

	srch := search.New(search.Config{Catalog: oneVideo{pipeline.VideoMeta{IndexID: "idx", VideoID: "vid", Dir: vdir, Duration: 12, Ready: true}},
		Semantic: model, SemanticFloor: 0.3, SemanticCeil: 0.9})
	defer srch.Close()
	if err := srch.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if caps := strings.Join(srch.Capabilities(), ","); !strings.Contains(caps, "text-to-visual (onnx:") {
		t.Errorf("capabilities %s", caps)
	}
	srv := httptest.NewServer((&api.Server{Search: srch, Embed: srch}).Handler())
	defer srv.Close()
	post := func(path string, fields ...string) (int, []byte) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for i := 0; i+1 < len(fields); i += 2 {
			w.WriteField(fields[i], fields[i+1])
		}
		w.Close()
		resp, err := http.Post(srv.URL+path, w.FormDataContentType(), &b)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		out.ReadFrom(resp.Body)
		return resp.StatusCode, out.Bytes()
	}
	tests := []struct {
		query      string
		start, end float64
	}{{"red", 0, 4}, {"something lime", 4, 8}, {"a blue picture", 8, 12}}
	for _, tt := range tests {
		code, b := post("/v1.3/search", "index_id", "idx", "search_options", "visual", "query_text", tt.query, "threshold", "medium")
		var page struct {
			Data []struct{ Start, End, Score float64 }
		}
		if json.Unmarshal(b, &page); code != 200 || len(page.Data) == 0 {
			t.Fatalf("%q: %d %s", tt.query, code, b)
		}
		top := page.Data[0]
		if top.Start < tt.start-0.6 || top.End > tt.end+0.6 {
			t.Errorf("%q: top clip %.1f-%.1f, want within %.0f-%.0f", tt.query, top.Start, top.End, tt.start, tt.end)
		}
		for _, r := range page.Data {
			if r.Start >= tt.end+0.6 || r.End <= tt.start-0.6 {
				t.Errorf("%q: clip %.1f-%.1f of another colour passed medium (%.1f)", tt.query, r.Start, r.End, r.Score)
			}
		}
	}
	code, b := post("/v1.3/embed", "model_name", "marengo3.0", "text", "red")
	var emb struct {
		ModelName     string `json:"model_name"`
		TextEmbedding struct {
			Segments []struct{ Float []float32 }
		} `json:"text_embedding"`
	}
	if json.Unmarshal(b, &emb); code != 200 || emb.ModelName != "marengo3.0" || len(emb.TextEmbedding.Segments[0].Float) != model.Dim() {
		t.Fatalf("embed with a model: %d %s", code, b)
	}
	// One space: the video's clip vectors are the model's too, and the text
	// "red" is nearest the red shot.
	_, segs, err := srch.VideoEmbeddings(context.Background(), "vid")
	if err != nil || len(segs) < 3 {
		t.Fatalf("video embeddings: %d, %v", len(segs), err)
	}
	red, best := emb.TextEmbedding.Segments[0].Float, segs[0]
	for _, sg := range segs {
		if len(sg.Float) != model.Dim() || sg.Option != "visual" {
			t.Fatalf("clip %.1f-%.1f: %d floats (%s), the model's text %d", sg.Start, sg.End, len(sg.Float), sg.Option, model.Dim())
		}
		if understand.Cosine(red, sg.Float) > understand.Cosine(red, best.Float) {
			best = sg
		}
	}
	if best.Start >= 4 {
		t.Errorf("the text red is nearest the clip %.1f-%.1f, not the red shot 0-4", best.Start, best.End)
	}
}
