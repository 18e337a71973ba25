// Package table is eisweep's Parquet layer: a table's schema as a list of typed columns (one
// source for the Arrow schema, `eisweep schema` and docs/SCHEMA.md), rows held as flat columns
// as they come and encoded into the file's pages beside them (Buffer), files zstd-compressed at
// zstd's fastest level (zstdCodec), and reading columns back in batches.
//
// It knows nothing of output folders, locks or file names: package store owns those and hands
// table the files to write into.
package table
