package understand

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
)

// FeaturesFile is where the understanding stage keeps, in a video's Dir,
// what search needs beyond understanding.json.
const FeaturesFile = "features.json"

// ModelName names the engine's own vectors in /embed answers and in the
// features files they come from.
const ModelName = "glimpse-local-1"

// Features is what the stage derived for search: per clip visual
// descriptors, every recognised word with its timing, every line of
// on-screen text with the moment it was read.
type Features struct {
	Model string         `json:"model"`
	Clips []ClipFeatures `json:"clips"`
	Words []Word         `json:"words"`
	Text  []TextLine     `json:"text"`
}

// ClipFeatures are a clip's visual descriptors, one per window (whole,
// centre, left half, right half), each the mean over the clip's frames.
type ClipFeatures struct {
	Start  float64     `json:"start"`
	End    float64     `json:"end"`
	Visual [][]float32 `json:"visual"`
	// Semantic is the image–text model's vector of the clip's middle frame,
	// when the engine runs with one.
	Semantic []float32 `json:"semantic,omitempty"`
}

// LoadFeatures reads dir's features; a video without them has none.
func LoadFeatures(dir string) (*Features, error) {
	b, err := os.ReadFile(filepath.Join(dir, FeaturesFile))
	if errors.Is(err, os.ErrNotExist) {
		return &Features{}, nil
	}
	if err != nil {
		return nil, err
	}
	var f Features
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *Features) save(dir string) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, FeaturesFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, FeaturesFile))
}
