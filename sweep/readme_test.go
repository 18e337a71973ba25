package sweep

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEExample: the example definition in README.md parses, with the grid it describes.
func TestREADMEExample(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Sweep definitions")
	if !ok {
		t.Fatal("README has no Sweep definitions section")
	}
	_, rest, _ = strings.Cut(rest, "```toml\n")
	text, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("no toml block")
	}
	d, err := Parse("README.md", text)
	if err != nil {
		t.Fatal(err)
	}
	if d.Cells() != 3*6*5*3*2 || d.Runs() != d.Cells()*20 || !d.Outputs.FICurves || d.Outputs.Traces {
		t.Errorf("README example: %d cells, %d runs, outputs %+v", d.Cells(), d.Runs(), d.Outputs)
	}
	n := axisText(t, d, "input.n_exc")
	if strings.Join(n, " ") != "100 1000 10000" {
		t.Errorf("log axis %v", n)
	}
}
