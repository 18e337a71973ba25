// Package pipeline runs a sweep: it hands the runs of a definition to a bounded pool of workers
// (errgroup with SetLimit), computes each distinct unit's f-I threshold and gain once, and
// writes one Parquet row per run into the output folder's runs/ directory, in part files that
// appear atomically (written to a temporary name, fsynced, renamed).
//
// The row schema is fixed and explicit (see [Columns]): the same columns and types in every
// file, units in column names, so DuckDB's read_parquet('results/x/runs/*.parquet') and
// pandas.read_parquet read a folder directly.
//
// [Aggregate] turns a folder of runs into statistics per grid cell and fitted balance lines;
// [Solve] finds, per grid cell, the weight of each unit that holds it at its set point (common
// random numbers, bracketing and ITP, a bootstrap interval) and writes solved.parquet.
package pipeline
