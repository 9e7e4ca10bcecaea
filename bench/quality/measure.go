package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// ratio is n of total, printed as both.
type ratio struct{ n, of int }

func (r ratio) String() string {
	if r.of == 0 {
		return "–"
	}
	return fmt.Sprintf("%d/%d (%.0f%%)", r.n, r.of, 100*float64(r.n)/float64(r.of))
}

func (r *ratio) add(ok bool) {
	r.of++
	if ok {
		r.n++
	}
}

func (r *ratio) plus(o ratio) { r.n += o.n; r.of += o.of }

// scores are one video's figures.
type scores struct {
	Name          string
	CaptionRecall ratio // caption lines read whole during their span
	Junk          int   // on-screen readings that are no caption and no label
	SpeechTop5    ratio // speech queries with the right moment in the top 5
	CaptionTop3   ratio // caption queries with the right moment in the top 3
	Chapters      ratio // true chapter starts with a chapter within ±2.5 s
	NChapters     int
	Titles        ratio // chapters at a segment titled with one of its caption lines
	Medium        ratio // threshold=medium results that are relevant
	MediumFinds   ratio // queries whose medium results include the aimed-at moment
	Answers       ratio // questions answered right
	Summary       summaryCheck
}

const (
	chapterSlack = 2.5
	// maxAnswerWords: an answer is one or two sentences; a paragraph that
	// happens to contain the answer somewhere is not one.
	maxAnswerWords = 60
	// captionCER is the character error rate under which a line counts as read whole.
	captionCER = 0.1
)

func measure(ctx context.Context, c *client, indexID string, bv *builtVideo, all []*builtVideo, w io.Writer) (scores, error) {
	s := scores{Name: bv.Spec.Name}
	fmt.Fprintf(w, "\n## %s (%s, %.0f s)\n", bv.Spec.Name, bv.ID, bv.Duration)

	// Caption recall: each line, read whole by some span overlapping its time.
	spans, err := c.onScreen(ctx, bv.ID)
	if err != nil {
		return s, err
	}
	known := []string{norm(bv.Spec.Bug)}
	for i, seg := range bv.Spec.Segments {
		b := bv.Segments[i]
		for _, line := range seg.Captions {
			known = append(known, norm(line))
			best := 1.0
			for _, sp := range spans {
				if sp.End > b.CaptionStart && sp.Start < b.CaptionEnd {
					best = min(best, cer(norm(line), norm(sp.Text)))
				}
			}
			s.CaptionRecall.add(best <= captionCER)
			fmt.Fprintf(w, "caption %-32q best CER %.2f %s\n", line, best, mark(best <= captionCER))
		}
	}
	for _, sp := range spans {
		junk := true
		for _, k := range known {
			if cer(k, norm(sp.Text)) <= 0.34 {
				junk = false
			}
		}
		if junk {
			s.Junk++
			fmt.Fprintf(w, "junk reading %.1f-%.1f %q\n", sp.Start, sp.End, sp.Text)
		}
	}

	// Search: the right moment near the top, and how clean medium is.
	for _, q := range bv.Spec.SpeechQueries {
		b := bv.Segments[q.Segment]
		ok, err := topHit(ctx, c, indexID, q.Text, 5, bv, b.SpeechStart, b.SpeechEnd, all, w)
		if err != nil {
			return s, err
		}
		s.SpeechTop5.add(ok)
	}
	for _, q := range bv.Spec.CaptionQueries {
		b := bv.Segments[q.Segment]
		ok, err := topHit(ctx, c, indexID, q.Text, 3, bv, b.CaptionStart, b.CaptionEnd, all, w)
		if err != nil {
			return s, err
		}
		s.CaptionTop3.add(ok)
	}
	type aimed struct {
		query
		from, to float64
	}
	var aims []aimed
	for _, q := range bv.Spec.CaptionQueries {
		b := bv.Segments[q.Segment]
		aims = append(aims, aimed{q, b.CaptionStart, b.CaptionEnd})
	}
	for _, q := range bv.Spec.SpeechQueries {
		b := bv.Segments[q.Segment]
		aims = append(aims, aimed{q, b.SpeechStart, b.SpeechEnd})
	}
	for _, q := range aims {
		hits, err := c.search(ctx, indexID, q.Text, "medium", 50)
		if err != nil {
			return s, err
		}
		var got []string
		found := false
		for _, h := range hits {
			ok := relevant(q.Text, h, all)
			s.Medium.add(ok)
			found = found || (h.VideoID == bv.ID && h.End > q.from && h.Start < q.to)
			got = append(got, fmt.Sprintf("%s %.1f-%.1f %.0f%s", nameOf(h.VideoID, all), h.Start, h.End, h.Score, mark(ok)))
		}
		// Precision alone rewards returning nothing; this is its other half.
		s.MediumFinds.add(found)
		fmt.Fprintf(w, "medium %-26q %d: %s\n", q.Text, len(hits), strings.Join(got, ", "))
	}

	// Chapters: a chapter starts near each cut where caption and topic change.
	chs, err := c.chapters(ctx, bv.ID)
	if err != nil {
		return s, err
	}
	s.NChapters = len(chs)
	for _, b := range bv.Segments[1:] {
		near := false
		for _, ch := range chs {
			if abs(ch.Start-b.Start) <= chapterSlack {
				near = true
			}
		}
		s.Chapters.add(near)
	}
	for _, ch := range chs {
		// A chapter starting at a segment is titled well when its title
		// is one of that segment's caption lines, read right.
		ok := false
		for i, b := range bv.Segments {
			if abs(ch.Start-b.Start) > chapterSlack {
				continue
			}
			for _, line := range bv.Spec.Segments[i].Captions {
				ok = ok || cer(norm(line), norm(ch.Title)) <= captionCER
			}
			s.Titles.add(ok)
		}
		fmt.Fprintf(w, "chapter %5.1f-%5.1f %q%s\n", ch.Start, ch.End, ch.Title, mark(ok))
	}
	if title, err := c.title(ctx, bv.ID); err == nil {
		fmt.Fprintf(w, "gist title %q\n", title)
	} else {
		return s, err
	}
	if sum, err := c.summary(ctx, bv.ID); err == nil {
		s.Summary = checkSummary(sum, bv, "")
		fmt.Fprintf(w, "summary %q\n", sum)
	} else {
		return s, err
	}

	// Answers.
	for _, q := range bv.Spec.Questions {
		ans, err := c.answer(ctx, bv.ID, q.Prompt)
		if err != nil {
			return s, err
		}
		ok := answered(q, ans, bv)
		s.Answers.add(ok)
		fmt.Fprintf(w, "Q %q → %q %s\n", q.Prompt, ans, mark(ok))
	}
	return s, nil
}

// topHit: one of the k best results is in bv and overlaps [from, to].
func topHit(ctx context.Context, c *client, indexID, q string, k int, bv *builtVideo, from, to float64, all []*builtVideo, w io.Writer) (bool, error) {
	hits, err := c.search(ctx, indexID, q, "", k)
	if err != nil {
		return false, err
	}
	ok := false
	var got []string
	for i, h := range hits {
		if i >= k {
			break
		}
		if h.VideoID == bv.ID && h.End > from && h.Start < to {
			ok = true
		}
		got = append(got, fmt.Sprintf("%s %.1f-%.1f %.0f", nameOf(h.VideoID, all), h.Start, h.End, h.Score))
	}
	fmt.Fprintf(w, "top%d %-28q want %.1f-%.1f: %s %s\n", k, q, from, to, strings.Join(got, ", "), mark(ok))
	return ok, nil
}

// relevant: the segment under the middle of the result's clip shows or says
// every content word of the query (joined or split: "window sill" is
// relevant where "windowsill" was said).
func relevant(q string, h hit, all []*builtVideo) bool {
	for _, bv := range all {
		if bv.ID != h.VideoID {
			continue
		}
		mid := (h.Start + h.End) / 2
		for i, b := range bv.Segments {
			if mid < b.Start || mid >= b.End {
				continue
			}
			seg := bv.Spec.Segments[i]
			text := strings.ToLower(strings.Join(append([]string{bv.Spec.Bug, seg.Narration}, seg.Captions...), " "))
			compact := strings.Join(strings.Fields(norm(text)), "")
			for _, word := range strings.Fields(strings.ToLower(norm(q))) {
				if queryStop[word] {
					continue
				}
				if !strings.Contains(compact, strings.ToUpper(word)) {
					return false
				}
			}
			return true
		}
	}
	return false
}

var queryStop = map[string]bool{"to": true, "the": true, "and": true, "over": true, "of": true, "in": true, "be": true, "will": true, "above": true, "on": true}

var (
	clockRe    = regexp.MustCompile(`\b(\d{1,2}):([0-5]\d)\b`)
	notShownRe = regexp.MustCompile(`(?i)(does not|doesn't|did not|didn't|cannot|can't|can not)\s+(show|say|mention|tell|answer|reveal|include)|not (shown|mentioned|said|stated|visible|in the video)|no (mention|evidence|information)`)
)

// answered checks an answer against what the question's video holds.
func answered(q question, ans string, bv *builtVideo) bool {
	if len(strings.Fields(ans)) > maxAnswerWords || ans == "" {
		return false
	}
	saysNotShown := notShownRe.MatchString(ans)
	if q.NotShown {
		return saysNotShown
	}
	if saysNotShown {
		return false
	}
	if q.At {
		b := bv.Segments[q.Segment]
		for _, m := range clockRe.FindAllStringSubmatch(ans, -1) {
			mm, _ := strconv.Atoi(m[1])
			ss, _ := strconv.Atoi(m[2])
			t := float64(mm*60 + ss)
			if t >= b.Start-chapterSlack && t <= b.End+chapterSlack {
				return true
			}
		}
		return false
	}
	words := strings.Fields(strings.ToLower(norm(ans)))
	for _, alt := range q.Want {
		all := true
		for _, want := range alt {
			found := false
			for _, w := range words {
				if strings.HasPrefix(w, want) {
					found = true
				}
			}
			all = all && found
		}
		if all {
			return true
		}
	}
	return false
}

// norm keeps letters and digits, upper-cased, single-spaced.
func norm(s string) string {
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

// cer is the edit distance from want to got over want's length.
func cer(want, got string) float64 {
	a, b := []rune(want), []rune(got)
	if len(a) == 0 {
		return 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(b)]) / float64(len(a))
}

func nameOf(id string, all []*builtVideo) string {
	for _, bv := range all {
		if bv.ID == id {
			return bv.Spec.Name
		}
	}
	return id
}

func mark(ok bool) string {
	if ok {
		return " ✓"
	}
	return " ✗"
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func printTable(w io.Writer, rows []scores) {
	fmt.Fprintln(w, "\n| video | caption recall | junk lines | speech top 5 | caption top 3 | chapter bounds ±2.5 s | chapter titles | medium precision | medium finds | answers |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	var tot scores
	tot.Name = "**all**"
	for _, r := range rows {
		printRow(w, r)
		tot.CaptionRecall.plus(r.CaptionRecall)
		tot.Junk += r.Junk
		tot.SpeechTop5.plus(r.SpeechTop5)
		tot.CaptionTop3.plus(r.CaptionTop3)
		tot.Chapters.plus(r.Chapters)
		tot.NChapters += r.NChapters
		tot.Titles.plus(r.Titles)
		tot.Medium.plus(r.Medium)
		tot.MediumFinds.plus(r.MediumFinds)
		tot.Answers.plus(r.Answers)
	}
	printRow(w, tot)
}

func printRow(w io.Writer, r scores) {
	fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s (%d ch.) | %s | %s | %s | %s |\n", r.Name, r.CaptionRecall, r.Junk, r.SpeechTop5, r.CaptionTop3, r.Chapters, r.NChapters, r.Titles, r.Medium, r.MediumFinds, r.Answers)
}
