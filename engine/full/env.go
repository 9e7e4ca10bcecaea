package full

import (
	"glimpse/engine/generate"
	"glimpse/engine/understand/onnx"
)

// The optional parts of the engine are named by the environment, the same
// way for cmd/engine and cmd/web. Keys are read from the environment only,
// so that they never show in a process list.

// LLMFromEnv names the optional OpenAI-compatible chat-completions server
// that writes /analyze answers: GLIMPSE_LLM_URL (for example
// http://127.0.0.1:11434/v1 for Ollama), GLIMPSE_LLM_MODEL and, when the
// server wants one, GLIMPSE_LLM_API_KEY. Without a URL it returns nil and
// the engine keeps its built-in generator.
func LLMFromEnv(getenv func(string) string) *generate.LLMConfig {
	url := getenv("GLIMPSE_LLM_URL")
	if url == "" {
		return nil
	}
	return &generate.LLMConfig{URL: url, Model: getenv("GLIMPSE_LLM_MODEL"), APIKey: getenv("GLIMPSE_LLM_API_KEY")}
}

// ImageTextModelFromEnv names the optional CLIP-style ONNX model that adds
// text-to-visual search: GLIMPSE_CLIP_DIR holds image.onnx, text.onnx,
// vocab.json and merges.txt; GLIMPSE_ONNXRUNTIME_LIB is ONNX Runtime's shared
// library (libonnxruntime.so.1 from the npm package onnxruntime-node).
// Without a model directory it returns nil.
func ImageTextModelFromEnv(getenv func(string) string) *onnx.Config {
	dir := getenv("GLIMPSE_CLIP_DIR")
	if dir == "" {
		return nil
	}
	return &onnx.Config{Dir: dir, Library: getenv("GLIMPSE_ONNXRUNTIME_LIB")}
}
