// Package search is the local engine's search: an in-memory index over the
// clips of every ready video, text matching over speech and on-screen text
// with word forms, near-synonyms and small misspellings, image matching over
// visual descriptors, calibrated scores, filters, pages of results, and
// text, image and video embeddings. It is a library: engine/api serves it
// as /search and /embed.
package search

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"

	"glimpse/engine/pipeline"
	"glimpse/engine/text"
	"glimpse/engine/understand"
)

// Fields of a clip's text.
const (
	fieldText   = 0 // on-screen text: search option "visual"
	fieldSpeech = 1 // speech: search option "audio"
	nFields     = 2
)

// clipDoc is one clip as search sees it.
type clipDoc struct {
	Start, End float64
	Thumb      string    // relative to the video's Dir, or ""
	Visual     []float32 // understand.Windows descriptors, concatenated; nil if none
	Semantic   []float32 // the image–text model's vector, if ingested with one
	// Words of each field, stop words removed, in order, as typed and stemmed.
	Words [nFields][]string
	Stems [nFields][]string
	// Doubt marks the words the recogniser was unsure of (nil: all sure);
	// they match at doubtMatch of their worth.
	Doubt [nFields][]bool
	// Said and Shown are the clip's words and caption lines as they are,
	// to quote why the clip matched (see why.go).
	Said  []saidWord
	Shown []string
}

// saidWord is one word heard in a clip.
type saidWord struct {
	Word  string
	Doubt bool
}

// videoDoc is one ready video's clips.
type videoDoc struct {
	IndexID, VideoID string
	Duration         float64
	Clips            []clipDoc
}

// Index keeps, per engine index, a snapshot of the clips of its ready
// videos; it is a pipeline.Listener so it follows ingest and deletion.
type Index struct {
	catalog pipeline.Catalog
	log     *slog.Logger
	lex     text.Lexicon

	// wmu serialises changes: building a snapshot can take a while, and
	// searches go on over the previous one meanwhile.
	wmu    sync.Mutex
	videos map[string]*videoDoc // by video id; under wmu
	mu     sync.RWMutex
	snaps  map[string]*snapshot // by index id; immutable once published; under mu
}

// NewIndex makes an empty index; call Load to fill it from the catalog.
func NewIndex(catalog pipeline.Catalog, log *slog.Logger) *Index {
	if log == nil {
		log = slog.Default()
	}
	return &Index{catalog: catalog, log: log, lex: text.Synonyms(),
		videos: map[string]*videoDoc{}, snaps: map[string]*snapshot{}}
}

// Load reads every ready video's understanding from disk.
func (x *Index) Load(ctx context.Context) error {
	metas, err := x.catalog.ReadyVideos(ctx)
	if err != nil {
		return fmt.Errorf("search: list ready videos: %w", err)
	}
	touched := map[string]bool{}
	x.wmu.Lock()
	defer x.wmu.Unlock()
	for _, m := range metas {
		doc, err := loadVideo(m.IndexID, m.VideoID, m.Dir, m.Duration)
		if err != nil {
			x.log.Warn("search: video left out of the index", "video_id", m.VideoID, "err", err)
			continue
		}
		x.videos[m.VideoID] = doc
		touched[m.IndexID] = true
	}
	for id := range touched {
		x.rebuild(id)
	}
	x.log.Info("search index loaded", "videos", len(x.videos))
	return nil
}

// VideoReady adds a video that finished indexing.
func (x *Index) VideoReady(ctx context.Context, v *pipeline.Video) error {
	doc, err := loadVideo(v.IndexID, v.VideoID, v.Dir, v.Duration)
	if err != nil {
		return err
	}
	return x.addDoc(doc)
}

// addDoc puts one video's clips in its index.
func (x *Index) addDoc(doc *videoDoc) error {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	_, again := x.videos[doc.VideoID]
	x.videos[doc.VideoID] = doc
	if old := x.snapshot(doc.IndexID); old != nil && !again {
		x.swap(doc.IndexID, old.extended(doc)) // the usual case: one more video
		return nil
	}
	x.rebuild(doc.IndexID)
	return nil
}

// VideoDeleted drops a video.
func (x *Index) VideoDeleted(indexID, videoID string) {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	if _, ok := x.videos[videoID]; !ok {
		return
	}
	delete(x.videos, videoID)
	x.rebuild(indexID)
}

// IndexDeleted drops every video of an index.
func (x *Index) IndexDeleted(indexID string) {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	for id, v := range x.videos {
		if v.IndexID == indexID {
			delete(x.videos, id)
		}
	}
	x.swap(indexID, nil)
}

// add puts prepared documents in, for tests and benchmarks that make clips
// without videos on disk.
func (x *Index) add(docs ...*videoDoc) {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	touched := map[string]bool{}
	for _, d := range docs {
		x.videos[d.VideoID] = d
		touched[d.IndexID] = true
	}
	for id := range touched {
		x.rebuild(id)
	}
}

func (x *Index) snapshot(indexID string) *snapshot {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.snaps[indexID]
}

// loadVideo reads the understanding and features the understanding stage
// left in dir and cuts them into clip documents.
func loadVideo(indexID, videoID, dir string, duration float64) (*videoDoc, error) {
	u, err := pipeline.LoadUnderstanding(dir)
	if err != nil {
		return nil, fmt.Errorf("understanding: %w", err)
	}
	f, err := understand.LoadFeatures(dir)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	doc := &videoDoc{IndexID: indexID, VideoID: videoID, Duration: max(duration, u.Duration)}
	for i, c := range u.Clips {
		cd := clipDoc{Start: c.Start, End: c.End, Thumb: c.Thumbnail}
		if i < len(f.Clips) {
			cd.Semantic = f.Clips[i].Semantic
		}
		if i < len(f.Clips) && len(f.Clips[i].Visual) == understand.Windows {
			for _, w := range f.Clips[i].Visual {
				cd.Visual = append(cd.Visual, w...)
			}
			if len(cd.Visual) != understand.Windows*understand.VisualDim {
				cd.Visual = nil
			}
		}
		var text []string
		for _, s := range u.OnScreen {
			if s.Start < c.End && s.End > c.Start {
				text = append(text, s.Text)
			}
		}
		cd.setField(fieldText, text)
		cd.Shown = text

		// Speech reaches a little past the clip's edges so a phrase said
		// across a cut is found whole.
		var said []string
		var doubt []bool
		if len(f.Words) > 0 {
			for _, w := range f.Words {
				mid := (w.Start + w.End) / 2
				if mid >= c.Start-speechMargin && mid < c.End+speechMargin {
					said = append(said, w.Word)
					doubt = append(doubt, !pipeline.Sure(w.Conf))
				}
			}
		} else {
			for _, s := range u.Transcript {
				if s.Start < c.End && s.End > c.Start {
					ws, cs := s.WordConfs()
					for i, w := range ws {
						said = append(said, w)
						doubt = append(doubt, !pipeline.Sure(cs[i]))
					}
				}
			}
		}
		cd.setHeard(fieldSpeech, said, doubt)
		for i, w := range said {
			cd.Said = append(cd.Said, saidWord{w, doubt[i]})
		}
		doc.Clips = append(doc.Clips, cd)
	}
	return doc, nil
}

const speechMargin = 1.0 // seconds

func (c *clipDoc) setField(f int, texts []string) { c.setHeard(f, texts, nil) }

// setHeard is setField where doubt, when not nil, marks the texts (one
// recognised word each) the recogniser was unsure of.
func (c *clipDoc) setHeard(f int, texts []string, doubt []bool) {
	for i, t := range texts {
		for _, w := range text.Words(t) {
			if text.IsFunctionWord(w.Key) {
				continue
			}
			c.Words[f] = append(c.Words[f], w.Key)
			c.Stems[f] = append(c.Stems[f], w.Stem)
			if doubt != nil {
				c.Doubt[f] = append(c.Doubt[f], doubt[i])
			}
		}
	}
}

// snapshot is one engine index's clips, laid out for fast search.
type snapshot struct {
	videos []*videoDoc
	clips  []clipRef
	// visual holds every clip's descriptors back to back; hasVisual says
	// which clips have them.
	visual     []float32
	hasVisual  []bool
	semantic   [][]float32          // per clip: the image–text vector, nil where none
	postings   map[string][]posting // stem -> where it occurs
	vocabByLen [][]text.Word        // every distinct word by length, for fuzzy matching
	// stemIDs numbers the stems; seq holds each clip's fields as stem
	// numbers, for the cheap in-order check of multi-word queries.
	stemIDs  map[string]int32
	seq      [nFields][][]int32
	words    map[string]bool // every distinct word, as vocabByLen holds them
	duration float64
}

type clipRef struct {
	video int32
	clip  int32
}

type posting struct {
	clip  int32
	field uint8
	doubt bool // every time the clip has the stem, it was heard unsurely
}

// rebuild lays out indexID's snapshot from all its videos; x.wmu is held.
func (x *Index) rebuild(indexID string) {
	var vids []*videoDoc
	for _, v := range x.videos {
		if v.IndexID == indexID {
			vids = append(vids, v)
		}
	}
	sort.Slice(vids, func(a, b int) bool { return vids[a].VideoID < vids[b].VideoID })
	var s *snapshot
	if len(vids) > 0 {
		s = newSnapshot()
		for _, v := range vids {
			s.addVideo(v)
		}
	}
	x.swap(indexID, s)
}

// swap publishes indexID's new snapshot (nil: none) to searches.
func (x *Index) swap(indexID string, s *snapshot) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if s == nil {
		delete(x.snaps, indexID)
		return
	}
	x.snaps[indexID] = s
}

func newSnapshot() *snapshot {
	return &snapshot{postings: map[string][]posting{}, stemIDs: map[string]int32{}, words: map[string]bool{}}
}

// extended is a copy of s with v's clips added, leaving s as it was for
// searches still using it. Slices are appended to in place: s only ever
// reads up to its own lengths, and only the newest snapshot is extended.
func (s *snapshot) extended(v *videoDoc) *snapshot {
	n := *s
	n.postings = maps.Clone(s.postings)
	n.stemIDs = maps.Clone(s.stemIDs)
	n.words = maps.Clone(s.words)
	n.vocabByLen = slices.Clone(s.vocabByLen)
	n.addVideo(v)
	return &n
}

// addVideo appends v's clips to s.
func (s *snapshot) addVideo(v *videoDoc) {
	dim := understand.Windows * understand.VisualDim
	vi := int32(len(s.videos))
	s.videos = append(s.videos, v)
	s.duration += v.Duration
	for ci := range v.Clips {
		c := &v.Clips[ci]
		id := int32(len(s.clips))
		s.clips = append(s.clips, clipRef{vi, int32(ci)})
		s.semantic = append(s.semantic, c.Semantic)
		if c.Visual != nil {
			s.visual = append(s.visual, c.Visual...)
			s.hasVisual = append(s.hasVisual, true)
		} else {
			s.visual = append(s.visual, make([]float32, dim)...)
			s.hasVisual = append(s.hasVisual, false)
		}
		for f := 0; f < nFields; f++ {
			seq := make([]int32, len(c.Stems[f]))
			for i, st := range c.Stems[f] {
				sid, ok := s.stemIDs[st]
				if !ok {
					sid = int32(len(s.stemIDs))
					s.stemIDs[st] = sid
				}
				seq[i] = sid
				doubt := c.Doubt[f] != nil && c.Doubt[f][i]
				ps := s.postings[st]
				if n := len(ps); n > 0 && ps[n-1].clip == id && ps[n-1].field == uint8(f) {
					ps[n-1].doubt = ps[n-1].doubt && doubt
				} else {
					s.postings[st] = append(ps, posting{id, uint8(f), doubt})
				}
				if w := c.Words[f][i]; !s.words[w] {
					s.words[w] = true
					for len(s.vocabByLen) <= len(w) {
						s.vocabByLen = append(s.vocabByLen, nil)
					}
					s.vocabByLen[len(w)] = append(s.vocabByLen[len(w)], text.Word{Key: w, Stem: st})
				}
			}
			s.seq[f] = append(s.seq[f], seq)
		}
	}
}
