package sweep

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadDefinitions parses every definition under testdata/bad: each must be refused with
// every message its "# want: " lines list (file:line, key, value and fix).
func TestBadDefinitions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.toml"))
	if err != nil || len(files) < 30 {
		t.Fatalf("%d bad definitions, want at least 30 (%v)", len(files), err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wants := Wants(string(b))
			if len(wants) == 0 {
				t.Fatal("no # want: lines")
			}
			_, err = Load(path)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

// Wants returns the expected messages of a bad definition: its "# want: " lines.
func Wants(text string) []string {
	var ws []string
	for _, l := range strings.Split(text, "\n") {
		if w, ok := strings.CutPrefix(l, "# want: "); ok {
			ws = append(ws, w)
		}
	}
	return ws
}
