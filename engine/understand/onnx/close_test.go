//go:build cgo

package onnx

import (
	"image"
	"sync"
	"testing"
)

// TestCloseWhileEmbedding: a model closed while searches still embed (engine
// shutdown) answers them with an error, never a freed session.
func TestCloseWhileEmbedding(t *testing.T) {
	lib := runtimeLibrary(t)
	dir := t.TempDir()
	writeTestModel(t, dir, true)
	m, err := Load(Config{Library: lib, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				if _, err := m.TextEmbedding("a train"); err != nil && err.Error() != "onnx model is closed" {
					t.Errorf("text: %v", err)
				}
				if _, err := m.ImageEmbedding(image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil && err.Error() != "onnx model is closed" {
					t.Errorf("image: %v", err)
				}
			}
		}()
	}
	m.Close()
	wg.Wait()
	if _, err := m.TextEmbedding("after"); err == nil {
		t.Error("a closed model still embeds")
	}
}
