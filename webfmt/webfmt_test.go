package webfmt

import "testing"

func TestClock(t *testing.T) {
	tests := []struct {
		sec        float64
		clock, len string
	}{
		{0, "0:00", ""}, {42.9, "0:42", "0:42"}, {65, "1:05", "1:05"}, {600, "10:00", "10:00"},
		{3723, "1:02:03", "1:02:03"}, {-3, "0:00", ""},
	}
	for _, tt := range tests {
		if got := Clock(tt.sec); got != tt.clock {
			t.Errorf("Clock(%v) = %q, want %q", tt.sec, got, tt.clock)
		}
		if got := Length(tt.sec); got != tt.len {
			t.Errorf("Length(%v) = %q, want %q", tt.sec, got, tt.len)
		}
	}
}

func TestURLsEscapeIDs(t *testing.T) {
	tests := []struct{ got, want string }{
		{WatchURL("i 1", "v/2"), "/indexes/i%201/videos/v%2F2/watch"},
		{TaskURL("t?x"), "/tasks/t%3Fx"},
		{AnswerEventsURL("i", "v", "a"), "/indexes/i/videos/v/analysis/answers/a/events"},
		{AnswerStopURL("i", "v", "a"), "/indexes/i/videos/v/analysis/answers/a/stop"},
		{EventsURL("tasks-s1"), "/events/tasks-s1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
