package media

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryChildGoesThroughCommand: a child started with exec.Command
// directly would outlive a killed engine; the engine's code uses Command.
func TestEveryChildGoesThroughCommand(t *testing.T) {
	var checked int
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if filepath.Base(path) == "exec.go" && filepath.Base(filepath.Dir(path)) == "media" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		for _, call := range []string{"exec.Command(", "exec.CommandContext("} {
			if strings.Contains(string(b), call) {
				t.Errorf("%s calls %s: use media.Command", path, call)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d files of the engine checked", checked)
	}
}
