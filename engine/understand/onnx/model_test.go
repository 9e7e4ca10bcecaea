//go:build cgo

package onnx

import (
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func solid(c color.RGBA, w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		img.Pix[i*4], img.Pix[i*4+1], img.Pix[i*4+2], img.Pix[i*4+3] = c.R, c.G, c.B, 255
	}
	return img
}

func TestTokenizer(t *testing.T) {
	dir := t.TempDir()
	writeTestModel(t, dir, false)
	tok, err := NewTokenizer(filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt"), 77)
	if err != nil {
		t.Fatal(err)
	}
	ids, n := tok.Encode("  RED  blue!")
	want := []int64{tok.sot, tok.vocab["red</w>"], tok.vocab["blue</w>"], tok.vocab["!</w>"], tok.eot}
	if tok.vocab["!</w>"] == 0 { // not in the test vocabulary: dropped
		want = []int64{tok.sot, tok.vocab["red</w>"], tok.vocab["blue</w>"], tok.eot}
	}
	if len(ids) != 77 || n != len(want) {
		t.Fatalf("got %d ids, %d real; want 77, %d", len(ids), n, len(want))
	}
	for i, w := range want {
		if ids[i] != w {
			t.Errorf("id %d = %d, want %d", i, ids[i], w)
		}
	}
	for _, id := range ids[n:] {
		if id != 0 {
			t.Fatalf("padding %v", ids[n:])
		}
	}
	long, n := tok.Encode(strings.Repeat("red ", 200))
	if n != 77 || long[76] != tok.eot {
		t.Errorf("a long text is not cut to the context: n=%d last=%d", n, long[76])
	}
	for _, bad := range [][2]string{{"missing.json", "merges.txt"}, {"merges.txt", "merges.txt"}} {
		if _, err := NewTokenizer(filepath.Join(dir, bad[0]), filepath.Join(dir, bad[1]), 77); err == nil {
			t.Errorf("tokenizer from %v: no error", bad)
		}
	}
}

func TestModelLoadPreprocessAndMatch(t *testing.T) {
	lib := runtimeLibrary(t)
	for _, withMask := range []bool{false, true} {
		dir := t.TempDir()
		writeTestModel(t, dir, withMask)
		m, err := Load(Config{Library: lib, Dir: dir})
		if err != nil {
			t.Fatalf("load (mask %v): %v", withMask, err)
		}
		if m.Dim() != 3 {
			t.Errorf("dim %d", m.Dim())
		}
		// Preprocessing: a pure red 640x360 picture is cropped to a square,
		// scaled to 224 and normalised with CLIP's mean and std.
		px := m.Preprocess(solid(color.RGBA{255, 0, 0, 255}, 640, 360))
		wantR := (1 - 0.48145466) / 0.26862954
		wantB := (0 - 0.40821073) / 0.27577711
		if len(px) != 3*224*224 || math.Abs(float64(px[0])-wantR) > 1e-4 || math.Abs(float64(px[2*224*224+500])-wantB) > 1e-4 {
			t.Errorf("preprocess: len %d, R %.4f (want %.4f), B %.4f (want %.4f)", len(px), px[0], wantR, px[2*224*224+500], wantB)
		}
		// Text finds the picture it names.
		pics := map[string]image.Image{
			"red": solid(color.RGBA{230, 20, 30, 255}, 320, 240), "lime": solid(color.RGBA{30, 200, 40, 255}, 100, 400),
			"blue": solid(color.RGBA{20, 30, 220, 255}, 64, 64),
		}
		vecs := map[string][]float32{}
		for name, p := range pics {
			if vecs[name], err = m.ImageEmbedding(p); err != nil {
				t.Fatal(err)
			}
		}
		for _, word := range []string{"red", "lime", "blue"} {
			q, err := m.TextEmbedding("a " + word + " picture")
			if err != nil {
				t.Fatal(err)
			}
			best, bestCos := "", float32(-2)
			for name, v := range vecs {
				var c float32
				for i := range v {
					c += v[i] * q[i]
				}
				if c > bestCos {
					best, bestCos = name, c
				}
			}
			if best != word {
				t.Errorf("%q matched the %s picture best", word, best)
			}
		}
		m.Close()
	}
}

func TestLoadErrors(t *testing.T) {
	lib := runtimeLibrary(t)
	dir := t.TempDir()
	writeTestModel(t, dir, false)
	broken := t.TempDir()
	writeTestModel(t, broken, false)
	os.WriteFile(filepath.Join(broken, "image.onnx"), []byte("not a model"), 0o644)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no library", Config{Library: filepath.Join(dir, "nope.so"), Dir: dir}},
		{"no model dir", Config{Library: lib, Dir: filepath.Join(dir, "missing")}},
		{"broken image tower", Config{Library: lib, Dir: broken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := Load(tt.cfg); err == nil {
				m.Close()
				t.Error("loaded")
			}
		})
	}
	// and a good one still loads after the failures
	m, err := Load(Config{Library: lib, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
}
