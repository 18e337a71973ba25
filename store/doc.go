// Package store owns an eisweep output folder, as a restic repository owns its files: the names
// in it, temporary files, locks, the shard layout, which files are complete, verification,
// compaction and provenance. Nothing else in eisweep creates, renames or removes a file in an
// output folder, and the store never touches a file outside it.
//
// A folder holds tables, each a directory of Parquet files (runs/, fi/, traces/, solved/). The
// store is schema-agnostic: callers name the tables and each table's key column, and write the
// files' contents; the store decides their names and when they count.
//
// Rules, each checked by a test:
//   - Files appear whole: written under a temporary name unique to the writing process, fsynced,
//     then linked to their final name (a link never replaces a file), and the directory fsynced.
//     A file's final name carries the first 64 bits of its SHA-256, so verification reads the
//     bytes and compares; files of older releases without a hash are verified by decoding every
//     page of every column.
//   - Rows are written in batches: one file per table that has rows, the companions (fi/,
//     traces/) published before the primary (runs/), whose metadata lists them. A batch counts
//     once its primary file is published and every companion it lists verifies; a companion
//     whose primary never appeared (a crash between the two) is an orphan that readers ignore
//     and exclusive writers remove.
//   - Locks are Linux open-file-description locks on .lock (shared by shards, exclusive for a
//     whole-folder writer) and .lock-<shard> (exclusive): released by the kernel when the process
//     ends, however it ends. Status reads them with F_OFD_GETLK and never takes one.
//   - The shard layout (n) is registered in the folder by its first shard; a shard of another n
//     is refused while the layout stands; a whole-folder writer resets it.
//   - Temporary files, orphans and compacted sources are removed only by a whole-folder
//     (exclusive) writer, when no other writer can be using them.
//   - Names read from files (compaction sources) are checked to be plain names of the table's
//     directory; symbolic links are never followed where the store writes, and a non-empty folder
//     that is not an eisweep folder is refused.
//   - Every invocation that writes leaves a provenance record (provenance/<writer>.json: command,
//     host, pid, version, shard, start and end, outcome), and every file names its writer; a
//     compacted file carries the writers of all its sources.
package store
