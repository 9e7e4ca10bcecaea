//go:build cgo

package onnx

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"math"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Model is a loaded image tower, text tower and tokenizer.
type Model struct {
	cfg   Config
	tok   *Tokenizer
	img   *ort.DynamicAdvancedSession
	txt   *ort.DynamicAdvancedSession
	txtIn int // inputs of the text tower: ids, or ids and attention mask
	dim   int
	mu    sync.Mutex // sessions are run one call at a time
}

// ortEnv guards ONNX Runtime's process-wide environment: it can be set up
// once per process, whatever number of models use it.
var ortEnv struct {
	sync.Mutex
	lib  string
	refs int
}

// Load loads the model; errors name the missing or unusable file.
func Load(cfg Config) (*Model, error) {
	if cfg.ImageSize <= 0 {
		cfg.ImageSize = 224
	}
	if cfg.ContextLength <= 0 {
		cfg.ContextLength = 77
	}
	if cfg.Std == ([3]float32{}) {
		cfg.Mean = [3]float32{0.48145466, 0.4578275, 0.40821073}
		cfg.Std = [3]float32{0.26862954, 0.26130258, 0.27577711}
	}
	for _, f := range []string{cfg.Library, filepath.Join(cfg.Dir, "image.onnx"), filepath.Join(cfg.Dir, "text.onnx")} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("onnx model: %w", err)
		}
	}
	tok, err := NewTokenizer(filepath.Join(cfg.Dir, "vocab.json"), filepath.Join(cfg.Dir, "merges.txt"), cfg.ContextLength)
	if err != nil {
		return nil, err
	}
	if err := acquireEnv(cfg.Library); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, tok: tok}
	ok := false
	defer func() {
		if !ok {
			m.Close()
		}
	}()
	if m.img, _, err = session(filepath.Join(cfg.Dir, "image.onnx")); err != nil {
		return nil, err
	}
	var nIn int
	if m.txt, nIn, err = session(filepath.Join(cfg.Dir, "text.onnx")); err != nil {
		return nil, err
	}
	m.txtIn = nIn
	probe, err := m.TextEmbedding("a photo")
	if err != nil {
		return nil, fmt.Errorf("onnx text tower: %w", err)
	}
	m.dim = len(probe)
	iv, err := m.ImageEmbedding(image.NewRGBA(image.Rect(0, 0, 8, 8)))
	if err != nil {
		return nil, fmt.Errorf("onnx image tower: %w", err)
	}
	if len(iv) != m.dim {
		return nil, fmt.Errorf("onnx model: image vectors have %d floats, text vectors %d", len(iv), m.dim)
	}
	ok = true
	return m, nil
}

func acquireEnv(lib string) error {
	ortEnv.Lock()
	defer ortEnv.Unlock()
	if ortEnv.refs > 0 {
		if lib != ortEnv.lib {
			return fmt.Errorf("onnx: runtime already loaded from %s", ortEnv.lib)
		}
		ortEnv.refs++
		return nil
	}
	ort.SetSharedLibraryPath(lib)
	if err := ort.InitializeEnvironment(); err != nil {
		return fmt.Errorf("onnx runtime %s: %w", lib, err)
	}
	ortEnv.lib, ortEnv.refs = lib, 1
	return nil
}

func releaseEnv() {
	ortEnv.Lock()
	defer ortEnv.Unlock()
	ortEnv.refs--
	if ortEnv.refs == 0 {
		_ = ort.DestroyEnvironment()
	}
}

func session(path string) (*ort.DynamicAdvancedSession, int, error) {
	ins, outs, err := ort.GetInputOutputInfo(path)
	if err != nil {
		return nil, 0, fmt.Errorf("onnx model %s: %w", filepath.Base(path), err)
	}
	if len(ins) == 0 || len(outs) == 0 {
		return nil, 0, fmt.Errorf("onnx model %s has no inputs or outputs", filepath.Base(path))
	}
	var inNames []string
	for _, in := range ins[:min(len(ins), 2)] {
		inNames = append(inNames, in.Name)
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, 0, err
	}
	defer opts.Destroy()
	_ = opts.SetIntraOpNumThreads(1) // the engine runs several things at once
	_ = opts.SetInterOpNumThreads(1)
	s, err := ort.NewDynamicAdvancedSession(path, inNames, []string{outs[0].Name}, opts)
	if err != nil {
		return nil, 0, fmt.Errorf("onnx model %s: %w", filepath.Base(path), err)
	}
	return s, len(inNames), nil
}

// Close frees the sessions and, with the last model, the runtime. It waits
// for a call in progress; later calls fail with "onnx model is closed".
func (m *Model) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.img != nil {
		m.img.Destroy()
		m.img = nil
	}
	if m.txt != nil {
		m.txt.Destroy()
		m.txt = nil
	}
	if m.tok != nil {
		m.tok = nil
		releaseEnv()
	}
}

// Name names the model in /embed answers: "onnx:" and its directory's name.
func (m *Model) Name() string { return "onnx:" + filepath.Base(m.cfg.Dir) }

// Dim is the length of the model's vectors.
func (m *Model) Dim() int { return m.dim }

// Preprocess resizes img (shorter side to S, bicubic-free box sampling),
// centre-crops S x S and normalises to CHW floats, as CLIP does.
func (m *Model) Preprocess(img image.Image) []float32 {
	s := m.cfg.ImageSize
	b := img.Bounds()
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	w, h := b.Dx(), b.Dy()
	scale := float64(s) / float64(min(w, h))
	cw, ch := float64(s)/scale, float64(s)/scale // crop size in source pixels
	x0, y0 := (float64(w)-cw)/2, (float64(h)-ch)/2
	out := make([]float32, 3*s*s)
	for y := 0; y < s; y++ {
		sy0 := int(y0 + float64(y)*ch/float64(s))
		sy1 := max(int(y0+float64(y+1)*ch/float64(s)), sy0+1)
		for x := 0; x < s; x++ {
			sx0 := int(x0 + float64(x)*cw/float64(s))
			sx1 := max(int(x0+float64(x+1)*cw/float64(s)), sx0+1)
			var sum [3]float64
			n := 0
			for yy := sy0; yy < sy1 && yy < h; yy++ {
				for xx := sx0; xx < sx1 && xx < w; xx++ {
					o := yy*rgba.Stride + xx*4
					sum[0] += float64(rgba.Pix[o])
					sum[1] += float64(rgba.Pix[o+1])
					sum[2] += float64(rgba.Pix[o+2])
					n++
				}
			}
			for c := 0; c < 3; c++ {
				v := float32(sum[c] / float64(max(n, 1)) / 255)
				out[c*s*s+y*s+x] = (v - m.cfg.Mean[c]) / m.cfg.Std[c]
			}
		}
	}
	return out
}

// ImageEmbedding is the image tower's L2-normalised vector for img.
func (m *Model) ImageEmbedding(img image.Image) ([]float32, error) {
	s := int64(m.cfg.ImageSize)
	px := m.Preprocess(img)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.img == nil {
		return nil, errClosed
	}
	in, err := ort.NewTensor(ort.NewShape(1, 3, s, s), px)
	if err != nil {
		return nil, err
	}
	defer in.Destroy()
	return m.run(m.img, []ort.Value{in})
}

// TextEmbedding is the text tower's L2-normalised vector for text.
func (m *Model) TextEmbedding(text string) ([]float32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.txt == nil || m.tok == nil {
		return nil, errClosed
	}
	ids, n := m.tok.Encode(text)
	l := int64(len(ids))
	in, err := ort.NewTensor(ort.NewShape(1, l), ids)
	if err != nil {
		return nil, err
	}
	defer in.Destroy()
	inputs := []ort.Value{in}
	if m.txtIn > 1 {
		mask := make([]int64, len(ids))
		for i := 0; i < n; i++ {
			mask[i] = 1
		}
		mt, err := ort.NewTensor(ort.NewShape(1, l), mask)
		if err != nil {
			return nil, err
		}
		defer mt.Destroy()
		inputs = append(inputs, mt)
	}
	return m.run(m.txt, inputs)
}

var errClosed = errors.New("onnx model is closed")

// run runs a session; the caller holds m.mu (sessions run one call at a
// time, and Close must not free one under a call).
func (m *Model) run(s *ort.DynamicAdvancedSession, inputs []ort.Value) ([]float32, error) {
	outs := []ort.Value{nil}
	if err := s.Run(inputs, outs); err != nil {
		return nil, err
	}
	defer outs[0].Destroy()
	t, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, errors.New("onnx model output is not float32")
	}
	v := append([]float32(nil), t.GetData()...)
	var sum float64
	for _, x := range v {
		sum += float64(x * x)
	}
	if sum == 0 {
		return v, nil
	}
	k := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= k
	}
	return v, nil
}
