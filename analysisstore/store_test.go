package analysisstore

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"glimpse/tlclient"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Record{
		IndexID: "idx1", VideoID: "vid1",
		Title: "Train derailment", Topics: []string{"Ohio"}, Hashtags: []string{"#train"},
		Summary:     "A report.",
		Chapters:    []tlclient.Chapter{{ChapterNumber: 1, StartSec: 0, EndSec: 12.5, ChapterTitle: "Intro"}},
		Highlights:  []tlclient.Highlight{{StartSec: 3, EndSec: 4, Highlight: "Smoke"}},
		GeneratedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	if _, ok, err := s.Load("idx1", "vid1"); ok || err != nil {
		t.Fatalf("Load before Save = ok %v, err %v; want a miss", ok, err)
	}
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	// A second store over the same directory sees it: it survives a restart.
	s2, _ := New(dir)
	got, ok, err := s2.Load("idx1", "vid1")
	if err != nil || !ok {
		t.Fatalf("Load = ok %v, err %v", ok, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Load = %+v, want %+v", got, want)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "idx1", ".tmp-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
	if err := s.Delete("idx1", "vid1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Load("idx1", "vid1"); ok {
		t.Fatal("record still there after Delete")
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	s, _ := New(dir)
	if err := os.MkdirAll(filepath.Join(dir, "idx"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "idx", "broken.json"), []byte(`{"index_id":`), 0o644)
	os.WriteFile(filepath.Join(dir, "idx", "other.json"), []byte(`{"index_id":"idx","video_id":"someone-else"}`), 0o644)

	tests := []struct {
		name, indexID, videoID, wantErr string
	}{
		{"path traversal in video id", "idx", "../../etc/passwd", "invalid id"},
		{"path traversal in index id", "..", "vid", "invalid id"},
		{"empty id", "idx", "", "invalid id"},
		{"truncated file", "idx", "broken", "unexpected end"},
		{"file holding another video", "idx", "other", "holds idx/someone-else"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, err := s.Load(tt.indexID, tt.videoID)
			if ok || err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Load = ok %v, err %v; want error containing %q", ok, err, tt.wantErr)
			}
		})
	}
	if err := s.Save(Record{IndexID: "idx", VideoID: "a/b"}); err == nil {
		t.Fatal("Save with a slash in the video id succeeded")
	}
	if _, err := New(""); err == nil {
		t.Fatal("New(\"\") succeeded")
	}
}
