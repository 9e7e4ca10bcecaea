package understand

import (
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"glimpse/internal/testmedia"
)

// imageFile decodes a picture file.
func imageFile(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

// rankClips orders clips by their best window's cosine with q.
func rankClips(f *Features, q []float32) ([]int, []float32) {
	best := make([]float32, len(f.Clips))
	idx := make([]int, len(f.Clips))
	for i, c := range f.Clips {
		idx[i] = i
		best[i] = -1
		for _, w := range c.Visual {
			if d := Cosine(q, w); d > best[i] {
				best[i] = d
			}
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return best[idx[a]] > best[idx[b]] })
	return idx, best
}

// The variants a person might search with: a crop, a smaller copy, a
// heavily recompressed copy, a brighter and a darker one, made by ffmpeg from
// frames of the video.
var variants = []struct{ name, filter string }{
	{"crop 70%", "crop=iw*0.7:ih*0.7"},
	{"scale 40%", "scale=iw*0.4:-2"},
	{"jpeg q31", ""},
	{"brighter", "eq=brightness=0.15"},
	{"darker", "eq=brightness=-0.15:contrast=0.8"},
}

func TestVisualRobustness(t *testing.T) {
	dir := understoodExample(t)
	src := testmedia.Path(t, "example.mp4")
	f, err := LoadFeatures(dir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	times := []float64{3, 14, 19, 47, 66, 91, 112, 133, 152}
	var within, total int
	firstBy := map[string]int{}
	var sameSum, otherSum float64
	for _, at := range times {
		truth := -1
		for i, c := range f.Clips {
			if at >= c.Start && at < c.End {
				truth = i
			}
		}
		for _, v := range variants {
			out := filepath.Join(tmp, fmt.Sprintf("%v-%s.jpg", at, v.name))
			args := []string{"-v", "error", "-y", "-ss", fmt.Sprint(at), "-i", src, "-frames:v", "1"}
			if v.filter != "" {
				args = append(args, "-vf", v.filter, "-q:v", "3")
			} else {
				args = append(args, "-q:v", "31")
			}
			if b, err := exec.Command("ffmpeg", append(args, out)...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v %s", err, b)
			}
			idx, cos := rankClips(f, ImageDescriptor(imageFile(t, out)))
			rank := -1
			for r, i := range idx {
				if i == truth {
					rank = r
				}
			}
			total++
			if rank == 0 {
				within++
				firstBy[v.name]++
			}
			sameSum += float64(cos[truth])
			otherSum += float64(cos[idx[len(idx)/2]])
			t.Logf("t=%5.1f %-9s true clip rank %d cos %.3f (best %.3f, median %.3f)", at, v.name, rank+1, cos[truth], cos[idx[0]], cos[idx[len(idx)/2]])
		}
	}
	for _, v := range variants {
		t.Logf("%-9s true clip first for %d of %d frames", v.name, firstBy[v.name], len(times))
	}
	t.Logf("true clip ranked first for %d of %d variants; mean cosine same shot %.3f, median clip %.3f", within, total, sameSum/float64(total), otherSum/float64(total))
	if within*10 < total*8 {
		t.Errorf("true clip ranked first for only %d of %d variants", within, total)
	}
}

func TestSearchSampleFindsAerialShots(t *testing.T) {
	dir := understoodExample(t)
	f, err := LoadFeatures(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, cos := rankClips(f, ImageDescriptor(imageFile(t, testmedia.Path(t, "search_sample.png"))))
	for r, i := range idx[:8] {
		t.Logf("rank %d clip %5.1f-%5.1f cos %.3f", r+1, f.Clips[i].Start, f.Clips[i].End, cos[i])
	}
	t.Logf("median cos %.3f, worst %.3f", cos[idx[len(idx)/2]], cos[idx[len(idx)-1]])
}
