package search

import "testing"

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"caresses", "caress"}, {"ponies", "poni"}, {"cats", "cat"},
		{"agreed", "agre"}, {"plastered", "plaster"}, {"motoring", "motor"},
		{"hopping", "hop"}, {"filing", "file"}, {"happy", "happi"},
		{"relational", "relat"}, {"conditional", "condit"}, {"generalization", "gener"},
		{"hopeful", "hope"}, {"goodness", "good"}, {"revival", "reviv"},
		{"adjustment", "adjust"}, {"adoption", "adopt"}, {"controlling", "control"},
		{"crashed", "crash"}, {"crashing", "crash"}, {"crashes", "crash"},
		{"bottled", "bottl"}, {"bottle", "bottl"}, {"chemicals", "chemic"}, {"chemical", "chemic"},
		{"derailment", "derail"}, {"is", "is"},
	}
	for _, tt := range tests {
		if got := stem(tt.in); got != tt.want {
			t.Errorf("stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
