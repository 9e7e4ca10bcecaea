package tlclient_test

// TestAgainstEngine drives the client through the 22 operations of the
// product against the real local engine (engine/full, in process, real
// ffmpeg) on a 20 s cut of the SDK's example.mp4, and checks each answer
// for what a user of the client would look at. Every request is routed
// through the full description, so the test also proves which operations
// it reached.

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"glimpse/engine"
	"glimpse/engine/full"
	"glimpse/internal/apispec"
	"glimpse/internal/testmedia"
	"glimpse/internal/testwait"
	"glimpse/tlclient"
)

// clipFrom, clipLength: the cut of example.mp4 used, 0:40-1:00: aerial
// footage of the derailment, the "bottled water" caption up from 0:52
// (0:12 of the clip).
const (
	clipFrom   = "40"
	clipLength = 20.0
)

// opLog records the full description's operationId of every request.
type opLog struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (l *opLog) wrap(t *testing.T, next http.Handler) http.Handler {
	full, err := apispec.Full()
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1.3/") {
			req, _ := http.NewRequest(r.Method, "https://api.twelvelabs.io"+r.URL.RequestURI(), nil)
			if route, _, err := full.Router.FindRoute(req); err == nil {
				l.mu.Lock()
				l.seen[route.Operation.OperationID] = true
				l.mu.Unlock()
			}
		}
		next.ServeHTTP(w, r)
	})
}

func cutClip(t *testing.T) (clip, still string) {
	example := testmedia.Path(t, "example.mp4")
	dir := t.TempDir()
	clip, still = filepath.Join(dir, "clip.mp4"), filepath.Join(dir, "still.png")
	for _, args := range [][]string{
		{"-ss", clipFrom, "-i", example, "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", clip},
		{"-ss", "8", "-i", clip, "-frames:v", "1", still},
	} {
		if out, err := exec.Command("ffmpeg", append([]string{"-v", "error"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
	}
	return clip, still
}

func TestAgainstEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a video with the real engine")
	}
	clip, still := cutClip(t)
	const key = "engine-test-key"
	eng, err := full.New(full.Config{Config: engine.Config{DataDir: t.TempDir(), APIKey: key}})
	if err != nil {
		t.Fatal(err)
	}
	ops := &opLog{seen: map[string]bool{}}
	srv := httptest.NewServer(ops.wrap(t, eng.Handler()))
	t.Cleanup(func() {
		srv.Close()
		if err := eng.Close(); err != nil {
			t.Error(err)
		}
	})
	c := tlclient.New(key, tlclient.WithBaseURL(srv.URL+"/v1.3"))
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Bound(t))
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	gone := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, tlclient.ErrNotFound) {
			t.Errorf("%s after delete: %v, want ErrNotFound", what, err)
		}
	}

	// Indexes: create, find, rename.
	ixID, err := c.CreateIndex(ctx, tlclient.CreateIndexRequest{IndexName: "engine test",
		Models: []tlclient.IndexModel{{ModelName: "marengo3.0", ModelOptions: []string{"visual", "audio"}},
			{ModelName: "pegasus1.2", ModelOptions: []string{"visual", "audio"}}}})
	must("create index", err)
	must("rename index", c.UpdateIndex(ctx, ixID, "engine test (renamed)"))
	ix, err := c.GetIndex(ctx, ixID)
	must("get index", err)
	if ix.IndexName != "engine test (renamed)" || len(ix.Models) != 2 || ix.CreatedAt.IsZero() {
		t.Errorf("index = %+v, want the renamed index with its two models", ix)
	}
	ixs, err := c.ListIndexes(ctx, tlclient.ListIndexesParams{IndexName: "engine test (renamed)"})
	must("list indexes", err)
	if len(ixs.Data) != 1 || ixs.Data[0].ID != ixID {
		t.Errorf("indexes named so: %+v, want the one", ixs.Data)
	}

	// Upload and index the clip.
	up, err := c.CreateTask(ctx, tlclient.CreateTaskRequest{IndexID: ixID, Video: tlclient.FileUpload(clip),
		UserMetadata: map[string]any{"source": "engine test"}})
	must("upload", err)
	task, err := c.WaitForTask(ctx, up.ID, tlclient.WaitOptions{Interval: 200 * time.Millisecond})
	must("wait for the task", err)
	if task.Status != tlclient.TaskReady || task.VideoID != up.VideoID || task.IndexID != ixID {
		t.Fatalf("task = %+v (failure %+v), want ready with video %s", task, task.Failure, up.VideoID)
	}
	if math.Abs(task.SystemMetadata.Duration-clipLength) > 0.5 || task.SystemMetadata.Filename != "clip.mp4" {
		t.Errorf("task system metadata = %+v, want clip.mp4 of %g s", task.SystemMetadata, clipLength)
	}
	tasks, err := c.ListTasks(ctx, tlclient.ListTasksParams{IndexID: ixID, Status: []string{tlclient.TaskReady}})
	must("list tasks", err)
	if len(tasks.Data) != 1 || tasks.Data[0].ID != up.ID {
		t.Errorf("ready tasks of the index: %+v, want the upload", tasks.Data)
	}

	// Videos: list, read with transcript, update both ways.
	vids, err := c.ListVideos(ctx, ixID, tlclient.ListVideosParams{})
	must("list videos", err)
	if len(vids.Data) != 1 || vids.Data[0].ID != up.VideoID || vids.Data[0].SystemMetadata.Width != 640 {
		t.Errorf("videos = %+v, want the 640-wide clip", vids.Data)
	}
	v, err := c.GetVideo(ctx, ixID, up.VideoID, tlclient.GetVideoParams{Transcription: true})
	must("get video", err)
	if v.HLS == nil || !strings.HasSuffix(v.HLS.VideoURL, ".m3u8") || v.UserMetadata["source"] != "engine test" {
		t.Errorf("video = %+v, want its HLS playlist and the metadata uploaded", v)
	}
	if v.Transcription == nil {
		t.Error("transcription asked for but absent")
	}
	must("update video", c.UpdateVideo(ctx, ixID, up.VideoID, tlclient.UpdateVideoRequest{UserMetadata: map[string]any{"topic": "rail"}}))
	must("patch video", c.PatchVideoMetadata(ctx, ixID, up.VideoID, map[string]any{"source": nil, "views": 3}))
	v, err = c.GetVideo(ctx, ixID, up.VideoID, tlclient.GetVideoParams{})
	must("get video", err)
	if _, has := v.UserMetadata["source"]; has || v.UserMetadata["topic"] != "rail" || v.UserMetadata["views"] != float64(3) {
		t.Errorf("user metadata after the updates = %v, want topic and views, source deleted", v.UserMetadata)
	}

	// Search: text across pages, then by a still of the clip.
	first, err := c.Search(ctx, tlclient.SearchRequest{IndexID: ixID, QueryText: "bottled water",
		SearchOptions: []string{"visual", "audio"}, PageLimit: 1, Threshold: "none"})
	must("search", err)
	if len(first.Data) != 1 || first.PageInfo.NextPageToken == "" {
		t.Fatalf("first page = %+v, want one result and a next page", first)
	}
	if r := first.Data[0]; r.VideoID != up.VideoID || r.Rank == nil || *r.Rank != 1 || r.Start >= 22 || r.End <= 12 {
		t.Errorf("best match %+v, want rank 1 over the caption at 0:12-0:22", r)
	}
	second, err := c.SearchByToken(ctx, first.PageInfo.NextPageToken)
	must("search page 2", err)
	if len(second.Data) != 1 || *second.Data[0].Rank != 2 || second.Data[0].Start == first.Data[0].Start {
		t.Errorf("second page = %+v, want the next clip, rank 2", second.Data)
	}
	byImage, err := c.Search(ctx, tlclient.SearchRequest{IndexID: ixID, QueryMedia: tlclient.FileUpload(still), SearchOptions: []string{"visual"}})
	must("search by image", err)
	if len(byImage.Data) == 0 || byImage.Data[0].Start > 8 || byImage.Data[0].End < 8 {
		t.Errorf("image search = %+v, want the clip holding 0:08 first", byImage.Data)
	}

	// Analysis: whole, streamed, gist and summaries.
	prompt := "What were residents told about the water?"
	zero := 0.0
	whole, err := c.Analyze(ctx, tlclient.AnalyzeRequest{VideoID: up.VideoID, Prompt: prompt, Temperature: &zero})
	must("analyze", err)
	if whole.FinishReason != "stop" || !strings.Contains(strings.ToLower(whole.Data), "bottled water") {
		t.Errorf("analysis = %+v, want an answer naming bottled water", whole)
	}
	var streamed strings.Builder
	var events []string
	for ev, err := range c.AnalyzeStream(ctx, tlclient.AnalyzeRequest{VideoID: up.VideoID, Prompt: prompt, Temperature: &zero}) {
		must("analyze stream", err)
		events = append(events, ev.EventType)
		streamed.WriteString(ev.Text)
	}
	if len(events) < 3 || events[0] != tlclient.EventStreamStart || events[len(events)-1] != tlclient.EventStreamEnd || streamed.String() != whole.Data {
		t.Errorf("stream events %v gave %q, want start, text, end giving %q", events, streamed.String(), whole.Data)
	}
	gist, err := c.Gist(ctx, tlclient.GistRequest{VideoID: up.VideoID, Types: []string{"title", "topic", "hashtag"}})
	must("gist", err)
	if gist.Title == "" || len(gist.Topics) == 0 || len(gist.Hashtags) == 0 {
		t.Errorf("gist = %+v, want a title, topics and hashtags", gist)
	}
	chapters, err := c.Summarize(ctx, tlclient.SummarizeRequest{VideoID: up.VideoID, Type: "chapter"})
	must("summarize", err)
	if n := len(chapters.Chapters); n == 0 || chapters.Chapters[0].StartSec != 0 || math.Abs(chapters.Chapters[n-1].EndSec-clipLength) > 0.5 {
		t.Errorf("chapters = %+v, want them to cover the clip", chapters.Chapters)
	}

	// Embeddings: an image, the indexed video's clips, then the clip in a
	// task, all in one space. The engine has no image–text model here, so
	// text (which would land in another space) is refused, as is audio.
	emb, err := c.Embed(ctx, tlclient.EmbedRequest{ModelName: "marengo3.0", ImageFile: tlclient.FileUpload(still)})
	must("embed image", err)
	if emb.ModelName != "marengo3.0" || emb.ImageEmbedding == nil || len(emb.ImageEmbedding.Segments[0].Float) == 0 {
		t.Fatalf("image embedding = %+v, want an image vector of marengo3.0", emb)
	}
	dim := len(emb.ImageEmbedding.Segments[0].Float)
	if _, err := c.Embed(ctx, tlclient.EmbedRequest{ModelName: "marengo3.0", Text: "a derailed train"}); !errors.Is(err, tlclient.ErrInvalidParameter) {
		t.Errorf("text embedding without an image–text model: %v, want a 400", err)
	}
	v, err = c.GetVideo(ctx, ixID, up.VideoID, tlclient.GetVideoParams{EmbeddingOptions: []string{"visual"}})
	must("get video embeddings", err)
	if v.Embedding == nil || v.Embedding.ModelName != "marengo3.0" || v.Embedding.VideoEmbedding == nil || len(v.Embedding.VideoEmbedding.Segments) < 2 {
		t.Fatalf("video embedding = %+v, want marengo3.0's clip vectors", v.Embedding)
	}
	for _, s := range v.Embedding.VideoEmbedding.Segments {
		if len(s.Float) != dim || s.EmbeddingOption != "visual" || s.EndOffsetSec > clipLength+0.5 {
			t.Errorf("video segment %v-%v %s has %d floats, the image %d", s.StartOffsetSec, s.EndOffsetSec, s.EmbeddingOption, len(s.Float), dim)
		}
	}
	if _, err := c.GetVideo(ctx, ixID, up.VideoID, tlclient.GetVideoParams{EmbeddingOptions: []string{"audio"}}); !errors.Is(err, tlclient.ErrInvalidParameter) {
		t.Errorf("audio embeddings of the video: %v, want a 400", err)
	}
	etID, err := c.CreateEmbeddingTask(ctx, tlclient.CreateEmbeddingTaskRequest{ModelName: "marengo3.0",
		VideoFile: tlclient.FileUpload(clip), VideoEmbeddingScopes: []string{"clip", "video"}})
	must("create embedding task", err)
	for {
		st, err := c.GetEmbeddingTaskStatus(ctx, etID)
		must("embedding task status", err)
		if st.Status != "processing" {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	et, err := c.GetEmbeddingTask(ctx, etID)
	must("get embedding task", err)
	if et.Status != "ready" || et.VideoEmbedding == nil {
		t.Fatalf("embedding task = %+v, want ready with vectors", et)
	}
	var scopes []string
	for _, s := range et.VideoEmbedding.Segments {
		scopes = append(scopes, s.EmbeddingScope)
		if len(s.Float) != dim || s.EmbeddingOption != "visual" {
			t.Errorf("a %s segment (%s) has %d dimensions, the image %d: not one space", s.EmbeddingScope, s.EmbeddingOption, len(s.Float), dim)
		}
	}
	if !slices.Contains(scopes, "clip") || slices.Index(scopes, "video") != len(scopes)-1 {
		t.Errorf("segment scopes %v, want clips then the video", scopes)
	}
	ets, err := c.ListEmbeddingTasks(ctx, tlclient.ListEmbeddingTasksParams{})
	must("list embedding tasks", err)
	if len(ets.Data) != 1 || ets.Data[0].ID != etID {
		t.Errorf("embedding tasks = %+v, want the one", ets.Data)
	}

	// Teardown in the documented order: the video, its task, the index.
	must("delete video", c.DeleteVideo(ctx, ixID, up.VideoID))
	_, err = c.GetVideo(ctx, ixID, up.VideoID, tlclient.GetVideoParams{})
	gone("video", err)
	must("delete task", c.DeleteTask(ctx, up.ID))
	_, err = c.GetTask(ctx, up.ID)
	gone("task", err)
	must("delete index", c.DeleteIndex(ctx, ixID))
	_, err = c.GetIndex(ctx, ixID)
	gone("index", err)

	var missing []string
	for _, op := range apispec.ProductOperations {
		if !ops.seen[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("operations not driven: %v", missing)
	}
}
