package understand

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"glimpse/engine/media"
)

// OCR reads on-screen text with tesseract.
type OCR struct {
	Tesseract string
}

// TextLine is one line of on-screen text read from one frame.
type TextLine struct {
	Time float64 `json:"t"`
	Text string  `json:"text"`
	Conf float64 `json:"conf"`
}

// minLineConf drops lines tesseract itself doubts: on pictures without text
// it "reads" textures as strings of short junk words at low confidence.
const minLineConf = 60

// bandPages is how many binarisations of each band are read.
const bandPages = 3

// maxBands bounds the text regions read per frame: a picture full of sharp
// texture can look like many lines of text.
const maxBands = 8

// ocrFrame is one frame made ready for tesseract: per text band, its crop
// binarised bandPages ways (pages 1 to 3 of the list for the first band,
// and so on), read as single lines; and, when asked or when no band was found,
// the whole frame, laid out by tesseract, for text of any other layout.
type ocrFrame struct {
	At    float64
	List  string // tesseract's list of band pages, "" when no band
	Whole string // the whole frame's page, or ""
	Files []string
	Bands []region
}

// prepareOCR writes frame p's pages under dir, named after stem.
func prepareOCR(dir, stem string, at float64, p rgb, whole bool) (*ocrFrame, error) {
	f := &ocrFrame{At: at}
	g := toGray(p)
	bands := textBands(g)
	if len(bands) > maxBands {
		// The widest are the likeliest captions.
		sort.SliceStable(bands, func(i, j int) bool { return bands[i].X1-bands[i].X0 > bands[j].X1-bands[j].X0 })
		bands = bands[:maxBands]
		sortRegions(bands)
	}
	f.Bands = bands
	write := func(name string, pg gray) (string, error) {
		path := filepath.Join(dir, name)
		f.Files = append(f.Files, path)
		return path, pg.writePGM(path)
	}
	if whole || len(bands) == 0 {
		var err error
		if f.Whole, err = write(stem+"-whole.pgm", g); err != nil {
			f.remove()
			return nil, err
		}
	}
	if len(bands) == 0 {
		return f, nil
	}
	var list strings.Builder
	for i, r := range bands {
		c, w := cropScaled(p, r, luma), cropScaled(p, r, whiteness)
		t, tw := otsu(c), otsu(w)
		// Light text over the light side of the picture (outlined and
		// shadowed captions), by brightness and by whiteness, and dark
		// text on the rest.
		pages := []gray{
			binarised(c, otsuWithin(c, t+1, 255), true),
			binarised(w, otsuWithin(w, tw+1, 255), true),
			binarised(c, t, false),
		}
		for k, pg := range pages {
			path, err := write(fmt.Sprintf("%s-%d-%d.pgm", stem, i, k), pg)
			if err != nil {
				f.remove()
				return nil, err
			}
			list.WriteString(path + "\n")
		}
	}
	f.List = filepath.Join(dir, stem+".txt")
	f.Files = append(f.Files, f.List)
	if err := os.WriteFile(f.List, []byte(list.String()), 0o644); err != nil {
		f.remove()
		return nil, err
	}
	return f, nil
}

func (f *ocrFrame) remove() {
	for _, p := range f.Files {
		_ = os.Remove(p)
	}
}

// tesseract runs tesseract on input (an image or a list of them) with page
// segmentation mode psm and parses its lines.
func (o *OCR) tesseract(ctx context.Context, input, psm string) ([]pageLine, error) {
	// Both polarities are tried here already: tesseract's own retry of
	// doubtful lines inverted would only cost time.
	cmd := media.Command(ctx, o.Tesseract, input, "stdout", "--psm", psm, "-l", "eng", "-c", "tessedit_do_invert=0", "tsv")
	// OpenMP threads cost 4x the time here (0.43 s vs 0.12 s per 640x360 frame);
	// concurrency comes from running several tesseracts instead.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("tesseract: %v: %s", err, lastLine(stderr.String()))
	}
	return parsePages(&stdout)
}

// ReadFrame OCRs a prepared frame and keeps, per text band, the surest of
// its readings, and from the whole frame (if read) the lines outside
// every band that was read.
func (o *OCR) ReadFrame(ctx context.Context, f *ocrFrame) ([]TextLine, error) {
	var out []TextLine
	read := make([]bool, len(f.Bands))
	if f.List != "" {
		lines, err := o.tesseract(ctx, f.List, "7")
		if err != nil {
			return nil, err
		}
		byPage := map[int][]pageLine{}
		for _, l := range lines {
			byPage[l.page] = append(byPage[l.page], l)
		}
		for b := range f.Bands {
			best := TextLine{Conf: -1}
			for page := 1 + bandPages*b; page <= bandPages*(b+1); page++ {
				if t, ok := joinPage(byPage[page]); ok && t.Conf > best.Conf {
					best = t
				}
			}
			if best.Conf >= 0 {
				best.Time = f.At
				out = append(out, best)
				read[b] = true
			}
		}
	}
	if f.Whole == "" {
		return out, nil
	}
	lines, err := o.tesseract(ctx, f.Whole, "3")
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		inBand := false
		cx, cy := (l.box.X0+l.box.X1)/2, (l.box.Y0+l.box.Y1)/2
		for b, r := range f.Bands {
			if read[b] && cx >= r.X0 && cx < r.X1 && cy >= r.Y0 && cy < r.Y1 {
				inBand = true
			}
		}
		if !inBand {
			out = append(out, TextLine{Time: f.At, Text: l.text, Conf: l.conf})
		}
	}
	return out, nil
}

// joinPage is a band's reading: its lines in order as one line, when the
// whole is believable.
func joinPage(ls []pageLine) (TextLine, bool) {
	var texts []string
	var conf float64
	n := 0
	for _, l := range ls {
		texts = append(texts, l.text)
		conf += l.conf * float64(l.words)
		n += l.words
	}
	if n == 0 {
		return TextLine{}, false
	}
	return TextLine{Text: strings.Join(texts, " "), Conf: round2(conf / float64(n))}, true
}

// pageLine is one believable line of one page, with its box.
type pageLine struct {
	page  int
	text  string
	conf  float64
	words int
	box   region
}

// parseTSV groups tesseract's word rows into lines and keeps the believable
// ones, read at time at.
func parseTSV(r io.Reader, at float64) ([]TextLine, error) {
	ls, err := parsePages(r)
	var out []TextLine
	for _, l := range ls {
		out = append(out, TextLine{Time: at, Text: l.text, Conf: l.conf})
	}
	return out, err
}

// parsePages groups tesseract's word rows into lines, drops the junk at
// their edges (the bars and boxes around captions read as "|", "§", "®"),
// and keeps the believable ones.
func parsePages(r io.Reader) ([]pageLine, error) {
	cr := csv.NewReader(r)
	cr.Comma = '\t'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	type acc struct {
		page  int
		words []string
		confs []float64
		box   region
	}
	var order []string
	lines := map[string]*acc{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < 12 || rec[0] != "5" {
			continue
		}
		text := strings.TrimSpace(rec[11])
		conf, _ := strconv.ParseFloat(rec[10], 64)
		if text == "" || conf < 0 {
			continue
		}
		num := func(i int) int { n, _ := strconv.Atoi(rec[i]); return n }
		box := region{num(6), num(7), num(6) + num(8), num(7) + num(9)}
		key := rec[1] + "/" + rec[2] + "/" + rec[3] + "/" + rec[4]
		a := lines[key]
		if a == nil {
			a = &acc{page: num(1), box: box}
			lines[key] = a
			order = append(order, key)
		}
		a.words = append(a.words, text)
		a.confs = append(a.confs, conf)
		a.box = region{min(a.box.X0, box.X0), min(a.box.Y0, box.Y0), max(a.box.X1, box.X1), max(a.box.Y1, box.Y1)}
	}
	var out []pageLine
	for _, k := range order {
		a := lines[k]
		ws, cs := trimEdgeJunk(a.words, a.confs)
		if len(ws) == 0 {
			continue
		}
		conf := 0.0
		for _, c := range cs {
			conf += c
		}
		conf /= float64(len(cs))
		if conf < minLineConf || !wordy(ws) {
			continue
		}
		out = append(out, pageLine{page: a.page, text: strings.Join(ws, " "), conf: round2(conf), words: len(ws), box: a.box})
	}
	return out, nil
}

const edgeMarks = "-:;|_~=+*^°§®»«[]{}\\/\"“”‘’"

// trimEdgeJunk drops, from both ends of a line, words with no letter or
// digit and lone symbols or letters other than "A" and "I".
func trimEdgeJunk(ws []string, cs []float64) ([]string, []float64) {
	junk := func(w string) bool {
		alnum := 0
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				alnum++
			}
		}
		if alnum == 0 {
			return true
		}
		rs := []rune(w)
		return len(rs) == 1 && !unicode.IsDigit(rs[0]) && w != "A" && w != "I" && w != "a"
	}
	for len(ws) > 0 && junk(ws[0]) {
		ws, cs = ws[1:], cs[1:]
	}
	for len(ws) > 0 && junk(ws[len(ws)-1]) {
		ws, cs = ws[:len(ws)-1], cs[:len(cs)-1]
	}
	if len(ws) == 0 {
		return nil, nil
	}
	// Bits of a box or rule stuck to the outer letters.
	ws = slices.Clone(ws)
	ws[0] = strings.TrimLeft(ws[0], edgeMarks)
	ws[len(ws)-1] = strings.TrimRight(ws[len(ws)-1], edgeMarks)
	return ws, cs
}

// wordy: at least one word of three letters or more, and mostly letters.
func wordy(words []string) bool {
	letters, total, long := 0, 0, false
	for _, w := range words {
		run := 0
		for _, r := range w {
			total++
			if unicode.IsLetter(r) {
				letters++
				run++
				if run >= 3 {
					long = true
				}
			} else {
				run = 0
			}
		}
	}
	return long && letters*10 >= total*7
}
