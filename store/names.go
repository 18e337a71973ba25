package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// File names of an output folder.
const (
	DefinitionFile  = "sweep.toml"   // the definition as run
	ProvenanceDir   = "provenance"   // one record per writing invocation
	CheckpointDir   = "checkpoints"  // the state of runs in progress that keep one (trainings), by run id
	ConnectivityDir = "connectivity" // each network run's synapses (outputs.connectivity), by run id
	lockName        = ".lock"
	layoutName      = "shards" // the shard layout: n
	tmpPrefix       = ".tmp-"
)

// partName matches the files the store publishes in a table: a batch id, the file's hash, and
// .parquet. Older releases' names (no hash) match legacyName.
var (
	partName   = regexp.MustCompile(`^((?:part|compact)-[0-9]{8}T[0-9]{6}Z-[a-z0-9]+-[0-9a-f]{8}-[0-9]{4})\.([0-9a-f]{16})\.parquet$`)
	legacyName = regexp.MustCompile(`^(?:part|compact)-[0-9]{8}T[0-9]{6}Z-[0-9]+-[0-9a-f]{8}(?:-[a-z0-9]+)?-[0-9]{4}\.parquet$`)
)

// parsedName is a table file's name taken apart.
type parsedName struct {
	batch  string // the batch id: the same in every table of the batch
	hash   string // first 16 hex digits of the file's SHA-256; "" for a legacy name
	legacy bool
}

// parseName parses a published table file's name; ok is false for names the store does not
// publish (temporary files, files moved aside, anything else).
func parseName(name string) (parsedName, bool) {
	if m := partName.FindStringSubmatch(name); m != nil {
		return parsedName{batch: m[1], hash: m[2]}, true
	}
	if legacyName.MatchString(name) {
		return parsedName{batch: strings.TrimSuffix(name, ".parquet"), legacy: true}, true
	}
	return parsedName{}, false
}

// writerID names one writing invocation: UTC start time, host-independent random token. It is
// unique across processes and hosts writing one folder, and sorts by start time.
type writerID struct {
	time  string // 20060102T150405Z
	token string // 8 hex digits
}

func newWriterID() (writerID, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return writerID{}, fmt.Errorf("naming this writer: %w", err)
	}
	return writerID{time: time.Now().UTC().Format("20060102T150405Z"), token: hex.EncodeToString(b[:])}, nil
}

func (w writerID) String() string { return w.time + "-" + w.token }

// batchID returns the id of a batch: kind ("part" or "compact"), the writer's time, tag (shard
// or "all"), token and sequence number.
func (w writerID) batchID(kind, tag string, seq int) string {
	return fmt.Sprintf("%s-%s-%s-%s-%04d", kind, w.time, tag, w.token, seq)
}

// tempName is a temporary file's name: unique to this writer (pid and token), so that no two
// processes ever share one.
func (w writerID) tempName(what string) string {
	return fmt.Sprintf("%s%s-%d-%s", tmpPrefix, w.token, os.Getpid(), what)
}

// plainName reports whether name is a plain file name: no separator, not "." or "..", no NUL.
func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\\\x00")
}
