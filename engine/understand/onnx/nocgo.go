//go:build !cgo

package onnx

import (
	"errors"
	"image"
)

// Model is unavailable without cgo: ONNX Runtime is a C library.
type Model struct{}

var errNoCgo = errors.New("onnx: this build has no cgo, so it cannot load ONNX Runtime; rebuild with CGO_ENABLED=1")

// Load fails: the image–text model needs a cgo build.
func Load(Config) (*Model, error) { return nil, errNoCgo }

func (m *Model) Close()                                        {}
func (m *Model) Name() string                                  { return "" }
func (m *Model) Dim() int                                      { return 0 }
func (m *Model) TextEmbedding(string) ([]float32, error)       { return nil, errNoCgo }
func (m *Model) ImageEmbedding(image.Image) ([]float32, error) { return nil, errNoCgo }
