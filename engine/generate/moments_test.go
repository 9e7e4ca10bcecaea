package generate

import "testing"

func TestPromptSubject(t *testing.T) {
	tests := []struct{ prompt, want string }{
		{"What were residents told about drinking water?", "residents drinking water"},
		{"What does the video say about the fire?", "fire"},
		{"Summarize this video.", ""},
		{"Fire, fires and FIRE", "Fire"},
	}
	for _, tt := range tests {
		if got := promptSubject(tt.prompt); got != tt.want {
			t.Errorf("promptSubject(%q) = %q, want %q", tt.prompt, got, tt.want)
		}
	}
}
