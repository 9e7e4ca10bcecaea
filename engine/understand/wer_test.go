package understand

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const librivox = "/usr/share/pocketsphinx/test/data/librivox"

// wordErrors is the word-level edit distance between a reference and a hypothesis.
func wordErrors(ref, hyp []string) int {
	prev := make([]int, len(hyp)+1)
	cur := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			c := prev[j-1]
			if ref[i-1] != hyp[j-1] {
				c = 1 + min(prev[j-1], prev[j], cur[j-1])
			}
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(hyp)]
}

func TestWordErrors(t *testing.T) {
	tests := []struct {
		ref, hyp string
		want     int
	}{
		{"a b c", "a b c", 0},
		{"a b c", "a c", 1},
		{"a b c", "a x c d", 2},
		{"", "a", 1},
	}
	for _, tt := range tests {
		if got := wordErrors(strings.Fields(tt.ref), strings.Fields(tt.hyp)); got != tt.want {
			t.Errorf("wordErrors(%q, %q) = %d, want %d", tt.ref, tt.hyp, got, tt.want)
		}
	}
}

// TestSpeechWER measures the speech stage's word error rate on the LibriVox
// recordings of Debian's pocketsphinx-testdata and prints it:
//
//	GLIMPSE_WER_BASELINE=1 go test ./engine/understand/ -run TestSpeechWER -v
func TestSpeechWER(t *testing.T) {
	f, err := os.Open(filepath.Join(librivox, "transcription"))
	if err != nil {
		t.Fatalf("pocketsphinx-testdata missing (scripts/deps.sh test installs it): %v", err)
	}
	defer f.Close()
	st, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^<s> (.*) </s> \((\S+)\)$`)
	type utterance struct{ id, ref string }
	var utts []utterance
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := line.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
			utts = append(utts, utterance{m[2], m[1]})
		}
	}
	if len(utts) == 0 {
		t.Fatal("no reference transcriptions read")
	}
	// The stage's fast setting; with GLIMPSE_WER_BASELINE=1 also
	// pocketsphinx's defaults, the baseline docs/BENCHMARKS.md compares with.
	settings := []struct {
		name string
		args []string
	}{{"fast (used)", FastDecoder()}}
	if os.Getenv("GLIMPSE_WER_BASELINE") == "1" {
		settings = append(settings, struct {
			name string
			args []string
		}{"pocketsphinx defaults", []string{}})
	}
	for _, setting := range settings {
		sp := *st.Speech()
		sp.Args = setting.args
		var errs, words int
		start := time.Now()
		for _, u := range utts {
			got, err := sp.Recognize(context.Background(), filepath.Join(librivox, u.id+".wav"))
			if err != nil {
				t.Fatalf("%s: %v", u.id, err)
			}
			var hyp []string
			for _, w := range got {
				hyp = append(hyp, w.Word)
			}
			ref := strings.Fields(u.ref)
			e := wordErrors(ref, hyp)
			errs += e
			words += len(ref)
			t.Logf("%s %s: %d errors in %d words\n  ref: %s\n  hyp: %s", setting.name, u.id, e, len(ref), u.ref, strings.Join(hyp, " "))
		}
		wer := float64(errs) / float64(words)
		t.Logf("WER %s: %.1f%% (%d errors in %d words, %d utterances, %s)", setting.name, 100*wer, errs, words, len(utts), time.Since(start).Round(time.Millisecond))
		if wer > 0.35 {
			t.Errorf("WER %s %.1f%% is worse than the 35%% bound", setting.name, 100*wer)
		}
	}
}

func TestSpeechProgressRisesToOne(t *testing.T) {
	st, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []float64
	words, err := st.Speech().RecognizeProgress(context.Background(),
		filepath.Join(librivox, "sense_and_sensibility_01_austen_64kb-0870.wav"), func(f float64) { seen = append(seen, f) })
	if err != nil {
		t.Fatal(err)
	}
	if len(words) == 0 || len(seen) == 0 || seen[len(seen)-1] != 1 {
		t.Fatalf("%d words, progress %v", len(words), seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Errorf("progress went back: %v", seen)
		}
	}
}
