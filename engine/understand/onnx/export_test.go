//go:build cgo

package onnx

// For the external tests that wire a model into the engine's search.
var (
	WriteTestModel = writeTestModel
	RuntimeLibrary = runtimeLibrary
)
