package tlclient

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// Tolerant decoding: servers differ in small ways (timestamps in several
// layouts or empty, score or rank, start/end or start_sec/end_sec). A field in
// an unexpected shape is left zero rather than failing the whole response.

// flexTime accepts RFC 3339 (with or without fraction/zone), epoch seconds,
// "" and null.
type flexTime struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func (t *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] != '"' {
		if f, err := strconv.ParseFloat(string(b), 64); err == nil {
			sec := int64(f)
			t.Time = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
		}
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) != nil || s == "" {
		return nil
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return nil
}

// flexFloat accepts a number, a numeric string or null.
type flexFloat struct {
	v  float64
	ok bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 1 && b[0] == '"' {
		b = b[1 : len(b)-1]
	}
	if v, err := strconv.ParseFloat(string(b), 64); err == nil {
		f.v, f.ok = v, true
	}
	return nil
}

func (f flexFloat) ptr() *float64 {
	if !f.ok {
		return nil
	}
	v := f.v
	return &v
}

// pick returns the first value that was present.
func pick(vals ...flexFloat) float64 {
	for _, v := range vals {
		if v.ok {
			return v.v
		}
	}
	return 0
}

func (x *Index) UnmarshalJSON(b []byte) error {
	type plain Index
	aux := struct {
		*plain
		CreatedAt     flexTime  `json:"created_at"`
		UpdatedAt     flexTime  `json:"updated_at"`
		TotalDuration flexFloat `json:"total_duration"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.CreatedAt, x.UpdatedAt, x.TotalDuration = aux.CreatedAt.Time, aux.UpdatedAt.Time, aux.TotalDuration.v
	return nil
}

func (x *HLS) UnmarshalJSON(b []byte) error {
	type plain HLS
	aux := struct {
		*plain
		UpdatedAt flexTime `json:"updated_at"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.UpdatedAt = aux.UpdatedAt.Time
	return nil
}

func (x *Video) UnmarshalJSON(b []byte) error {
	type plain Video
	aux := struct {
		*plain
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
		IndexedAt flexTime `json:"indexed_at"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.CreatedAt, x.UpdatedAt, x.IndexedAt = aux.CreatedAt.Time, aux.UpdatedAt.Time, aux.IndexedAt.Time
	return nil
}

func (x *VideoSystemMetadata) UnmarshalJSON(b []byte) error {
	type plain VideoSystemMetadata
	aux := struct {
		*plain
		Duration flexFloat `json:"duration"`
		FPS      flexFloat `json:"fps"`
		Width    flexFloat `json:"width"`
		Height   flexFloat `json:"height"`
		Size     flexFloat `json:"size"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.Duration, x.FPS = aux.Duration.v, aux.FPS.v
	x.Width, x.Height, x.Size = int(aux.Width.v), int(aux.Height.v), int64(aux.Size.v)
	return nil
}

func (x *Task) UnmarshalJSON(b []byte) error {
	type plain Task
	aux := struct {
		*plain
		CreatedAt     flexTime  `json:"created_at"`
		UpdatedAt     flexTime  `json:"updated_at"`
		EstimatedTime flexTime  `json:"estimated_time"`
		Progress      flexFloat `json:"progress"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.CreatedAt, x.UpdatedAt, x.EstimatedTime = aux.CreatedAt.Time, aux.UpdatedAt.Time, aux.EstimatedTime.Time
	x.Progress = aux.Progress.ptr()
	return nil
}

func (x *EmbeddingTask) UnmarshalJSON(b []byte) error {
	type plain EmbeddingTask
	aux := struct {
		*plain
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.CreatedAt, x.UpdatedAt = aux.CreatedAt.Time, aux.UpdatedAt.Time
	return nil
}

func (x *SearchPageInfo) UnmarshalJSON(b []byte) error {
	type plain SearchPageInfo
	aux := struct {
		*plain
		PageExpiresAt flexTime `json:"page_expires_at"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.PageExpiresAt = aux.PageExpiresAt.Time
	return nil
}

// UnmarshalJSON accepts score+confidence or rank, and start/end or start_sec/end_sec.
func (x *SearchResult) UnmarshalJSON(b []byte) error {
	type plain SearchResult
	aux := struct {
		*plain
		Start    flexFloat `json:"start"`
		End      flexFloat `json:"end"`
		StartSec flexFloat `json:"start_sec"`
		EndSec   flexFloat `json:"end_sec"`
		Score    flexFloat `json:"score"`
		Rank     flexFloat `json:"rank"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.Start = pick(aux.Start, aux.StartSec)
	x.End = pick(aux.End, aux.EndSec)
	x.Score = aux.Score.ptr()
	x.Rank = nil
	if aux.Rank.ok {
		r := int(aux.Rank.v)
		x.Rank = &r
	}
	return nil
}

// UnmarshalJSON accepts start_sec/end_sec or the older start/end.
func (x *Chapter) UnmarshalJSON(b []byte) error {
	type plain Chapter
	aux := struct {
		*plain
		Start    flexFloat `json:"start"`
		End      flexFloat `json:"end"`
		StartSec flexFloat `json:"start_sec"`
		EndSec   flexFloat `json:"end_sec"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.StartSec, x.EndSec = pick(aux.StartSec, aux.Start), pick(aux.EndSec, aux.End)
	return nil
}

// UnmarshalJSON accepts start_sec/end_sec or the older start/end.
func (x *Highlight) UnmarshalJSON(b []byte) error {
	type plain Highlight
	aux := struct {
		*plain
		Start    flexFloat `json:"start"`
		End      flexFloat `json:"end"`
		StartSec flexFloat `json:"start_sec"`
		EndSec   flexFloat `json:"end_sec"`
	}{plain: (*plain)(x)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	x.StartSec, x.EndSec = pick(aux.StartSec, aux.Start), pick(aux.EndSec, aux.End)
	return nil
}
