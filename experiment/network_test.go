package experiment

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

// TestNetworkConnectivityFile: network.connectivity runs the synapses of a file, relative to the
// definition's folder; a file for another network is refused, naming it.
func TestNetworkConnectivityFile(t *testing.T) {
	dir := t.TempDir()
	text := "name = \"c\"\nexperiment = \"network\"\nreplicates = 2\n[params]\n\"net.n_units\" = 150\n\"network.duration\" = \"0.3 s\"\n"
	probe, err := sweep.Parse(filepath.Join(dir, "probe.toml"), text)
	if err != nil {
		t.Fatal(err)
	}
	m, err := probe.Base.Model()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sim.NewConnectivity(NetworkConfig(&m), 99)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for p := range conn.Pre {
		want += int64(len(conn.Pre[p]))
	}
	var b strings.Builder
	if err := conn.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "conn.csv"), []byte(b.String()), 0o644)
	run := func(text string) (NetworkRow, error) {
		def, err := sweep.Parse(filepath.Join(dir, "def.toml"), text)
		if err != nil {
			t.Fatal(err)
		}
		w := Network.NewSession(def, nil).NewWorker()
		var row NetworkRow
		for r := range def.AllRuns() {
			o, err := w.Run(r)
			if err != nil {
				return row, err
			}
			row = o.(NetworkOutput).Row
		}
		return row, nil
	}
	row, err := run(text + "\"network.connectivity\" = \"conn.csv\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if row.NSynapses != want || row.Status != StatusOK {
		t.Errorf("%d synapses, status %s; the file has %d", row.NSynapses, row.Status, want)
	}
	_, err = run(strings.Replace(text, "150", "160", 1) + "\"network.connectivity\" = \"conn.csv\"\n")
	if err == nil || !strings.Contains(err.Error(), "network.connectivity") {
		t.Errorf("a file for another network: %v", err)
	}
	_, err = run(text + "\"network.connectivity\" = \"missing.csv\"\n")
	if err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("a missing file: %v", err)
	}
}
