// Package chaos is eisweep's chaos test suite. It builds the eisweep binary once and runs it as
// real processes, the way users and SLURM do, then abuses them: SIGKILL at random moments of a
// sweep and of a compaction, eight shards started at the same instant into a folder that does not
// exist yet, shards of different counts in one folder, a disk that fills up, bytes flipped in
// Parquet files, symlinks and crafted metadata that point outside the output folder, a run into a
// folder that is not eisweep's, and SIGTERM and SIGINT in every phase of run, compact and solve.
//
// After each case the output is read only through DuckDB (tools/duckcheck), never through
// eisweep's own packages, and compared with an uninterrupted run of the same definition: every
// run must be there exactly once, with every value identical (but the wall time run_ms). Each case
// logs one line saying what was lost, duplicated or differs, and fails if anything was.
//
// The tests skip unless EISWEEP_CHAOS=1 and EISWEEP_DUCKCHECK (the path of duckcheck) are set;
// make test-chaos sets both. The full-disk case needs root (it mounts a tmpfs) and skips without.
package chaos
