package engine_test

import (
	"context"
	"testing"
	"time"

	"glimpse/engine"
	"glimpse/engine/pipeline"
	"glimpse/internal/testwait"
)

// gateStage reports half its work, then waits to be let through.
type gateStage struct {
	reached chan struct{}
	open    chan struct{}
}

func (gateStage) Name() string    { return "gate" }
func (gateStage) Weight() float64 { return 9 } // as heavy as the core stages together
func (g gateStage) Run(ctx context.Context, _ *pipeline.Video, progress func(float64)) error {
	progress(0.5)
	select {
	case g.reached <- struct{}{}:
	default:
	}
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestProgressAndGracefulStop: a task shows the weighted progress of its
// stages while indexing; stopping the engine puts it back in the queue and
// the next start finishes it.
func TestProgressAndGracefulStop(t *testing.T) {
	dataDir := t.TempDir()
	gate := gateStage{reached: make(chan struct{}, 1), open: make(chan struct{})}
	var taskID string
	// Stopped twice mid-indexing: a graceful stop puts the task back in the
	// queue (unlike a crash, which counts towards failing it).
	for round := range 2 {
		eng, err := engine.New(engine.Config{DataDir: dataDir, APIKey: "k", Parts: fixedParts(engine.Parts{Stages: []pipeline.Stage{gate}})})
		if err != nil {
			t.Fatal(err)
		}
		e := wrap(t, eng, dataDir)
		if round == 0 {
			index := e.createIndex(t, "progress")
			_, out := e.upload(t, map[string]string{"index_id": index}, fixture(t, "good.mp4"))
			taskID = out["_id"].(string)
		}
		select {
		case <-gate.reached:
		case <-time.After(testwait.Bound(t)):
			t.Fatal("the gate stage never ran")
		}
		var tk task
		e.call(t, "GET", "/tasks/"+taskID, nil, &tk)
		// core stages done (weight 9 of 18) and half the gate (4.5): 75 %
		if tk.Status != "indexing" || tk.Progress != 75 || tk.HLS == nil || tk.HLS.Status != "PROCESSING" || tk.HLS.VideoURL != "" {
			t.Fatalf("while indexing: %+v", tk)
		}
		e.srv.Close()
		if err := eng.Close(); err != nil {
			t.Fatal(err)
		}
	}

	// The next start redoes it; this time the gate is open.
	close(gate.open)
	second := startEngine(t, engine.Config{DataDir: dataDir, APIKey: "k", Parts: fixedParts(engine.Parts{Stages: []pipeline.Stage{gate}})})
	tk := second.waitTask(t, taskID)
	if tk.Status != "ready" || tk.Progress != 100 || tk.HLS == nil || tk.HLS.Status != "COMPLETE" {
		t.Fatalf("after restart: %+v", tk)
	}
}

func wrap(t *testing.T, eng *engine.Engine, dataDir string) *testEngine {
	e := &testEngine{Engine: eng, dataDir: dataDir, key: "k"}
	e.srv = newServer(eng)
	return e
}

// panicStage fails the way a bug in a stage would.
type panicStage struct{}

func (panicStage) Name() string    { return "buggy" }
func (panicStage) Weight() float64 { return 1 }
func (panicStage) Run(context.Context, *pipeline.Video, func(float64)) error {
	var clips []pipeline.Clip
	_ = clips[3] // index out of range
	return nil
}

// TestStagePanic: a stage that panics fails its task with a reason instead
// of taking the engine (and the web app it may be embedded in) down.
func TestStagePanic(t *testing.T) {
	e := startEngine(t, engine.Config{Parts: fixedParts(engine.Parts{Stages: []pipeline.Stage{panicStage{}}})})
	index := e.createIndex(t, "panic")
	_, out := e.upload(t, map[string]string{"index_id": index}, fixture(t, "good.mp4"))
	tk := e.waitTask(t, out["_id"].(string))
	if tk.Status != "failed" || tk.Failure == nil || tk.Failure.Code != "internal_error" || tk.Failure.Message == "" {
		t.Fatalf("task %+v %+v", tk, tk.Failure)
	}
	// The engine still serves.
	if code, b := e.call(t, "GET", "/indexes/"+index, nil, nil); code != 200 {
		t.Errorf("after the panic: %d %s", code, b)
	}
}
