// Package analysisstore keeps the generated analysis of each video (gist,
// summary, chapters, highlights) on disk, so that the watch page shows it
// again after a reload without asking the API a second time.
//
// Each video is one JSON file, <dir>/<indexID>/<videoID>.json, written to a
// temporary file and renamed into place, so a crash never leaves a
// half-written record behind.
package analysisstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"glimpse/tlclient"
)

// Record is everything the analysis panel shows about one video.
type Record struct {
	IndexID     string               `json:"index_id"`
	VideoID     string               `json:"video_id"`
	Title       string               `json:"title"`
	Topics      []string             `json:"topics"`
	Hashtags    []string             `json:"hashtags"`
	Summary     string               `json:"summary"`
	Chapters    []tlclient.Chapter   `json:"chapters"`
	Highlights  []tlclient.Highlight `json:"highlights"`
	GeneratedAt time.Time            `json:"generated_at"`
	// Account names the account the analysis was generated with (not its
	// key), so a session on another account is never shown it.
	Account string `json:"account,omitempty"`
}

// Store is a directory of records. The zero value is not usable; use New.
type Store struct {
	dir string
}

// New returns a store under dir, creating the directory when needed.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("analysisstore: no directory given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("analysisstore: %w", err)
	}
	return &Store{dir: dir}, nil
}

// idPattern is what index and video ids look like (24 hex characters on
// the live API); anything else could escape the directory.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

func (s *Store) path(indexID, videoID string) (string, error) {
	if !idPattern.MatchString(indexID) || !idPattern.MatchString(videoID) {
		return "", fmt.Errorf("analysisstore: invalid id %q/%q", indexID, videoID)
	}
	return filepath.Join(s.dir, indexID, videoID+".json"), nil
}

// Load returns the record of a video; ok is false when none is kept.
func (s *Store) Load(indexID, videoID string) (rec Record, ok bool, err error) {
	p, err := s.path(indexID, videoID)
	if err != nil {
		return Record{}, false, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("analysisstore: %w", err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return Record{}, false, fmt.Errorf("analysisstore: %s: %w", p, err)
	}
	if rec.IndexID != indexID || rec.VideoID != videoID {
		return Record{}, false, fmt.Errorf("analysisstore: %s holds %s/%s", p, rec.IndexID, rec.VideoID)
	}
	return rec, true, nil
}

// Save writes the record of rec.IndexID/rec.VideoID, replacing any older one.
func (s *Store) Save(rec Record) error {
	p, err := s.path(rec.IndexID, rec.VideoID)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("analysisstore: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("analysisstore: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("analysisstore: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("analysisstore: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("analysisstore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("analysisstore: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("analysisstore: %w", err)
	}
	return nil
}

// Delete forgets the record of a video; it is not an error when none is kept.
func (s *Store) Delete(indexID, videoID string) error {
	p, err := s.path(indexID, videoID)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("analysisstore: %w", err)
	}
	return nil
}
