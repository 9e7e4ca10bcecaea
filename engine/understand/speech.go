package understand

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"glimpse/engine/media"
)

// Word is one recognised word with its timing, seconds from the start.
type Word struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Word  string  `json:"w"`
	// Conf is the decoder's posterior for the word, in (0,1]; 0 in data
	// from before it was kept, which counts as sure (pipeline.Sure).
	Conf float64 `json:"c,omitempty"`
}

// Speech recognises English speech with pocketsphinx. Voice-activity
// detection runs first, in Go, so silence and steady sound (music, hum)
// never reach the decoder; the speech regions are then decoded by Workers
// pocketsphinx_batch processes side by side, one model load each.
type Speech struct {
	FFmpeg   string // ffmpeg binary
	Batch    string // pocketsphinx_batch binary
	ModelDir string // holds en-us/, en-us.lm.bin, cmudict-en-us.dict
	Workers  int
	// Args tune the decoder; nil means FastDecoder.
	Args []string
	// WorkDir holds the scratch folder of one run; "" is os.TempDir().
	WorkDir string
}

const (
	sampleRate   = 16000
	vadFrame     = 160 // 10 ms: pocketsphinx frames are 10 ms too
	maxSegFrames = 2000
)

// FastDecoder trades a little accuracy for about 2.5x speed over
// pocketsphinx's defaults (measured on example.mp4: 37.7 s -> 16.2 s of CPU
// for 160 s of audio); docs/BENCHMARKS.md has the WER of both. The
// best-path search over the word lattice stays on: without it every word's
// confidence in the CTM output is 1.000, and it costs no accuracy (16/71
// word errors on pocketsphinx-testdata either way).
func FastDecoder() []string {
	return []string{"-fwdflat", "no", "-bestpath", "yes", "-maxhmmpf", "5000", "-topn", "2"}
}

// Recognize returns the words spoken in src (any file ffmpeg reads).
func (s *Speech) Recognize(ctx context.Context, src string) ([]Word, error) {
	return s.RecognizeProgress(ctx, src, nil)
}

// RecognizeProgress is Recognize that reports the share of the speech
// decoded so far, as the decoders finish utterances.
func (s *Speech) RecognizeProgress(ctx context.Context, src string, progress func(float64)) ([]Word, error) {
	if progress == nil {
		progress = func(float64) {}
	}
	tmp, err := os.MkdirTemp(s.WorkDir, "glimpse-speech-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	raw := filepath.Join(tmp, "audio.raw")
	cmd := media.Command(ctx, s.FFmpeg, "-nostdin", "-v", "error", "-i", src, "-vn", "-ac", "1",
		"-ar", strconv.Itoa(sampleRate), "-f", "s16le", "-y", raw)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("extract audio: %v: %s", err, lastLine(string(out)))
	}
	pcm, err := os.ReadFile(raw)
	if err != nil {
		return nil, err
	}
	segs := voiceSegments(pcm)
	if len(segs) == 0 {
		return nil, nil
	}
	workers := max(1, min(s.Workers, len(segs)))
	groups := balance(segs, workers)
	total := 0
	for _, sg := range segs {
		total += sg.End - sg.Start
	}
	var doneMu sync.Mutex
	done := make([]int, workers) // frames decoded, per worker
	report := func(worker, frames int) {
		doneMu.Lock()
		defer doneMu.Unlock()
		done[worker] = frames
		sum := 0
		for _, d := range done {
			sum += d
		}
		progress(float64(sum) / float64(total))
	}

	results := make([][]Word, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.decode(ctx, tmp, i, g, func(frames int) { report(i, frames) })
		}()
	}
	wg.Wait()
	var words []Word
	for i := range results {
		if errs[i] != nil {
			return nil, errs[i]
		}
		words = append(words, results[i]...)
	}
	sort.Slice(words, func(a, b int) bool { return words[a].Start < words[b].Start })
	return words, nil
}

// segment is a stretch of audio in 10 ms frames, [Start, End).
type segment struct{ Start, End int }

// voiceSegments finds speech in 16 kHz mono s16le audio by energy against
// the recording's own noise floor, drops steady sound, and cuts long
// stretches at their quietest point so the work divides evenly.
func voiceSegments(pcm []byte) []segment {
	n := len(pcm) / 2 / vadFrame
	if n == 0 {
		return nil
	}
	energy := make([]float64, n)
	for f := 0; f < n; f++ {
		var sum float64
		for i := 0; i < vadFrame; i++ {
			v := float64(int16(binary.LittleEndian.Uint16(pcm[(f*vadFrame+i)*2:])))
			sum += v * v
		}
		energy[f] = 10 * math.Log10(sum/vadFrame+1)
	}
	sorted := append([]float64(nil), energy...)
	sort.Float64s(sorted)
	floor := sorted[n/10]
	peak := sorted[n*95/100]
	thr := math.Max(floor+10, 30) // 30 dB ~ amplitude 30 of 32768: inaudible
	if peak-floor < 12 {
		// no quiet stretches at all (continuous speech or noise): use the midpoint
		thr = math.Max((floor+peak)/2, 30)
	}

	var segs []segment
	const gap, pad, minLen = 40, 20, 25 // frames
	start, last := -1, -1
	flush := func() {
		if start < 0 {
			return
		}
		s, e := max(0, start-pad), min(n, last+1+pad)
		if last+1-start >= minLen && !steady(energy[start:last+1]) {
			segs = append(segs, segment{s, e})
		}
		start = -1
	}
	for f := 0; f < n; f++ {
		if energy[f] < thr {
			continue
		}
		if start >= 0 && f-last > gap {
			flush()
		}
		if start < 0 {
			start = f
		}
		last = f
	}
	flush()

	// merge overlaps from padding, then cut long stretches
	var out []segment
	for _, s := range segs {
		if len(out) > 0 && s.Start <= out[len(out)-1].End {
			out[len(out)-1].End = s.End
			continue
		}
		out = append(out, s)
	}
	var cut []segment
	for _, s := range out {
		for s.End-s.Start > maxSegFrames {
			at := quietest(energy, s.Start+maxSegFrames/2, s.Start+maxSegFrames)
			cut = append(cut, segment{s.Start, at})
			s.Start = at
		}
		cut = append(cut, s)
	}
	return cut
}

// steady reports a stretch of sound over 3 s whose loudness hardly moves:
// speech rises and falls with every syllable; music and hum do not.
func steady(e []float64) bool {
	if len(e) < 300 {
		return false
	}
	var m, sq float64
	for _, x := range e {
		m += x
	}
	m /= float64(len(e))
	for _, x := range e {
		sq += (x - m) * (x - m)
	}
	return math.Sqrt(sq/float64(len(e))) < 2.5
}

// quietest is the start of the quietest 100 ms in [from, to).
func quietest(e []float64, from, to int) int {
	best, at := math.Inf(1), from
	for f := from; f+10 <= to && f+10 <= len(e); f++ {
		var s float64
		for _, x := range e[f : f+10] {
			s += x
		}
		if s < best {
			best, at = s, f+5
		}
	}
	return at
}

// balance deals segments to k workers, longest first to the least loaded.
func balance(segs []segment, k int) [][]segment {
	order := append([]segment(nil), segs...)
	sort.Slice(order, func(a, b int) bool { return order[a].End-order[a].Start > order[b].End-order[b].Start })
	groups := make([][]segment, k)
	load := make([]int, k)
	for _, s := range order {
		i := 0
		for j := range load {
			if load[j] < load[i] {
				i = j
			}
		}
		groups[i] = append(groups[i], s)
		load[i] += s.End - s.Start
	}
	for _, g := range groups {
		sort.Slice(g, func(a, b int) bool { return g[a].Start < g[b].Start })
	}
	return groups
}

// decode runs one pocketsphinx_batch over the segments listed in a control file.
func (s *Speech) decode(ctx context.Context, dir string, worker int, segs []segment, progress func(frames int)) ([]Word, error) {
	if len(segs) == 0 {
		return nil, nil
	}
	var ctl bytes.Buffer
	for _, sg := range segs {
		fmt.Fprintf(&ctl, "audio %d %d u%d\n", sg.Start, sg.End, sg.Start)
	}
	ctlPath := filepath.Join(dir, fmt.Sprintf("w%d.ctl", worker))
	ctmPath := filepath.Join(dir, fmt.Sprintf("w%d.ctm", worker))
	if err := os.WriteFile(ctlPath, ctl.Bytes(), 0o644); err != nil {
		return nil, err
	}
	args := []string{"-adcin", "yes", "-cepdir", dir, "-cepext", ".raw", "-ctl", ctlPath, "-ctm", ctmPath,
		"-logfn", os.DevNull,
		"-hmm", filepath.Join(s.ModelDir, "en-us"),
		"-lm", filepath.Join(s.ModelDir, "en-us.lm.bin"),
		"-dict", filepath.Join(s.ModelDir, "cmudict-en-us.dict")}
	if s.Args == nil {
		args = append(args, FastDecoder()...)
	} else {
		args = append(args, s.Args...)
	}
	cmd := media.Command(ctx, s.Batch, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pocketsphinx: %w", err)
	}
	// The decoder appends an utterance's words to the CTM file when it
	// finishes it: its utterance ids there say how far it has got.
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				progress(decodedFrames(ctmPath, segs))
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-watched
	if err != nil {
		return nil, fmt.Errorf("pocketsphinx: %v: %s", err, lastLine(out.String()))
	}
	progress(decodedFrames(ctmPath, segs))
	f, err := os.Open(ctmPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseCTM(f)
}

// decodedFrames sums the lengths of the segments whose utterances are in
// the CTM file so far; segments before the last one seen are done too.
func decodedFrames(ctm string, segs []segment) int {
	b, err := os.ReadFile(ctm)
	if err != nil {
		return 0
	}
	last := -1
	for _, line := range strings.Split(string(b), "\n") {
		if id, _, ok := strings.Cut(line, " "); ok && strings.HasPrefix(id, "u") {
			if f, err := strconv.Atoi(id[1:]); err == nil && f > last {
				last = f
			}
		}
	}
	n := 0
	for _, sg := range segs {
		if sg.Start <= last {
			n += sg.End - sg.Start
		}
	}
	return n
}

// parseCTM reads "u<startframe> 1 <start> <dur> <word> <conf>" lines; times
// are relative to the utterance, which starts at its frame number. conf is
// the word's lattice posterior; a line without one counts as sure.
func parseCTM(r io.Reader) ([]Word, error) {
	var words []Word
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 5 || !strings.HasPrefix(fl[0], "u") {
			continue
		}
		base, err1 := strconv.Atoi(fl[0][1:])
		st, err2 := strconv.ParseFloat(fl[2], 64)
		du, err3 := strconv.ParseFloat(fl[3], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		w := fl[4]
		if i := strings.IndexByte(w, '('); i > 0 {
			w = w[:i] // alternative pronunciation marker: word(2)
		}
		if w == "" || strings.HasPrefix(w, "<") || strings.HasPrefix(w, "[") || strings.HasPrefix(w, "++") {
			continue
		}
		conf := 1.0
		if len(fl) >= 6 {
			if c, err := strconv.ParseFloat(fl[5], 64); err == nil && c >= 0 {
				// kept above 0, which means "not known" in stored data
				conf = math.Max(0.001, math.Min(1, math.Round(c*1000)/1000))
			}
		}
		t := float64(base)/100 + st
		words = append(words, Word{Start: round2(t), End: round2(t + du), Word: w, Conf: conf})
	}
	return words, sc.Err()
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
