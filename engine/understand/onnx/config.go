// Package onnx runs an operator-supplied CLIP-style image–text model with
// ONNX Runtime, so that text queries can find pictures (not only words on
// screen or in speech). The engine runs fully without one. It needs cgo;
// built without, Load says so.
package onnx

// Config points at the model's files.
type Config struct {
	// Library is ONNX Runtime's shared library (libonnxruntime.so.1, shipped
	// in the npm package onnxruntime-node under bin/napi-v6/linux/x64/).
	Library string
	// Dir holds image.onnx (pixels [1,3,S,S] float -> [1,D]), text.onnx
	// (token ids [1,L] int64, optionally an attention mask -> [1,D]),
	// vocab.json and merges.txt (CLIP BPE).
	Dir string
	// ImageSize is S; default 224. ContextLength is L; default 77.
	ImageSize     int
	ContextLength int
	// Mean and Std normalise RGB in [0,1]; default CLIP's.
	Mean, Std [3]float32
}
