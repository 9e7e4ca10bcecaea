package handlers

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBuildFilter(t *testing.T) {
	tests := []struct {
		name    string
		rows    []FilterRow
		want    string // the filter JSON sent to the API; "" for none
		wantErr string // part of the message the person reads
	}{
		{name: "no rows", rows: nil, want: ""},
		{name: "empty rows are skipped", rows: []FilterRow{{}, {Key: " ", Value: " "}}, want: ""},
		{name: "user metadata string", rows: []FilterRow{{Key: "topic", Value: "news"}}, want: `{"topic":"news"}`},
		{name: "user metadata number and bool", rows: []FilterRow{{Key: "batch", Value: "5"}, {Key: "needs_review", Value: "true"}},
			want: `{"batch":5,"needs_review":true}`},
		{name: "quoted number stays text", rows: []FilterRow{{Key: "code", Value: `"007"`}}, want: `{"code":"007"}`},
		{name: "duration exact", rows: []FilterRow{{Key: "duration", Op: "eq", Value: "160"}}, want: `{"duration":160}`},
		{name: "duration range from two rows", rows: []FilterRow{{Key: "duration", Op: "gte", Value: "60"}, {Key: "duration", Op: "lte", Value: "600.5"}},
			want: `{"duration":{"gte":60,"lte":600.5}}`},
		{name: "width at least", rows: []FilterRow{{Key: "width", Op: "gte", Value: "1280"}}, want: `{"width":{"gte":1280}}`},
		{name: "numeric user field range", rows: []FilterRow{{Key: "rating", Op: "gte", Value: "9.3"}}, want: `{"rating":{"gte":9.3}}`},
		{name: "ids from commas and rows", rows: []FilterRow{{Key: "id", Value: "a1, b2"}, {Key: "id", Value: "c3"}}, want: `{"id":["a1","b2","c3"]}`},
		{name: "filename exact, with spaces", rows: []FilterRow{{Key: "filename", Value: "Animal Encounters part 1"}},
			want: `{"filename":"Animal Encounters part 1"}`},
		{name: "value without field", rows: []FilterRow{{Value: "news"}}, wantErr: "needs a field name"},
		{name: "field without value", rows: []FilterRow{{Key: "topic"}}, wantErr: `"topic" needs a value`},
		{name: "bad field name", rows: []FilterRow{{Key: "to pic", Value: "x"}}, wantErr: "can't be a filter field"},
		{name: "unknown comparison", rows: []FilterRow{{Key: "size", Op: "lt", Value: "3"}}, wantErr: "unknown comparison"},
		{name: "duration not a number", rows: []FilterRow{{Key: "duration", Value: "long"}}, wantErr: "number of seconds"},
		{name: "negative size", rows: []FilterRow{{Key: "size", Value: "-1"}}, wantErr: "number of bytes"},
		{name: "range on text", rows: []FilterRow{{Key: "topic", Op: "gte", Value: "news"}}, wantErr: "need a number"},
		{name: "id with a range", rows: []FilterRow{{Key: "id", Op: "lte", Value: "x"}}, wantErr: "only be matched exactly"},
		{name: "same field twice", rows: []FilterRow{{Key: "topic", Value: "a"}, {Key: "topic", Value: "b"}}, wantErr: "appears twice"},
		{name: "exact and range", rows: []FilterRow{{Key: "height", Value: "360"}, {Key: "height", Op: "gte", Value: "300"}},
			wantErr: "both an exact value and a range"},
		{name: "two lower bounds", rows: []FilterRow{{Key: "height", Op: "gte", Value: "1"}, {Key: "height", Op: "gte", Value: "2"}},
			wantErr: "two “at least” bounds"},
		{name: "empty range", rows: []FilterRow{{Key: "duration", Op: "gte", Value: "100"}, {Key: "duration", Op: "lte", Value: "10"}},
			wantErr: "no video can match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := buildFilter(tt.rows)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("buildFilter = %v, want an error containing %q", got, tt.wantErr)
				}
				if status, msg := classify(err); status != 400 || !strings.Contains(msg, tt.wantErr) {
					t.Fatalf("error = %d %q, want 400 containing %q", status, msg, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("buildFilter: %v", err)
			}
			gotJSON := ""
			if got != nil {
				b, _ := json.Marshal(got)
				gotJSON = string(b)
			}
			if gotJSON != tt.want {
				t.Errorf("filter = %s, want %s", gotJSON, tt.want)
			}
		})
	}
}

func FuzzBuildFilter(f *testing.F) {
	f.Add("duration", "gte", "10", "topic", "news")
	f.Add("id", "eq", "a,b", "size", "1e9")
	f.Fuzz(func(t *testing.T, k1, o1, v1, k2, v2 string) {
		got, err := buildFilter([]FilterRow{{Key: k1, Op: o1, Value: v1}, {Key: k2, Value: v2}})
		if err != nil {
			if status, _ := classify(err); status != 400 {
				t.Fatalf("bad input gave status %d, want 400: %v", status, err)
			}
			return
		}
		if got != nil {
			if _, err := json.Marshal(got); err != nil {
				t.Fatalf("filter %v does not encode as JSON: %v", got, err)
			}
		}
	})
}
