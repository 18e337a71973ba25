package chaos

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFullDisk runs sweeps onto a 600 KiB tmpfs (mounted for the test; it skips when the mount
// fails, e.g. without root): one whose output (about 2 MB of parts, a part every 1000 runs) fills
// the disk midway, and one that finds the disk already full (a file fills it before the run). Each
// must fail with exit 1 within 10 s (a hang is killed and fails the test) and say on stderr that
// there is no space; then the tmpfs grows to 64 MiB (and the filler is removed) and the same run
// resumes: exit 0, every run exactly once, identical to an uninterrupted run's.
func TestFullDisk(t *testing.T) {
	e := setup(t)
	text := quickDef("disk", 10000)
	ref := e.reference(text)
	def := writeDef(t, text)
	for _, c := range []struct {
		name   string
		filled bool // the disk is full before the run starts
	}{{"fills up during the run", false}, {"full from the start", true}} {
		t.Run(strings.ReplaceAll(c.name, " ", "-"), func(t *testing.T) {
			e := &env{t: t, bin: e.bin, duck: e.duck}
			mnt := t.TempDir()
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", mnt).CombinedOutput(); err != nil {
				t.Skipf("cannot mount a tmpfs (needs root): %v: %s", err, strings.TrimSpace(string(out)))
			}
			t.Cleanup(func() {
				if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
					t.Errorf("umount %s: %v: %s", mnt, err, out)
					exec.Command("umount", "-l", mnt).Run()
				}
			})
			filler := filepath.Join(mnt, "filler")
			if c.filled {
				fill(t, filler)
			}
			dir := filepath.Join(mnt, "out")
			args := []string{"run", "--quiet", "--flush-rows", "1000", "-o", dir, def}
			p := e.start(10*time.Second, args...)
			p.wait()
			full := p.status() + " (" + lastLine(p.stderr.String()) + ")"
			switch {
			case p.hung():
				t.Errorf("full-disk: %s: hung: still running after 10 s on a full disk; killed\n%s", c.name, tail(p.stderr.String()))
				full = "hung"
			case p.code() != 1:
				t.Errorf("full-disk: %s: %s, want exit 1 (the disk is full)\n%s", c.name, p.status(), tail(p.stderr.String()))
			case !strings.Contains(strings.ToLower(p.stderr.String()), "no space"):
				t.Errorf("full-disk: %s: exit 1, but stderr does not mention the write error (\"no space\"):\n%s", c.name, tail(p.stderr.String()))
			}
			if c.filled {
				os.Remove(filler)
			}
			if out, err := exec.Command("mount", "-o", "remount,size=64m", mnt).CombinedOutput(); err != nil {
				t.Fatalf("growing the tmpfs: %v: %s", err, out)
			}
			r := e.run(time.Minute, args...)
			if r.code != 0 {
				t.Errorf("full-disk: %s: resume on a disk with room: %s, want exit 0\n%s", c.name, r.status, tail(r.stderr))
			}
			cs := e.check("full-disk: "+c.name, dir, ref)
			t.Logf("full-disk: %s: run on the full disk: %s after %v; resume: %s; %s", c.name, full,
				p.took().Round(time.Millisecond), r, accounts(cs))
		})
	}
}

// fill writes path until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			return
		}
	}
}
