package main

import "testing"

func TestCheckSummary(t *testing.T) {
	bv := &builtVideo{Spec: videoSpec{Bug: "HARBOUR CITY NEWS", Segments: []segment{
		{Captions: []string{"STORM WARNING"}, Narration: "Forecasters expect heavy rain tonight."},
	}}}
	tests := []struct {
		name            string
		sum             string
		sentences, good int
		quoted          int
	}{
		{"prose", "This video from “Harbour City News” is about a storm. At 0:01 the narration says “forecasters expect heavy rain tonight”.", 2, 8, 8},
		{"misheard quote", "The transcript reads: “forecasters expect heavy grain tonight.” Then more.", 2, 4, 5},
		{"list of lines", "0:00 – Storm.\n\n0:12 – Rain.", 2, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checkSummary(tt.sum, bv, "")
			if c.Sentences != tt.sentences || c.Quoted.n != tt.good || c.Quoted.of != tt.quoted {
				t.Errorf("got %d sentences, %d/%d quoted words right; want %d, %d/%d", c.Sentences, c.Quoted.n, c.Quoted.of, tt.sentences, tt.good, tt.quoted)
			}
		})
	}
	if c := checkSummary("0:00 – Storm.\n\n0:12 – Rain.", bv, ""); c.Lines != 3 {
		t.Errorf("lines %d, want 3", c.Lines)
	}
}
