package understand

import (
	"sort"
	"strings"
	"unicode"

	"glimpse/engine/pipeline"
)

// onScreenSpans turns the lines read at moments into captions. The
// readings of one caption at successive reads (alike, allowing for
// misreadings, and one read missed) form a track; it lasts from its first
// read until the next read that no longer shows it, and is written as its
// most representative reading: the one most like the others, weighted by
// tesseract's confidence. So a caption read "GARDEN TRAI" once and
// "GARDEN TRAIL CLOSED" four times is one span reading the latter. A line
// read once, doubtfully, and gone at the next read is junk.
func onScreenSpans(lines []TextLine, duration float64) []pipeline.Span {
	var times []float64
	for _, l := range lines {
		if len(times) == 0 || times[len(times)-1] != l.Time {
			times = append(times, l.Time)
		}
	}
	index := func(t float64) int { return sort.SearchFloat64s(times, t-1e-6) }
	next := func(i int) float64 {
		if i+1 < len(times) {
			return times[i+1]
		}
		return max(duration, times[i]+1)
	}
	type track struct {
		reads []TextLine
		keys  []string
		last  int
	}
	var tracks []*track
	for _, l := range lines {
		i, key := index(l.Time), captionKey(l.Text)
		if key == "" {
			continue
		}
		var best *track
		bestSim := trackSimilarity
		for _, tr := range tracks {
			if tr.last == i || tr.last < i-2 {
				continue
			}
			if sim := similarity(tr.keys[len(tr.keys)-1], key); sim >= bestSim {
				best, bestSim = tr, sim
			}
		}
		if best == nil {
			best = &track{}
			tracks = append(tracks, best)
		}
		best.reads = append(best.reads, l)
		best.keys = append(best.keys, key)
		best.last = i
	}
	var out []pipeline.Span
	for _, tr := range tracks {
		first := index(tr.reads[0].Time)
		if len(tr.reads) == 1 && tr.reads[0].Conf < singleReadConf && next(first)-times[first] <= ocrEvery+0.5 {
			continue
		}
		out = append(out, pipeline.Span{Start: tr.reads[0].Time, End: next(tr.last), Text: tr.reads[representative(tr.reads, tr.keys)].Text})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Start < out[b].Start })
	return out
}

const (
	// trackSimilarity is how alike two readings must be to be one caption.
	trackSimilarity = 0.5
	// singleReadConf: a line read once below this, and not at the next
	// read, is taken for texture read as letters.
	singleReadConf = 75
	// sureRead is the confidence of a reading that may stand for the
	// shorter readings inside it.
	sureRead = 90
	// voteSample bounds the readings compared when a caption stays up long.
	voteSample = 40
)

// representative is the index of the reading most like the others, where
// a shorter reading found inside a longer one backs it whole: a caption is
// far more often read with its ends cut off (over a picture as light as
// its letters) than with letters added. Only a sure reading is backed so:
// tesseract's added junk letters come with doubt.
func representative(reads []TextLine, keys []string) int {
	idx := make([]int, 0, voteSample)
	for k := 0; k < min(len(reads), voteSample); k++ {
		idx = append(idx, k*len(reads)/min(len(reads), voteSample))
	}
	best, bestScore := 0, -1.0
	for _, a := range idx {
		score := reads[a].Conf / 100
		for _, b := range idx {
			if a != b {
				sim := similarity(keys[a], keys[b])
				if reads[a].Conf >= sureRead {
					sim = support(keys[a], keys[b])
				}
				score += sim * reads[b].Conf / 100
			}
		}
		if score > bestScore+1e-9 {
			best, bestScore = a, score
		}
	}
	return best
}

// captionKey is a reading as compared with others: letters and digits,
// upper case, single spaces.
func captionKey(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToUpper(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// similarity is 1 minus the edit distance over the longer length.
func similarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(rb)])/float64(max(len(ra), len(rb)))
}

// support is how far reading b backs reading a: how well b is found inside
// a when it is the shorter, else how alike they are.
func support(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(rb) == 0 || len(rb) >= len(ra) {
		return similarity(a, b)
	}
	// Edit distance of b to the best-matching stretch of a: free to start
	// and end anywhere in a.
	prev := make([]int, len(ra)+1)
	cur := make([]int, len(ra)+1)
	for i := 1; i <= len(rb); i++ {
		cur[0] = i
		for j := 1; j <= len(ra); j++ {
			cost := 1
			if rb[i-1] == ra[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	best := len(rb)
	for _, d := range prev {
		best = min(best, d)
	}
	return 1 - float64(best)/float64(len(rb))
}
