package chaos

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// linksDef is the sweep of the symlink and crafted-file cases; linksSmall is a smaller one that
// it extends (the same runs, fewer replicates), so that a folder of linksSmall still has work.
var (
	linksDef   = quickDef("links", 600)
	linksSmall = quickDef("links", 200)
)

// TestSymlinksAndCraftedFiles checks that nothing outside an output folder is ever written or
// removed through it, and that a folder that is not eisweep's is left alone:
//   - symlinks: .lock, sweep.toml.tmp and runs/ of a folder are symlinks to a file or folder
//     outside it (see symlinks);
//   - crafted-compacted-from: a compacted file's metadata names a file outside the table folder
//     as one of its sources (see craftedCompactedFrom);
//   - foreign-folder: `eisweep run -o` into a non-empty folder that is not eisweep's (see
//     foreignFolder).
func TestSymlinksAndCraftedFiles(t *testing.T) {
	e := setup(t)
	t.Run("symlinks", func(t *testing.T) { symlinks(&env{t: t, bin: e.bin, duck: e.duck}) })
	t.Run("crafted-compacted-from", func(t *testing.T) { craftedCompactedFrom(&env{t: t, bin: e.bin, duck: e.duck}) })
	t.Run("foreign-folder", func(t *testing.T) { foreignFolder(&env{t: t, bin: e.bin, duck: e.duck}) })
}

// symlinks plants symlinks in an output folder of a partly done sweep (a run of 200 of its
// 600 replicates): (a) .lock → a file outside the folder, (b) sweep.toml.tmp → a file outside the
// folder, and runs/ → a folder outside it. Then `eisweep run` of the full sweep and
// `eisweep compact` run (whatever their exit status): the outside file must keep its bytes, and
// the outside folder must not gain, lose or change a file.
func symlinks(e *env) {
	t := e.t
	small := e.partsFixture(linksSmall)
	def := writeDef(t, linksDef)
	for _, c := range []struct {
		name string
		link string // path in the output folder that becomes a symlink
		dir  bool   // the symlink points to a folder (else to a file)
	}{
		{".lock", ".lock", false},
		{"sweep.toml.tmp", "sweep.toml.tmp", false},
		{"runs", "runs", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &env{t: t, bin: e.bin, duck: e.duck}
			base := t.TempDir()
			dir := filepath.Join(base, "out")
			copyDir(t, small, dir)
			outside := filepath.Join(base, "outside")
			if err := os.MkdirAll(filepath.Join(outside, "folder"), 0o755); err != nil {
				t.Fatal(err)
			}
			for name, text := range map[string]string{"precious.txt": "precious bytes, not eisweep's\n", "folder/marker.txt": "a folder that is not eisweep's\n"} {
				if err := os.WriteFile(filepath.Join(outside, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			target := filepath.Join(outside, "precious.txt")
			if c.dir {
				target = filepath.Join(outside, "folder")
			}
			link := filepath.Join(dir, c.link)
			if err := os.RemoveAll(link); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, outside)
			var ran []string
			var changed []string
			for _, args := range [][]string{{"run", "--quiet", "-o", dir, def}, {"compact", dir}} {
				r := e.run(time.Minute, args...)
				ran = append(ran, fmt.Sprintf("%s: %s", args[0], r))
				if ch := changes(before, snapshot(t, outside)); len(ch) > 0 && changed == nil {
					changed = ch
					t.Errorf("symlink %s → %s: eisweep %s (%s) changed what is outside the output folder:\n  %s",
						c.link, target, args[0], r.status, strings.Join(ch, "\n  "))
				}
			}
			t.Logf("symlinks: %s → outside %s: %s; outside changed: %d entries", c.link, map[bool]string{false: "file", true: "folder"}[c.dir], strings.Join(ran, ", "), len(changed))
		})
	}
}

// kvMetadata returns the key-value metadata of a Parquet file, read by DuckDB.
func (e *env) kvMetadata(path string) map[string]string {
	e.t.Helper()
	rows, err := e.sql(fmt.Sprintf("SELECT hex(key), hex(value) FROM parquet_kv_metadata(%s)", quote(path)))
	if err != nil {
		e.t.Fatal(err)
	}
	kv := map[string]string{}
	for _, r := range rows {
		k, err1 := hex.DecodeString(r[0])
		v, err2 := hex.DecodeString(r[1])
		if err1 != nil || err2 != nil {
			e.t.Fatalf("parquet_kv_metadata(%s): row %v", path, r)
		}
		kv[string(k)] = string(v)
	}
	return kv
}

// craft copies the Parquet file src to dst with DuckDB, keeping its rows and key-value metadata
// but for the keys in set, which it replaces.
func (e *env) craft(src, dst string, set map[string]string) {
	e.t.Helper()
	kv := e.kvMetadata(src)
	for k, v := range set {
		kv[k] = v
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fields []string
	for _, k := range keys {
		fields = append(fields, quote(k)+": "+quote(kv[k]))
	}
	q := fmt.Sprintf("COPY (SELECT * FROM read_parquet(%s)) TO %s (FORMAT parquet, COMPRESSION zstd, KV_METADATA {%s})",
		quote(src), quote(dst), strings.Join(fields, ", "))
	if _, err := e.sql(q); err != nil {
		e.t.Fatalf("crafting %s: %v", dst, firstLine(err.Error()))
	}
	if got := e.kvMetadata(dst); got["eisweep.compacted_from"] != kv["eisweep.compacted_from"] {
		e.t.Fatalf("crafted %s: eisweep.compacted_from = %q, want %q", dst, got["eisweep.compacted_from"], kv["eisweep.compacted_from"])
	}
}

// olderName is the name of a compacted file as an earlier eisweep release wrote it
// (compact-TIME-PID-TOKEN-SEQ.parquet): such files are in users' folders, without a hash in the
// name.
const olderName = "compact-20261201T224815Z-8892-3e77d09d-0000.parquet"

// hashedName matches a file name that ends in 16 hex digits before .parquet.
var hashedName = regexp.MustCompile(`^(.*)\.([0-9a-f]{16})\.parquet$`)

// sha16 is the first 16 hex digits of the SHA-256 of a file.
func sha16(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// craftedCompactedFrom replaces the compacted file of a complete folder (laid out as
// TMP/a/b/out) with a copy made by DuckDB, the same rows and metadata but for
// eisweep.compacted_from, which names a file outside the table folder: "../../victim.txt", which
// from out/runs/ is TMP/a/b/victim.txt, outside the output folder, or "../sweep.toml", the
// folder's own definition. The copy is named compact-x.parquet, or the original's name, or (when
// compacted files' names end in the first 16 hex digits of their SHA-256) a name of that form
// with the copy's own hash, or the name an earlier release gave compacted files. Then
// `eisweep aggregate`, `run`, `compact` and `status` run in turn (whatever their exit status):
// after each, the named file must still exist with its bytes.
func craftedCompactedFrom(e *env) {
	t := e.t
	src := e.compactedFixture(linksDef, "--no-compact", "--flush-rows", "100")
	def := writeDef(t, linksDef)
	names := []struct {
		label string
		name  func(t *testing.T, orig, crafted string) string
	}{
		{"compact-x", func(*testing.T, string, string) string { return "compact-x.parquet" }},
		{"original-name", func(_ *testing.T, orig, _ string) string { return filepath.Base(orig) }},
		{"own-hash", func(t *testing.T, orig, crafted string) string {
			m := hashedName.FindStringSubmatch(filepath.Base(orig))
			if m == nil || m[2] != sha16(t, orig) {
				t.Skipf("compacted files' names do not end in their hash (%s)", filepath.Base(orig))
			}
			return m[1] + "." + sha16(t, crafted) + ".parquet"
		}},
		{"older-release-name", func(*testing.T, string, string) string { return olderName }},
	}
	for _, victimName := range []string{"../../victim.txt", "../sweep.toml"} {
		for _, nm := range names {
			label := strings.ReplaceAll(strings.ReplaceAll(victimName, "../", "up-"), ".", "-") + "/" + nm.label
			t.Run(label, func(t *testing.T) {
				e := &env{t: t, bin: e.bin, duck: e.duck}
				base := t.TempDir()
				dir := filepath.Join(base, "a", "b", "out")
				copyDir(t, src, dir)
				runs := filepath.Join(dir, "runs")
				victim := filepath.Join(runs, victimName) // as eisweep would resolve it: relative to the table folder
				if victimName == "../../victim.txt" {
					if err := os.WriteFile(victim, []byte("the victim's bytes\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(victim)
				if err != nil {
					t.Fatal(err)
				}
				compacted := glob(runs, "compact-*.parquet")
				if len(compacted) != 1 {
					t.Fatalf("want one compacted file in %s, have %v", runs, glob(runs, "*"))
				}
				orig := filepath.Join(runs, compacted[0])
				crafted := filepath.Join(base, "crafted.parquet")
				e.craft(orig, crafted, map[string]string{"eisweep.compacted_from": victimName})
				name := nm.name(t, orig, crafted)
				if err := os.Remove(orig); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(crafted, filepath.Join(runs, name)); err != nil {
					t.Fatal(err)
				}
				var ran []string
				gone := ""
				for _, args := range [][]string{{"aggregate", dir}, {"run", "--quiet", "-o", dir, def}, {"compact", dir}, {"status", dir}} {
					r := e.run(time.Minute, args...)
					ran = append(ran, fmt.Sprintf("%s: %s", args[0], r))
					if gone != "" {
						continue
					}
					got, err := os.ReadFile(victim)
					switch {
					case err != nil:
						gone = args[0]
						t.Errorf("crafted %s naming %q: after eisweep %s (%s), %s is gone: %v", name, victimName, args[0], r.status, victim, err)
					case string(got) != string(want):
						gone = args[0]
						t.Errorf("crafted %s naming %q: after eisweep %s (%s), %s changed: %q, was %q", name, victimName, args[0], r.status, victim, got, want)
					}
				}
				intact := "intact"
				if gone != "" {
					intact = "LOST at " + gone
				}
				t.Logf("crafted-compacted-from: %s naming %q (%s): %s; victim %s; runs/ afterwards: %v",
					name, victimName, victim, strings.Join(ran, ", "), intact, glob(runs, "*"))
			})
		}
	}
}

// foreignFolder points `eisweep run -o` at a folder that is not an eisweep output folder
// (no sweep.toml) but holds files: runs/a.parquet (a copy of a real part of the same sweep),
// runs/b.parquet.tmp and notes.txt. The run must exit non-zero and leave every file as it was:
// the same names, the same bytes, nothing added.
func foreignFolder(e *env) {
	t := e.t
	parts := e.partsFixture(linksDef, "--no-compact", "--flush-rows", "100")
	def := writeDef(t, linksDef)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(dir, "runs"), 0o755); err != nil {
		t.Fatal(err)
	}
	part := glob(filepath.Join(parts, "runs"), "*.parquet")
	if len(part) == 0 {
		t.Fatalf("no part in %s", parts)
	}
	if err := copyFile(filepath.Join(parts, "runs", part[0]), filepath.Join(dir, "runs", "a.parquet")); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"runs/b.parquet.tmp": "half of something\n", "notes.txt": "my notes, not eisweep's\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, dir)
	r := e.run(time.Minute, "run", "--quiet", "-o", dir, def)
	if r.code == 0 {
		t.Errorf("foreign-folder: eisweep run -o %s (not an eisweep folder, not empty): exit 0, want it refused", dir)
	}
	ch := changes(before, snapshot(t, dir))
	if len(ch) > 0 {
		t.Errorf("foreign-folder: eisweep run (%s) changed the folder:\n  %s", r.status, strings.Join(ch, "\n  "))
	}
	t.Logf("foreign-folder: run: %s; %d entries changed", r, len(ch))
}
