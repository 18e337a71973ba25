// Package aggregate turns a folder of runs into statistics per grid cell (or per chosen
// grouping) and fitted balance lines: [Compute] is the computation, reading the files that count
// and changing nothing; [Write] writes its result as summary.parquet and balance.parquet.
package aggregate
