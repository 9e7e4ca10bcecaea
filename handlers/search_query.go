// A search as the page URL holds it: parsing, the canonical URL and the API request.

package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"glimpse/tlclient"
)

// Search options the page offers, in the order it shows them.
var searchOptionNames = []string{"visual", "audio"}

// searchQuery is a search as the page URL holds it, so that it can be
// shared, bookmarked and replayed by the back button. An uploaded image is
// not part of it (it can't live in a URL).
type searchQuery struct {
	IndexIDs  []string
	Text      string
	ImageURL  string
	Options   []string // subset of searchOptionNames; empty means all
	Operator  string   // "" (or) | and
	GroupBy   string   // "" (clip) | video
	Threshold string   // "" (the API's default) | high | medium | low | none
	Filters   []FilterRow
}

// parseSearchQuery reads a search from URL or form values. It returns what
// it could read even with an error, so that the form shows it again.
func parseSearchQuery(v url.Values) (searchQuery, error) {
	q := searchQuery{
		Text:      strings.TrimSpace(v.Get("q")),
		ImageURL:  strings.TrimSpace(v.Get("image_url")),
		Operator:  v.Get("op"),
		GroupBy:   v.Get("group"),
		Threshold: v.Get("threshold"),
	}
	for _, id := range v["index"] {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(q.IndexIDs, id) {
			q.IndexIDs = append(q.IndexIDs, id)
		}
	}
	var errs []error
	if len(q.IndexIDs) > maxSearchIndexes {
		errs = append(errs, badRequest(fmt.Sprintf("Search at most %d indexes at once.", maxSearchIndexes)))
		q.IndexIDs = q.IndexIDs[:maxSearchIndexes]
	}
	for _, o := range v["opt"] {
		if !slices.Contains(searchOptionNames, o) {
			errs = append(errs, badRequest(fmt.Sprintf("Unknown search option %q: use visual or audio.", o)))
			continue
		}
		if !slices.Contains(q.Options, o) {
			q.Options = append(q.Options, o)
		}
	}
	// Both options is the default; keep one spelling of it.
	if len(q.Options) == len(searchOptionNames) {
		q.Options = nil
	} else {
		slices.SortFunc(q.Options, func(a, b string) int {
			return slices.Index(searchOptionNames, a) - slices.Index(searchOptionNames, b)
		})
	}
	if q.Operator == "or" {
		q.Operator = ""
	}
	if q.Operator != "" && q.Operator != "and" {
		errs = append(errs, badRequest(fmt.Sprintf("Unknown operator %q: use or / and.", q.Operator)))
		q.Operator = ""
	}
	if q.GroupBy == "clip" {
		q.GroupBy = ""
	}
	if q.GroupBy != "" && q.GroupBy != "video" {
		errs = append(errs, badRequest(fmt.Sprintf("Unknown grouping %q: use clip or video.", q.GroupBy)))
		q.GroupBy = ""
	}
	switch q.Threshold {
	case "", "high", "medium", "low", "none":
	default:
		errs = append(errs, badRequest(fmt.Sprintf("Unknown threshold %q: use high, medium, low or none.", q.Threshold)))
		q.Threshold = ""
	}
	keys, ops, vals := v["fk"], v["fo"], v["fv"]
	for i := range max(len(keys), len(vals)) {
		row := FilterRow{Key: strings.TrimSpace(at(keys, i)), Op: at(ops, i), Value: strings.TrimSpace(at(vals, i))}
		if row.Op == filterEq {
			row.Op = ""
		}
		if row.Key == "" && row.Value == "" {
			continue
		}
		q.Filters = append(q.Filters, row)
	}
	if q.ImageURL != "" {
		if u, err := url.Parse(q.ImageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, badRequest("The image URL must be a full http(s) address."))
		}
	}
	return q, errors.Join(errs...)
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// values is the canonical URL form of q: defaults left out, filter rows as
// parallel fk/fo/fv lists.
func (q searchQuery) values() url.Values {
	v := url.Values{}
	for _, id := range q.IndexIDs {
		v.Add("index", id)
	}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", q.Text)
	set("image_url", q.ImageURL)
	for _, o := range q.Options {
		v.Add("opt", o)
	}
	set("op", q.Operator)
	set("group", q.GroupBy)
	set("threshold", q.Threshold)
	for _, f := range q.Filters {
		op := f.Op
		if op == "" {
			op = filterEq
		}
		v.Add("fk", f.Key)
		v.Add("fo", op)
		v.Add("fv", f.Value)
	}
	return v
}

// URL is the shareable address of the search page showing q.
func (q searchQuery) URL() string {
	if enc := q.values().Encode(); enc != "" {
		return "/search?" + enc
	}
	return "/search"
}

// watchValues is q as the watch page's link carries it: everything but the
// indexes (the watch page searches its video's index for the other matches).
func (q searchQuery) watchValues() url.Values {
	v := q.values()
	v.Del("index")
	return v
}

// empty reports whether q asks nothing (the search page then shows the form only).
func (q searchQuery) empty() bool { return q.Text == "" && q.ImageURL == "" }

// searchOptions are the options to send, all of them by default.
func (q searchQuery) searchOptions() []string {
	if len(q.Options) == 0 {
		return searchOptionNames
	}
	return q.Options
}

// request builds the API request for one index.
func (q searchQuery) request(indexID string, img *queryImage, filter map[string]any, limit int) tlclient.SearchRequest {
	r := tlclient.SearchRequest{
		IndexID:       indexID,
		QueryText:     q.Text,
		QueryMediaURL: q.ImageURL,
		SearchOptions: q.searchOptions(),
		GroupBy:       q.GroupBy,
		Threshold:     q.Threshold,
		PageLimit:     limit,
		Filter:        filter,
	}
	if len(r.SearchOptions) > 1 && q.Operator != "" {
		r.Operator = q.Operator
	}
	if img != nil {
		// A file wins over a URL; each index gets its own reader.
		r.QueryMediaURL = ""
		r.QueryMedia = tlclient.ReaderUpload(bytes.NewReader(img.Data), img.Name, int64(len(img.Data)))
	}
	if r.QueryMedia != nil || r.QueryMediaURL != "" {
		r.QueryMediaType = "image"
	}
	return r
}

// describeQuery says in words what was searched, for the results heading.
func describeQuery(q searchQuery, imageFile bool) string {
	var parts []string
	if q.Text != "" {
		parts = append(parts, "“"+q.Text+"”")
	}
	if imageFile || q.ImageURL != "" {
		parts = append(parts, "your image")
	}
	return strings.Join(parts, " + ")
}
