package search

import (
	"math"

	"glimpse/engine/text"
)

// query is a parsed search: what to look for and where.
type query struct {
	Text     string
	Image    []float32 // the query image's descriptor, or nil
	Visual   bool      // search option "visual": on-screen text and pictures
	Audio    bool      // search option "audio": speech
	Operator string    // "or" or "and"
	// TextVec is the image–text model's vector of Text, when there is a
	// model; SemFloor and SemCeil calibrate its cosines like imageFloor/Ceil.
	TextVec           []float32
	SemFloor, SemCeil float32
	// cands, when set, are the query words' candidates in the snapshot
	// searched (Index.candidates), worked out once by the caller.
	cands []map[string]float32
}

// hit is a clip's score in [0,1]. Scores are absolute, not relative to the
// other clips, so a threshold means the same for every query:
//   - text: the share of the query's words found (each worth 1 for the same
//     stem, 0.95 joined or split differently, 0.8 for a near-synonym or a
//     one-letter slip, 0.65 for two slips in a long word, a slip in the joined form
//     0.95 times that), each word weighed
//     by its rarity among the clips (so a word on screen everywhere counts
//     little beside a rare one), raised to the power 1.5 so half a query is
//     a weak match, and docked 15% when the words are there but not together
//     in order; a spoken word the recogniser was unsure of counts 0.75 of
//     its worth (a two-word query heard unsurely still reaches medium); a word in most clips of its video in that field (a strap's
//     heading) counts half there, unless every word of the query is; with both speech and what is seen
//     searched, a clip scores the better of the two plus a quarter of the
//     other, so a moment where they agree comes first;
//   - image: the cosine of the descriptors mapped linearly from the level of
//     unrelated pictures (0) to the level of the same shot re-encoded (1).
type hit struct {
	clip  int32
	score float64
}

const (
	scatteredPenalty = 0.85
	coveragePower    = 1.5
	// Image calibration, measured on example.mp4 (see docs/BENCHMARKS.md):
	// cosines of unrelated pictures sit below imageFloor; a crop, rescale,
	// recompression or brightness change of the same picture above imageCeil.
	imageFloor = 0.45
	imageCeil  = 0.95
)

// match scores every clip of s against q and returns those above zero.
func (x *Index) match(s *snapshot, q query) []hit {
	n := len(s.clips)
	var textScores [nFields][]float32
	if terms := queryTerms(q.Text); len(terms) > 0 {
		cands := q.cands
		if cands == nil {
			cands = x.candidates(s, terms)
		}
		if q.Visual {
			textScores[fieldText] = s.textScores(terms, cands, fieldText)
		}
		if q.Audio {
			textScores[fieldSpeech] = s.textScores(terms, cands, fieldSpeech)
		}
	}
	var imageScores []float32
	if q.Image != nil && q.Visual {
		imageScores = s.imageScores(q.Image)
	}
	var semScores []float32
	if q.TextVec != nil && q.Visual {
		semScores = s.semanticScores(q.TextVec, q.SemFloor, q.SemCeil)
	}
	var hits []hit
	for c := 0; c < n; c++ {
		var visual, audio float64
		if textScores[fieldText] != nil {
			visual = float64(textScores[fieldText][c])
		}
		if imageScores != nil {
			visual = math.Max(visual, float64(imageScores[c]))
		}
		if semScores != nil {
			visual = math.Max(visual, float64(semScores[c]))
		}
		if textScores[fieldSpeech] != nil {
			audio = float64(textScores[fieldSpeech][c])
		}
		var sc float64
		switch {
		case q.Visual && q.Audio && q.Operator == "and":
			sc = math.Min(visual, audio)
		case q.Visual && q.Audio:
			sc = min(1, math.Max(visual, audio)+agreeBonus*math.Min(visual, audio))
		case q.Visual:
			sc = visual
		default:
			sc = audio
		}
		if sc > 0 {
			hits = append(hits, hit{int32(c), sc})
		}
	}
	return hits
}

// candidates lists, per query term, the stems in s that stand for it and
// what each is worth.
func (x *Index) candidates(s *snapshot, terms []text.Word) []map[string]float32 {
	out := make([]map[string]float32, len(terms))
	for i, t := range terms {
		m := map[string]float32{t.Stem: exactMatch}
		for _, syn := range x.lex[t.Stem] {
			if m[syn] < synonymMatch {
				m[syn] = synonymMatch
			}
		}
		s.nearSpellings(t, 1, m)
		out[i] = m
	}
	// Two query words the video has as one ("window sill" where
	// "windowsill" was said or shown, or misheard as "windowsil") stand
	// for both.
	for i := 0; i+1 < len(terms); i++ {
		j := text.Joined(terms[i].Key, terms[i+1].Key)
		if j == "" {
			continue
		}
		joined := text.Word{Key: j, Stem: text.Stem(j)}
		m := map[string]float32{}
		if len(s.postings[joined.Stem]) > 0 {
			m[joined.Stem] = compoundMatch
		}
		s.nearSpellings(joined, compoundMatch, m)
		for st, w := range m {
			for _, k := range []int{i, i + 1} {
				if out[k][st] < w {
					out[k][st] = w
				}
			}
		}
	}
	return out
}

// nearSpellings adds to m the stems of the video's words that may be t
// misread or misheard, worth share of what the slip is worth.
func (s *snapshot) nearSpellings(t text.Word, share float32, m map[string]float32) {
	if text.MaxSlips(len(t.Key)) == 0 {
		return
	}
	for l := len(t.Key) - 2; l <= len(t.Key)+2; l++ {
		if l < 0 || l >= len(s.vocabByLen) {
			continue
		}
		for _, v := range s.vocabByLen[l] {
			if w := share * float32(fuzzyWeight(t, v)); w > m[v.Stem] {
				m[v.Stem] = w
			}
		}
	}
}

// splitMatches finds, for each query word the video has as two ("window
// sill" for "windowsill"), the clips where the two parts are said or shown
// one after the other in field f, with what that is worth.
func (s *snapshot) splitMatches(terms []text.Word, f int) []map[int32]float32 {
	var out []map[int32]float32
	known := func(w string) bool { return s.words[w] }
	for i, t := range terms {
		for _, parts := range text.Splits(t.Key, known) {
			sa, sb := text.Stem(parts[0]), text.Stem(parts[1])
			ida, oka := s.stemIDs[sa]
			idb, okb := s.stemIDs[sb]
			if !oka || !okb {
				continue
			}
			for _, p := range s.postings[sa] {
				if int(p.field) != f {
					continue
				}
				seq := s.seq[f][p.clip]
				for j := 0; j+1 < len(seq); j++ {
					if seq[j] == ida && seq[j+1] == idb {
						if out == nil {
							out = make([]map[int32]float32, len(terms))
						}
						if out[i] == nil {
							out[i] = map[int32]float32{}
						}
						out[i][p.clip] = compoundMatch
						break
					}
				}
			}
		}
	}
	return out
}

const (
	// A stem in more than ubiquityShare of a video's clips in one field (a
	// strap's heading up all the time) says little about any one clip of
	// that video: its weight there is damped by ubiquityDamp. Videos of
	// fewer than ubiquityMinClips clips are left alone.
	ubiquityShare    = 0.6
	ubiquityDamp     = 0.5
	ubiquityMinClips = 5
	// doubtMatch is what a word the recogniser was unsure of is worth:
	// it may be what was said, so it still finds the clip, lower.
	doubtMatch = 0.75
	// agreeBonus rewards a clip where speech and what is seen both match:
	// the score is the better of the two plus this share of the other.
	agreeBonus = 0.25
)

// ubiquitous lists the videos in which stem st is in field f of most clips.
func (s *snapshot) ubiquitous(st string, f int) map[int32]bool {
	ps := s.postings[st]
	if len(ps) < ubiquityMinClips {
		return nil
	}
	count := map[int32]int{}
	for _, p := range ps {
		if int(p.field) == f {
			count[s.clips[p.clip].video]++
		}
	}
	var out map[int32]bool
	for v, n := range count {
		clips := len(s.videos[v].Clips)
		if clips >= ubiquityMinClips && float64(n) > ubiquityShare*float64(clips) {
			if out == nil {
				out = map[int32]bool{}
			}
			out[v] = true
		}
	}
	return out
}

// termWeights weigh each query word by how rare it is among the clips
// (inverse document frequency over its forms): a word on screen in every
// clip — a channel's name, a news strap's heading — must not make every
// clip a strong match for a query that also names something rarer.
func (s *snapshot) termWeights(cands []map[string]float32) []float64 {
	n := float64(len(s.clips))
	out := make([]float64, len(cands))
	for i, m := range cands {
		df := 0
		for st := range m {
			df = max(df, len(s.postings[st]))
		}
		out[i] = math.Log(1 + n/float64(max(1, min(df, len(s.clips)))))
	}
	return out
}

// textScores scores field f of every clip; nil means no clip matched.
func (s *snapshot) textScores(terms []text.Word, cands []map[string]float32, f int) []float32 {
	nt := len(terms)
	var masks []uint64 // stem number -> bit i set when it stands for term i
	if nt > 1 && nt <= 64 {
		masks = make([]uint64, len(s.stemIDs))
		for i, m := range cands {
			for st := range m {
				if id, ok := s.stemIDs[st]; ok {
					masks[id] |= 1 << i
				}
			}
		}
	}
	var best []float32 // clip*nt + term -> best weight; dense: postings can cover most clips
	var touched []int32
	// Words in most clips of a video are damped there, unless every word
	// of the query is: then the query asks for just that text.
	ubiq := make([]map[int32]bool, len(cands))
	for i, m := range cands {
		for st := range m {
			for v := range s.ubiquitous(st, f) {
				if ubiq[i] == nil {
					ubiq[i] = map[int32]bool{}
				}
				ubiq[i][v] = true
			}
		}
	}
	damped := func(i int, v int32) bool {
		if !ubiq[i][v] {
			return false
		}
		for k := range ubiq {
			if !ubiq[k][v] {
				return true
			}
		}
		return false
	}
	for i, m := range cands {
		for st, w := range m {
			for _, p := range s.postings[st] {
				if int(p.field) != f {
					continue
				}
				w := w
				if damped(i, s.clips[p.clip].video) {
					w *= ubiquityDamp
				}
				if p.doubt {
					w *= doubtMatch
				}
				if best == nil {
					best = make([]float32, len(s.clips)*nt)
				}
				row := best[int(p.clip)*nt : int(p.clip)*nt+nt]
				if row[0] == 0 && !anyPositive(row) {
					touched = append(touched, p.clip)
				}
				if w > row[i] {
					row[i] = w
				}
			}
		}
	}
	for i, m := range s.splitMatches(terms, f) {
		for c, w := range m {
			if best == nil {
				best = make([]float32, len(s.clips)*nt)
			}
			row := best[int(c)*nt : int(c)*nt+nt]
			if !anyPositive(row) {
				touched = append(touched, c)
			}
			if w > row[i] {
				row[i] = w
			}
		}
	}
	if best == nil {
		return nil
	}
	weights := s.termWeights(cands)
	var wsum float64
	for _, w := range weights {
		wsum += w
	}
	out := make([]float32, len(s.clips))
	for _, c := range touched {
		row := best[int(c)*nt : int(c)*nt+nt]
		var sum float64
		all := true
		for i, w := range row {
			sum += float64(w) * weights[i]
			all = all && w > 0
		}
		cover := sum / wsum
		sc := cover * math.Sqrt(cover) // cover^coveragePower
		if masks != nil && all && !s.together(s.seq[f][c], masks, nt) {
			sc *= scatteredPenalty
		}
		out[c] = float32(sc)
	}
	return out
}

func anyPositive(v []float32) bool {
	for _, x := range v {
		if x > 0 {
			return true
		}
	}
	return false
}

// together reports whether a clip's words (seq) hold the query's nt terms
// in order, with at most one other word between neighbours.
func (s *snapshot) together(seq []int32, masks []uint64, nt int) bool {
	for start := range seq {
		if masks[seq[start]]&1 == 0 {
			continue
		}
		pos, ok := start, true
		for i := 1; i < nt && ok; i++ {
			bit := uint64(1) << i
			switch {
			case masks[seq[pos]]&bit != 0:
				// one word of the clip for two of the query ("windowsill")
			case pos+1 < len(seq) && masks[seq[pos+1]]&bit != 0:
				pos++
			case pos+2 < len(seq) && masks[seq[pos+2]]&bit != 0:
				pos += 2
			default:
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}
