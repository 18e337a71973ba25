package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/eisweep/eisweep/sweep"
)

// ErrLocked is returned when another process is writing the same folder (or shard).
var ErrLocked = errors.New("output folder is locked")

// Lock is a held lock on an output folder. Locks are flock(2) locks on files in the folder: the
// kernel releases them when the process ends, however it ends, so a lock left by a dead process
// is never in the way. A whole-sweep writer (and compact) holds .lock exclusively; a shard holds
// .lock shared and .lock-<shard> exclusively, so that shards run side by side but never beside a
// whole-sweep writer.
type Lock struct{ files []*os.File }

// LockFolder takes the folder lock for shard (the zero Shard for the whole sweep) without
// waiting; if it is held, the error says by whom.
func LockFolder(dir string, shard sweep.Shard) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output folder: %w", err)
	}
	l := &Lock{}
	mode := syscall.LOCK_EX
	if shard.N > 0 {
		mode = syscall.LOCK_SH
	}
	if err := l.take(filepath.Join(dir, ".lock"), mode, shard.N == 0); err != nil {
		return nil, err
	}
	if shard.N > 0 {
		if err := l.take(filepath.Join(dir, ".lock-"+shard.Tag()), syscall.LOCK_EX, true); err != nil {
			l.Release()
			return nil, err
		}
	}
	return l, nil
}

func (l *Lock) take(path string, mode int, exclusive bool) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("locking %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), mode|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("%w: %s", ErrLocked, holder(filepath.Dir(path)))
		}
		return fmt.Errorf("locking %s: %w", path, err)
	}
	if exclusive {
		host, _ := os.Hostname()
		f.Truncate(0)
		fmt.Fprintf(f, "pid %d on %s since %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	}
	l.files = append(l.files, f)
	return nil
}

// holder describes who holds the locks of dir, from the notes the holders wrote.
func holder(dir string) string {
	paths, _ := filepath.Glob(filepath.Join(dir, ".lock*"))
	var who []string
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		// A note is current only if its lock is still held.
		held := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil
		if !held {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		}
		b, _ := os.ReadFile(p)
		f.Close()
		if held && len(b) > 0 {
			who = append(who, strings.TrimPrefix(filepath.Base(p), ".")+": "+strings.TrimSpace(string(b)))
		}
	}
	if len(who) == 0 {
		return dir + " is being written by another eisweep process; wait for it to finish or stop it"
	}
	return dir + " is being written by another eisweep process (" + strings.Join(who, "; ") + "); wait for it to finish or stop it"
}

// Release releases the lock.
func (l *Lock) Release() {
	for i := len(l.files) - 1; i >= 0; i-- {
		syscall.Flock(int(l.files[i].Fd()), syscall.LOCK_UN)
		l.files[i].Close()
	}
	l.files = nil
}
