package handlers

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// FilterRow is one row of the search page's metadata filter: a field, how
// to compare, and the value as typed.
type FilterRow struct {
	Key   string
	Op    string // eq (default) | gte | lte
	Value string
}

// Filter comparison operators as they travel in the page URL.
const (
	filterEq  = "eq"
	filterGte = "gte"
	filterLte = "lte"
)

// numericSystemFields are the system metadata fields the API compares as
// numbers, with equality or a {gte, lte} range.
var numericSystemFields = map[string]string{
	"duration": "seconds",
	"width":    "pixels",
	"height":   "pixels",
	"size":     "bytes",
}

// filterKeyPattern keeps field names to what user metadata keys look like,
// so that a typo shows up as an error rather than an empty result.
var filterKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$`)

// buildFilter turns the page's filter rows into the API's filter object:
// `id` takes a list of video ids, duration/width/height/size and numeric
// user fields take a number or {gte, lte}, filename an exact string, and
// every other key equality on user metadata. Empty rows are skipped; a half
// filled or contradictory row is an error the person can fix.
func buildFilter(rows []FilterRow) (map[string]any, error) {
	filter := map[string]any{}
	for _, row := range rows {
		key := strings.TrimSpace(row.Key)
		value := strings.TrimSpace(row.Value)
		op := row.Op
		if op == "" {
			op = filterEq
		}
		if key == "" && value == "" {
			continue
		}
		if key == "" {
			return nil, badRequest(fmt.Sprintf("The filter with value %q needs a field name.", value))
		}
		if !filterKeyPattern.MatchString(key) {
			return nil, badRequest(fmt.Sprintf("%q can't be a filter field: use letters, digits, _ . or -.", key))
		}
		if value == "" {
			return nil, badRequest(fmt.Sprintf("The filter on %q needs a value.", key))
		}
		if op != filterEq && op != filterGte && op != filterLte {
			return nil, badRequest(fmt.Sprintf("The filter on %q has an unknown comparison %q.", key, op))
		}
		var err error
		switch {
		case key == "id":
			err = addIDFilter(filter, op, value)
		case key == "filename":
			err = addEqualFilter(filter, key, op, value)
		case numericSystemFields[key] != "":
			n, perr := parseFilterNumber(key, value)
			if perr != nil {
				return nil, perr
			}
			err = addNumberFilter(filter, key, op, n)
		default:
			typed := typedValue(value)
			if op == filterEq {
				err = addEqualFilter(filter, key, op, typed)
				break
			}
			n, ok := typed.(float64)
			if !ok {
				return nil, badRequest(fmt.Sprintf("“at least” and “at most” need a number; %q on %q isn't one.", value, key))
			}
			err = addNumberFilter(filter, key, op, n)
		}
		if err != nil {
			return nil, err
		}
	}
	for key, v := range filter {
		r, ok := v.(map[string]any)
		if !ok {
			continue
		}
		lo, hasLo := r[filterGte].(float64)
		hi, hasHi := r[filterLte].(float64)
		if hasLo && hasHi && lo > hi {
			return nil, badRequest(fmt.Sprintf("The filter on %q asks for at least %s and at most %s: no video can match.",
				key, formatNumber(lo), formatNumber(hi)))
		}
	}
	if len(filter) == 0 {
		return nil, nil
	}
	return filter, nil
}

// addIDFilter collects video ids, from commas or spaces, across rows.
func addIDFilter(filter map[string]any, op, value string) error {
	if op != filterEq {
		return badRequest("Video ids can only be matched exactly.")
	}
	ids, _ := filter["id"].([]string)
	for _, id := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		ids = append(ids, id)
	}
	filter["id"] = ids
	return nil
}

func addEqualFilter(filter map[string]any, key, op string, value any) error {
	if op != filterEq {
		return badRequest(fmt.Sprintf("%q can only be matched exactly.", key))
	}
	if _, dup := filter[key]; dup {
		return badRequest(fmt.Sprintf("The filter on %q appears twice; a video has only one %s.", key, key))
	}
	filter[key] = value
	return nil
}

// addNumberFilter sets key to n (equality) or merges n into its {gte, lte} range.
func addNumberFilter(filter map[string]any, key, op string, n float64) error {
	existing, dup := filter[key]
	if op == filterEq {
		if dup {
			return badRequest(fmt.Sprintf("The filter on %q appears twice; use “at least” and “at most” for a range.", key))
		}
		filter[key] = n
		return nil
	}
	r, isRange := existing.(map[string]any)
	if dup && !isRange {
		return badRequest(fmt.Sprintf("The filter on %q is both an exact value and a range.", key))
	}
	if r == nil {
		r = map[string]any{}
	}
	if _, twice := r[op]; twice {
		return badRequest(fmt.Sprintf("The filter on %q has two “%s” bounds.", key, opLabel(op)))
	}
	r[op] = n
	filter[key] = r
	return nil
}

func parseFilterNumber(key, value string) (float64, error) {
	n, err := strconv.ParseFloat(value, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
		return 0, badRequest(fmt.Sprintf("The filter on %s needs a number of %s, not %q.", key, numericSystemFields[key], value))
	}
	return n, nil
}

// typedValue reads a user metadata value as the API stores it: true/false
// are booleans, numbers are numbers, "quoted" text is forced to a string,
// and anything else is a string.
func typedValue(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(n) && !math.IsInf(n, 0) {
		return n
	}
	return s
}

// opLabel names a comparison the way the filter form shows it.
func opLabel(op string) string {
	switch op {
	case filterGte:
		return "at least"
	case filterLte:
		return "at most"
	}
	return "is"
}

func formatNumber(n float64) string { return strconv.FormatFloat(n, 'f', -1, 64) }
