package templates

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"glimpse/webfmt"
)

// modelMarkdown renders text written by a model. goldmark's HTML renderer
// runs without WithUnsafe, so javascript:/vbscript: links lose their href;
// escapedHTML shows any HTML the model wrote as plain text; the transformer
// below turns images into their alt text (no third-party requests from an
// answer) and m:ss timestamps into links that seek the player.
var modelMarkdown = goldmark.New(
	goldmark.WithParserOptions(parser.WithASTTransformers(
		util.Prioritized(answerTransformer{}, 100),
	)),
	// Ahead of the HTML renderer (priority 1000): HTML the model wrote is
	// shown as the text it is, rather than silently dropped.
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(
		util.Prioritized(escapedHTML{}, 100),
	)),
)

// escapedHTML renders raw HTML nodes as escaped text.
type escapedHTML struct{}

func (escapedHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := range segs.Len() {
				seg := segs.At(i)
				_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		b := n.(*ast.HTMLBlock)
		if entering {
			_, _ = w.WriteString("<p>")
			lines := b.Lines()
			for i := range lines.Len() {
				line := lines.At(i)
				_, _ = w.Write(util.EscapeHTML(line.Value(source)))
			}
			return ast.WalkContinue, nil
		}
		if b.HasClosure() {
			_, _ = w.Write(util.EscapeHTML(b.ClosureLine.Value(source)))
		}
		_, _ = w.WriteString("</p>\n")
		return ast.WalkContinue, nil
	})
}

// SafeMarkdown renders model-written Markdown to HTML that carries no HTML
// of the model's own. The result is safe to insert with templ.Raw.
func SafeMarkdown(src string) string {
	var buf bytes.Buffer
	if err := modelMarkdown.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails when the writer fails; a bytes.Buffer does not.
		return "<p>" + htmlEscape(src) + "</p>"
	}
	return buf.String()
}

func htmlEscape(s string) string { return string(util.EscapeHTML([]byte(s))) }

// timestampPattern matches m:ss, mm:ss and h:mm:ss.
var timestampPattern = regexp.MustCompile(`\b(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)\b`)

// ParseClock reads a timestamp matched by timestampPattern as seconds.
func parseClock(m []string) (float64, bool) {
	h := 0
	if m[1] != "" {
		h, _ = strconv.Atoi(m[1])
	}
	min, _ := strconv.Atoi(m[2])
	sec, _ := strconv.Atoi(m[3])
	if m[1] != "" && min >= 60 {
		return 0, false
	}
	return float64(h*3600 + min*60 + sec), true
}

// Clock formats seconds as m:ss, or h:mm:ss from an hour on (webfmt.Clock).
func Clock(sec float64) string { return webfmt.Clock(sec) }

// SeekValue is the data-seek attribute for a position in seconds.
func SeekValue(sec float64) string { return strconv.FormatFloat(sec, 'f', -1, 64) }

type answerTransformer struct{}

func (answerTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var texts []*ast.Text
	var images []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link, *ast.AutoLink, *ast.CodeSpan, *ast.CodeBlock, *ast.FencedCodeBlock:
			return ast.WalkSkipChildren, nil
		case *ast.Image:
			images = append(images, n)
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			texts = append(texts, n)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		parent := img.Parent()
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, img, c)
			c = next
		}
		parent.RemoveChild(parent, img)
	}
	for _, t := range texts {
		linkTimestamps(t, source)
	}
}

// linkTimestamps splits a text node around its timestamps, wrapping each in
// a link with data-seek.
func linkTimestamps(t *ast.Text, source []byte) {
	seg := t.Segment
	value := seg.Value(source)
	if bytes.IndexByte(value, ':') < 0 {
		return // most text has no timestamp; skip the regexp
	}
	matches := timestampPattern.FindAllSubmatchIndex(value, -1)
	if len(matches) == 0 {
		return
	}
	parent := t.Parent()
	pos := 0
	for _, m := range matches {
		groups := make([]string, 4)
		for g := 1; g < 4; g++ {
			if m[2*g] >= 0 {
				groups[g] = string(value[m[2*g]:m[2*g+1]])
			}
		}
		sec, ok := parseClock(groups)
		if !ok {
			continue
		}
		if m[0] > pos {
			parent.InsertBefore(parent, t, ast.NewTextSegment(text.NewSegment(seg.Start+pos, seg.Start+m[0])))
		}
		link := ast.NewLink()
		link.Destination = []byte("#t=" + SeekValue(sec))
		link.SetAttributeString("class", []byte("seek"))
		link.SetAttributeString("data-seek", []byte(SeekValue(sec)))
		link.AppendChild(link, ast.NewTextSegment(text.NewSegment(seg.Start+m[0], seg.Start+m[1])))
		parent.InsertBefore(parent, t, link)
		pos = m[1]
	}
	// The original node keeps the tail and its line-break flags.
	t.Segment = text.NewSegment(seg.Start+pos, seg.Stop)
}

// oneLine makes HTML fit one SSE data field: a raw newline would end the
// field, and &#10; is the same character once the browser parses it.
func oneLine(html string) string {
	html = strings.ReplaceAll(html, "\r\n", "\n")
	html = strings.ReplaceAll(html, "\r", "\n")
	return strings.ReplaceAll(html, "\n", "&#10;")
}
