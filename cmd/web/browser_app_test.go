package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"glimpse/tlclient"
)

// exampleApp is the web app as cmd/web wires it (embedded engine, real
// sessions, SSE hub) with the SDK's example.mp4 indexed by its engine.
// Indexing the video is most of a browser test's time, so the browser
// tests of this package share one, built on first use.
type exampleApp struct {
	URL              string // the app's origin
	IndexID, VideoID string
}

// sharedExample holds the one exampleApp of this test binary; TestMain closes it.
var sharedExample struct {
	once  sync.Once
	app   exampleApp
	err   error
	close func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedExample.close != nil {
		sharedExample.close()
	}
	os.Exit(code)
}

// indexedExample returns the shared app, building it on the first call.
// The index has Marengo and Pegasus, so search and analysis both work.
func indexedExample(t *testing.T, video string) exampleApp {
	t.Helper()
	sharedExample.once.Do(func() {
		sharedExample.app, sharedExample.close, sharedExample.err = buildExampleApp(video)
	})
	if sharedExample.err != nil {
		t.Fatal(sharedExample.err)
	}
	return sharedExample.app
}

func buildExampleApp(video string) (app exampleApp, closeApp func(), err error) {
	dir, err := os.MkdirTemp("", "glimpse-browser-")
	if err != nil {
		return app, nil, err
	}
	srv := httptest.NewUnstartedServer(nil)
	app.URL = "http://" + srv.Listener.Addr().String()
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("GLIMPSE_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	a, err := newApp(&config{dataDir: dir, maxUploadMB: 2048, baseURL: tlclient.DefaultBaseURL}, app.URL, log)
	if err != nil {
		srv.Close()
		os.RemoveAll(dir)
		return app, nil, err
	}
	srv.Config.Handler = a.Handler
	srv.Start()
	closeApp = func() {
		srv.Close()
		a.Close()
		os.RemoveAll(dir)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// Index the video through the API, as any client would.
	api := tlclient.New(a.EngineKey, tlclient.WithBaseURL(app.URL+"/engine/v1.3"))
	app.IndexID, err = api.CreateIndex(ctx, tlclient.CreateIndexRequest{IndexName: "browser",
		Models: []tlclient.IndexModel{
			{ModelName: "marengo2.7", ModelOptions: []string{"visual", "audio"}},
			{ModelName: "pegasus1.2", ModelOptions: []string{"visual", "audio"}},
		}})
	if err == nil {
		var created *tlclient.CreateTaskResponse
		created, err = api.CreateTask(ctx, tlclient.CreateTaskRequest{IndexID: app.IndexID, Video: tlclient.FileUpload(video)})
		if err == nil {
			app.VideoID = created.VideoID
			var task *tlclient.Task
			task, err = api.WaitForTask(ctx, created.ID, tlclient.WaitOptions{Interval: 500 * time.Millisecond})
			if err == nil && task.Status != tlclient.TaskReady {
				err = fmt.Errorf("indexing example.mp4 ended %q: %+v", task.Status, task.Failure)
			}
		}
	}
	if err != nil {
		closeApp()
		return app, nil, fmt.Errorf("indexing example.mp4 for the browser tests: %w", err)
	}
	return app, closeApp, nil
}
