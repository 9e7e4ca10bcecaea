package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"glimpse/engine/pipeline"
	"glimpse/engine/wire"
)

// filter is a parsed search filter in the live syntax: "id" (array of video
// ids), "duration", "width", "height", "size", "fps" (a number or
// {"gte","lte"}), "filename" (exact), and any other key an exact match on
// the video's user metadata, or a {"gte","lte"} range on a numeric one.
type filter struct {
	ids        []string
	ranges     map[string]numRange
	filename   *string
	metadata   map[string]any
	metaRanges map[string]numRange
}

type numRange struct{ gte, lte *float64 }

func filterInvalid(msg string) *wire.Error {
	return wire.Errorf(http.StatusBadRequest, "search_filter_invalid", "The filter is invalid: "+msg)
}

// parseFilter parses the filter form field; "" means no filter.
func parseFilter(s string) (*filter, error) {
	if s == "" {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil || raw == nil {
		return nil, filterInvalid("it must be a JSON object, for example {\"duration\":{\"gte\":10}}.")
	}
	f := &filter{ranges: map[string]numRange{}, metadata: map[string]any{}, metaRanges: map[string]numRange{}}
	for k, v := range raw {
		// null decodes into any Go value without error; it is no valid filter value.
		if isNull(v) {
			return nil, filterInvalid(fmt.Sprintf("%q must not be null.", k))
		}
		switch k {
		case "id":
			if err := json.Unmarshal(v, &f.ids); err != nil {
				var one string
				if json.Unmarshal(v, &one) != nil {
					return nil, filterInvalid(`"id" must be an array of video ids.`)
				}
				f.ids = []string{one}
			}
		case "duration", "width", "height", "size", "fps":
			r, err := parseRange(v)
			if err != nil {
				return nil, filterInvalid(fmt.Sprintf("%q must be a number or an object with \"gte\" and/or \"lte\".", k))
			}
			f.ranges[k] = r
		case "filename":
			var name string
			if err := json.Unmarshal(v, &name); err != nil {
				return nil, filterInvalid(`"filename" must be a string.`)
			}
			f.filename = &name
		default:
			var val any
			if err := json.Unmarshal(v, &val); err != nil {
				return nil, filterInvalid(fmt.Sprintf("%q has an unreadable value.", k))
			}
			switch val.(type) {
			case string, float64, bool:
			case map[string]any: // the live syntax allows {gte,lte} on any numeric field
				r, err := parseRange(v)
				if err != nil {
					return nil, filterInvalid(fmt.Sprintf("%q must be a string, number, boolean or an object with \"gte\" and/or \"lte\".", k))
				}
				f.metaRanges[k] = r
				continue
			default:
				return nil, filterInvalid(fmt.Sprintf("user metadata key %q must be compared with a string, number or boolean.", k))
			}
			f.metadata[k] = val
		}
	}
	return f, nil
}

func parseRange(v json.RawMessage) (numRange, error) {
	var n float64
	if err := json.Unmarshal(v, &n); err == nil {
		return numRange{&n, &n}, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(v, &obj); err != nil || len(obj) == 0 {
		return numRange{}, fmt.Errorf("not a range")
	}
	var r numRange
	for k, raw := range obj {
		var x float64
		if isNull(raw) {
			return numRange{}, fmt.Errorf("null bound")
		}
		if err := json.Unmarshal(raw, &x); err != nil {
			return numRange{}, fmt.Errorf("not a number")
		}
		switch k {
		case "gte":
			r.gte = &x
		case "lte":
			r.lte = &x
		default:
			return numRange{}, fmt.Errorf("unknown bound %q", k)
		}
	}
	return r, nil
}

// match reports whether the video passes the filter.
func (f *filter) match(m *pipeline.VideoMeta) bool {
	if f == nil {
		return true
	}
	if len(f.ids) > 0 && !slices.Contains(f.ids, m.VideoID) {
		return false
	}
	for k, r := range f.ranges {
		var v float64
		switch k {
		case "duration":
			v = m.Duration
		case "width":
			v = float64(m.Width)
		case "height":
			v = float64(m.Height)
		case "size":
			v = float64(m.Size)
		case "fps":
			v = m.FPS
		}
		if !r.contains(v) {
			return false
		}
	}
	if f.filename != nil && m.Filename != *f.filename {
		return false
	}
	for k, r := range f.metaRanges {
		v, ok := number(m.UserMetadata[k])
		if !ok || !r.contains(v) {
			return false
		}
	}
	for k, want := range f.metadata {
		got, ok := m.UserMetadata[k]
		if !ok || !sameValue(got, want) {
			return false
		}
	}
	return true
}

func (r numRange) contains(v float64) bool {
	return (r.gte == nil || v >= *r.gte) && (r.lte == nil || v <= *r.lte)
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// sameValue compares JSON-ish values; numbers compare by value whatever their Go type.
func sameValue(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
