package generate

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

// fakeCatalog stands in for the engine core's SQLite catalog.
type fakeCatalog struct {
	videos map[string]*pipeline.VideoMeta
}

func (c *fakeCatalog) ReadyVideos(ctx context.Context) ([]pipeline.VideoMeta, error) {
	var out []pipeline.VideoMeta
	for _, v := range c.videos {
		if v.Ready {
			out = append(out, *v)
		}
	}
	return out, nil
}

func (c *fakeCatalog) FindVideo(ctx context.Context, id string) (*pipeline.VideoMeta, error) {
	v, ok := c.videos[id]
	if !ok {
		return nil, wire.NotFound("Video " + id + " does not exist.")
	}
	return v, nil
}

func (c *fakeCatalog) IndexModels(ctx context.Context, id string) ([]string, error) {
	return []string{"marengo3.0", "pegasus1.2"}, nil
}

// Video ids in the fixture catalog.
const (
	newsID    = "65a1b2c3d4e5f60718293a4b" // a 160 s news report
	silentID  = "65a1b2c3d4e5f60718293a4c" // ready, but no speech or text
	pendingID = "65a1b2c3d4e5f60718293a4d" // still indexing
	missingID = "65a1b2c3d4e5f60718293a4e" // not in the catalog
)

// newsReport is an understanding shaped like what the understanding stages
// make of a TV news report on a train derailment: phrase-level lowercase
// speech as an ASR gives it, captions as OCR reads them (with the junk
// around logos), and the report's shot changes.
func newsReport() *pipeline.Understanding {
	sp := func(start, end float64, text string) pipeline.Span {
		return pipeline.Span{Start: start, End: end, Text: text}
	}
	return &pipeline.Understanding{
		Duration: 160,
		Shots:    []float64{30.08, 61.4, 94.56, 101.88, 109.36, 117.04, 122.04, 128.32},
		Transcript: []pipeline.Span{
			sp(1.0, 5.2, "a freight train carrying toxic chemicals derailed"),
			sp(5.4, 9.8, "near the town of east palestine in ohio"),
			sp(11.5, 16.0, "the derailment set off a huge fire and a plume of black smoke"),
			sp(16.2, 21.0, "crews released toxic vinyl chloride from five tank cars"),
			sp(22.5, 28.5, "to stop the wreck from exploding officials said"),
			sp(31.0, 35.5, "jarred hill has more from east palestine"),
			sp(37.0, 42.0, "hundreds of angry residents packed a school gym"),
			sp(42.3, 47.5, "to demand answers about their health"),
			sp(49.0, 54.0, "many residents say they still get headaches"),
			sp(54.2, 59.5, "and worry about the air their children breathe"),
			sp(62.0, 67.0, "the governor of ohio mike dewine urged residents"),
			sp(67.2, 72.0, "to drink bottled water until wells are tested"),
			sp(73.5, 79.0, "state officials say the village water supply is safe"),
			sp(79.2, 85.0, "but private wells need testing the governor said"),
			sp(86.5, 92.5, "dead fish were found in streams near the derailment"),
			sp(96.0, 101.0, "the railroad company norfolk southern"),
			sp(101.2, 107.0, "did not attend the meeting citing safety concerns"),
			sp(108.5, 114.0, "residents want norfolk southern held accountable"),
			sp(115.5, 121.0, "federal investigators are looking at an overheated axle"),
			sp(122.5, 128.0, "as a possible cause of the crash"),
			sp(130.0, 136.0, "the company says it will pay for the cleanup"),
			sp(137.5, 144.0, "and has set up a fund for families in east palestine"),
			sp(146.0, 152.0, "for now many families are staying away from their homes"),
			sp(153.5, 158.5, "jarred hill cbs news east palestine ohio"),
		},
		OnScreen: []pipeline.Span{
			sp(32, 40, ". Jarred Hill\nCorrespondent, CBS News \\ os a Nd"),
			sp(40, 48, "Toxic train fallout\nHundreds of angry residents in Ohio gathered to demand health assurances"),
			sp(48, 56, "iz os Toxic train fallout\nThe governor of Ohio has warned residents to only drink bottled water"),
			sp(56, 64, "Toxic train fallout\nThe governor of Ohio has warned residents to only drink bottled water"),
			sp(64, 72, "Toxic train fallout\nWarning follows derailment of a train leading to spillage of toxic chemicals"),
			sp(72, 80, "Toxic train fallout\nA cargo train crashed 12 days ago in the town of East Palestine in Ohio"),
			sp(80, 88, "Toxic train fallout\nThe train derailment resulted in a maior fire and release of toxic fumes"),
			sp(88, 96, "Toxic train fallout\nThe train derailment resulted in a major fire and release of toxic fumes"),
			sp(96, 104, "Toxic train fallout\nHundreds of angry residents in Ohio gathered to demand health assurances"),
			sp(104, 112, "g € $ 3 3 8 3 = 2 5 2 2 5 3 z $ 3 £ 2 6 5\nToxic train fallout"),
		},
	}
}

// testCatalog builds the fixture videos in a temp dir.
func testCatalog(t testing.TB) *fakeCatalog {
	t.Helper()
	root := t.TempDir()
	mk := func(id string, ready bool, u *pipeline.Understanding, duration float64) *pipeline.VideoMeta {
		dir := root + "/" + id
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if u != nil {
			if err := u.Save(dir); err != nil {
				t.Fatal(err)
			}
		}
		return &pipeline.VideoMeta{IndexID: "65a000000000000000000001", VideoID: id, Filename: id + ".mp4", Duration: duration, Dir: dir, Ready: ready}
	}
	return &fakeCatalog{videos: map[string]*pipeline.VideoMeta{
		newsID:    mk(newsID, true, newsReport(), 160),
		silentID:  mk(silentID, true, &pipeline.Understanding{Duration: 20, Shots: []float64{7.5, 13}}, 20),
		pendingID: mk(pendingID, false, nil, 0),
	}}
}

// newTestServer serves the generator under /v1.3 the way the engine does,
// through engine/api.
func newTestServer(t testing.TB, cfg Config) (*httptest.Server, *Generator) {
	t.Helper()
	if cfg.Catalog == nil {
		cfg.Catalog = testCatalog(t)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ServeAPI(g))
	t.Cleanup(srv.Close)
	return srv, g
}
