package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/solve"
)

var update = flag.Bool("update", false, "rewrite golden files (docs/SCHEMA.md)")

const schemaDoc = "../../docs/SCHEMA.md"

// TestSchemaDocUpToDate: docs/SCHEMA.md lists exactly the columns eisweep writes. Regenerate it
// with go test ./cmd/eisweep -run SchemaDoc -update.
func TestSchemaDocUpToDate(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(schemaHeader)
	if err := WriteSchemaDoc(&b); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaDoc, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is out of date; run go test ./cmd/eisweep -run SchemaDoc -update", schemaDoc)
	}
	var names []string
	for _, k := range experiment.All() {
		for _, t := range k.Schemas() {
			for _, c := range t.Columns {
				names = append(names, c.Name)
			}
		}
		for _, c := range aggregate.SummaryDocs(k) {
			if !isParamColumn(c.Name) && !isStatColumn(k, c.Name) {
				names = append(names, c.Name)
			}
		}
		names = append(names, aggregate.SummaryMetrics(k)...) // each metric's statistics are one row
	}
	for _, c := range solve.SolvedColumns {
		if !isParamColumn(c.Name) {
			names = append(names, c.Name)
		}
	}
	for _, c := range aggregate.BalanceDocs() {
		if !isParamColumn(c.Name) {
			names = append(names, c.Name)
		}
	}
	for _, c := range aggregate.SensitivityDocs() {
		names = append(names, c.Name)
	}
	for _, n := range names {
		if !strings.Contains(string(got), "`"+n+"`") {
			t.Errorf("column %s missing from %s", n, schemaDoc)
		}
	}
}

// schemaHeader is the prose above the table; "§" stands for a backquote.
var schemaHeader = strings.ReplaceAll(`# Output tables

A sweep writes §results/<name>/runs/*.parquet§, and optionally companion tables beside it: §fi/§
and §traces/§ for the single-unit experiment, §unit_rates/§, §psth/§ and §raster/§ for the
network (§experiment = "network"§), and §training/§ and §trajectory/§ for network runs that train.
With §outputs.connectivity§ a network run also writes §connectivity/<run_id>.csv.gz§: its
synapses, delays and trained weights in the CSV §network.connectivity§ reads (docs/MODEL.md §8),
a file rather than a table because that is what a later definition names. Every run is one row of §runs/§; the two kinds' §runs/§ tables
have different columns, and a folder holds one kind. Every file of a table has exactly its columns,
in this order, with these types, so DuckDB's §read_parquet('results/<name>/runs/*.parquet')§ and
§pandas.read_parquet§ read a folder without §union_by_name§. Names carry units (§_hz§, §_pc§,
§_pa§, §_mv§, §_ms§, §_s§, §_pf§, §_nsiemens§, §_na§); parameters are in their display unit
(§eisweep params§ lists them). Measurements are null when a run failed (§status = 'failed'§),
and f-I values are null when undefined (a unit that never fires in the f-I range).

Each file's key-value metadata holds provenance: §eisweep.definition§ (the definition's text),
§eisweep.definition_sha256§, §eisweep.batch§ (the batch of files it was written with) and
§eisweep.writers§, a JSON list of every invocation whose rows the file holds (writer id, command,
shard, host, eisweep version, Go version, start time; a compacted file lists all its sources'
writers, and §eisweep.compacted_from§ names its sources: none for a sweep written compacted in
its last flush). In DuckDB:
§SELECT decode(key), decode(value) FROM parquet_kv_metadata('results/<name>/runs/*.parquet')§.
Each invocation's own record is §provenance/<writer>.json§ in the folder (docs/FOLDER.md).

This file is generated from the code: §go test ./cmd/eisweep -run SchemaDoc -update§.

`, "§", "`")
