package templates

import (
	"bytes"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/yuin/goldmark"
)

func TestSafeMarkdown(t *testing.T) {
	tests := []struct {
		name, in string
		// wantText is the visible text; seeks the data-seek values of links in order.
		wantText string
		seeks    []string
		// forbidden are selectors that must match nothing.
		forbidden []string
	}{
		{name: "emphasis and lists", in: "**Fire** at the *yard*\n\n- one\n- two",
			wantText: "Fire at the yard one two"},
		{name: "script tag is shown, not run", in: "Hi <script>alert(1)</script> there",
			wantText: "Hi <script>alert(1)</script> there", forbidden: []string{"script"}},
		{name: "html block is shown, not run", in: "<div onclick=\"x()\">\n<img src=x onerror=alert(1)>\n</div>",
			wantText: `<div onclick="x()"> <img src=x onerror=alert(1)> </div>`, forbidden: []string{"div", "img", "[onclick]", "[onerror]"}},
		{name: "javascript link loses its target", in: "[click](javascript:alert(1))",
			wantText: "click", forbidden: []string{`a[href^="javascript"]`}},
		{name: "images become their alt text", in: "see ![a burning car](http://tracker.example/p.png)",
			wantText: "see a burning car", forbidden: []string{"img"}},
		{name: "m:ss and h:mm:ss become seek links", in: "Smoke at 1:05, again at 12:30 and 1:02:03.",
			wantText: "Smoke at 1:05, again at 12:30 and 1:02:03.", seeks: []string{"65", "750", "3723"}},
		{name: "timestamps in bold and lists", in: "- **0:42** the aerial shot\n- [2:15] the map",
			wantText: "0:42 the aerial shot [2:15] the map", seeks: []string{"42", "135"}},
		{name: "not timestamps", in: "ratio 10:75, year 2024:10, code `1:05`, 1:99",
			wantText: "ratio 10:75, year 2024:10, code 1:05, 1:99"},
		{name: "a half-written answer renders", in: "The **fire", wantText: "The **fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := SafeMarkdown(tt.in)
			doc, err := goquery.NewDocumentFromReader(strings.NewReader("<body>" + out + "</body>"))
			if err != nil {
				t.Fatal(err)
			}
			body := doc.Find("body")
			if got := strings.Join(strings.Fields(body.Text()), " "); got != tt.wantText {
				t.Errorf("text = %q, want %q\nhtml: %s", got, tt.wantText, out)
			}
			var seeks []string
			body.Find("a[data-seek]").Each(func(_ int, s *goquery.Selection) {
				seeks = append(seeks, s.AttrOr("data-seek", ""))
				if s.AttrOr("href", "") != "#t="+s.AttrOr("data-seek", "") {
					t.Errorf("seek link href = %q", s.AttrOr("href", ""))
				}
			})
			if strings.Join(seeks, ",") != strings.Join(tt.seeks, ",") {
				t.Errorf("seeks = %v, want %v\nhtml: %s", seeks, tt.seeks, out)
			}
			for _, sel := range tt.forbidden {
				if n := body.Find(sel).Length(); n != 0 {
					t.Errorf("%d elements match %q\nhtml: %s", n, sel, out)
				}
			}
		})
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		sec  float64
		want string
	}{{0, "0:00"}, {42.9, "0:42"}, {65, "1:05"}, {600, "10:00"}, {3723, "1:02:03"}, {-3, "0:00"}}
	for _, tt := range tests {
		if got := Clock(tt.sec); got != tt.want {
			t.Errorf("Clock(%v) = %q, want %q", tt.sec, got, tt.want)
		}
	}
}

// FuzzSafeMarkdown checks that no input makes an element the model chose.
func FuzzSafeMarkdown(f *testing.F) {
	for _, s := range []string{"<b>x</b>", "**a** 1:05", "[x](javascript:1)", "![a](b)", "<!-- c -->", "```\n<i>\n```"} {
		f.Add(s)
	}
	allowed := map[string]bool{"html": true, "head": true, "body": true, "p": true, "em": true, "strong": true,
		"a": true, "ul": true, "ol": true, "li": true, "code": true, "pre": true, "blockquote": true,
		"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "br": true}
	f.Fuzz(func(t *testing.T, in string) {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader("<body>" + SafeMarkdown(in) + "</body>"))
		if err != nil {
			t.Fatal(err)
		}
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			if name := goquery.NodeName(s); !allowed[name] {
				t.Fatalf("input %q made a <%s>", in, name)
			}
			for _, a := range s.Nodes[0].Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "src" {
					t.Fatalf("input %q made attribute %s", in, a.Key)
				}
			}
		})
	})
}

// benchAnswer is a 2 KB answer with a timestamp or two on every line.
func benchAnswer() string {
	var sb strings.Builder
	for sb.Len() < 2048 {
		sb.WriteString("- At **1:05** the *smoke* rises over [the yard](https://example.com); see 2:30.\n")
	}
	return sb.String()
}

// BenchmarkSafeMarkdown renders a 2 KB answer, what the app does after
// every piece of a long answer.
func BenchmarkSafeMarkdown(b *testing.B) {
	src := benchAnswer()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		SafeMarkdown(src)
	}
}

// BenchmarkPlainGoldmark is the baseline: goldmark's defaults, without the
// escaping renderer and the timestamp links.
func BenchmarkPlainGoldmark(b *testing.B) {
	src := []byte(benchAnswer())
	md := goldmark.New()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		var buf bytes.Buffer
		md.Convert(src, &buf)
	}
}
