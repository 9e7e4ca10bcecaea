package understand

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
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

// Read OCRs one gray PGM picture.
func (o *OCR) Read(ctx context.Context, pgm string, at float64) ([]TextLine, error) {
	cmd := media.Command(ctx, o.Tesseract, pgm, "stdout", "--psm", "3", "-l", "eng", "tsv")
	// OpenMP threads cost 4x the time here (0.43 s vs 0.12 s per 640x360 frame);
	// concurrency comes from running several tesseracts instead.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("tesseract: %v: %s", err, lastLine(stderr.String()))
	}
	return parseTSV(&stdout, at)
}

// parseTSV groups tesseract's word rows into lines and keeps the believable ones.
func parseTSV(r io.Reader, at float64) ([]TextLine, error) {
	cr := csv.NewReader(r)
	cr.Comma = '\t'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	type acc struct {
		words []string
		conf  float64
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
		key := rec[1] + "/" + rec[2] + "/" + rec[3] + "/" + rec[4]
		a := lines[key]
		if a == nil {
			a = &acc{}
			lines[key] = a
			order = append(order, key)
		}
		a.words = append(a.words, text)
		a.conf += conf
	}
	var out []TextLine
	for _, k := range order {
		a := lines[k]
		conf := a.conf / float64(len(a.words))
		text := strings.Join(a.words, " ")
		if conf < minLineConf || !wordy(a.words) {
			continue
		}
		out = append(out, TextLine{Time: at, Text: text, Conf: round2(conf)})
	}
	return out, nil
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

// writePGM writes p as an 8-bit gray PGM, the cheapest format tesseract reads.
func writePGM(path string, p rgb) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "P5\n%d %d\n255\n", p.W, p.H)
	g := make([]byte, p.W*p.H)
	for i := range g {
		g[i] = byte((299*int(p.Pix[i*3]) + 587*int(p.Pix[i*3+1]) + 114*int(p.Pix[i*3+2])) / 1000)
	}
	b.Write(g)
	return os.WriteFile(path, b.Bytes(), 0o644)
}
