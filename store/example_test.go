package store_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/table"
)

type row struct {
	ID    string
	Value float64
}

var columns = []table.Column[row]{
	table.String("run_id", "the run", func(r *row) string { return r.ID }),
	table.Float("value", "a measurement", func(r *row) float64 { return r.Value }),
}

// A writer opens the folder (here the whole of it), writes rows in a batch, and a scan says what
// is done.
func Example() {
	dir, _ := os.MkdirTemp("", "eisweep-example-")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "results")
	st, err := store.Open(out, store.Options{
		Tables:     []store.Table{{Name: "runs", Key: "run_id"}},
		Command:    "example",
		Definition: "name = \"example\"\n",
	})
	if err != nil {
		log.Fatal(err)
	}
	b := st.NewBatch()
	rows := []row{{"0000000000000001", 1.5}, {"0000000000000002", 2.5}}
	if err := b.Write("runs", func(w io.Writer, meta map[string]string) error {
		return table.Write(w, columns, rows, meta, 1000)
	}); err != nil {
		log.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		log.Fatal(err)
	}
	c, err := st.Scan("runs")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(c.Files["runs"]), "file,", c.Keys["runs"].Len(), "runs done; run 2 done:", c.Keys["runs"].Has(2))
	if err := st.Close(nil); err != nil {
		log.Fatal(err)
	}
	// Output: 1 file, 2 runs done; run 2 done: true
}
