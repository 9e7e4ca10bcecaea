package local

import "glimpse/engine/generate"

// LLMFromEnv names the optional OpenAI-compatible chat-completions server
// that writes /analyze answers: GLIMPSE_LLM_URL (for example
// http://127.0.0.1:11434/v1 for Ollama), GLIMPSE_LLM_MODEL and, when the
// server wants one, GLIMPSE_LLM_API_KEY. Without a URL it returns nil and
// the engine keeps its built-in generator. The key is read from the
// environment only, so that it never shows in a process list.
func LLMFromEnv(getenv func(string) string) *generate.LLMConfig {
	url := getenv("GLIMPSE_LLM_URL")
	if url == "" {
		return nil
	}
	return &generate.LLMConfig{URL: url, Model: getenv("GLIMPSE_LLM_MODEL"), APIKey: getenv("GLIMPSE_LLM_API_KEY")}
}
