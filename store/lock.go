package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrLocked is returned when another process holds a lock the store needs: a whole-folder writer
// while a shard starts, any writer while a whole-folder writer starts, or the same shard twice.
var ErrLocked = errors.New("output folder is locked")

// ErrNoLocks is returned when the folder's file system does not support file locks.
var ErrNoLocks = errors.New("the file system does not support file locks")

// lockKind is what a lock excludes.
type lockKind int

const (
	lockShared    lockKind = iota // many holders (shards)
	lockExclusive                 // one holder, no shared ones
)

// lockRetry is how long taking a lock retries before reporting it held: a status probe or a
// sibling shard's brief exclusive section must not make a starting writer fail.
var lockRetry = 2 * time.Second

// locks are the locks one store holds.
type locks struct{ files []*os.File }

// take locks path (created if missing, never through a symbolic link) as kind, and for an
// exclusive lock writes note into the file for `eisweep status` and error messages.
func (l *locks) take(path string, kind lockKind, note string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return fmt.Errorf("%s is a symbolic link: eisweep never follows links where it writes; remove it", path)
		}
		return fmt.Errorf("locking %s: %w", path, err)
	}
	deadline := time.Now().Add(lockRetry)
	for {
		err = setLock(f, kind)
		if err == nil || !errors.Is(err, ErrLocked) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return fmt.Errorf("%w: %s", ErrLocked, holders(filepath.Dir(path)))
		}
		if errors.Is(err, ErrNoLocks) {
			return fmt.Errorf("locking %s: %w; eisweep needs locks to keep writers of one folder apart: "+
				"on Lustre mount with -o flock (or -o localflock when every writer runs on one node), on NFS run lockd (do not mount with -o nolock), "+
				"or write to a local disk with -o DIR", path, err)
		}
		return fmt.Errorf("locking %s: %w", path, err)
	}
	if kind == lockExclusive && note != "" {
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(note+"\n"), 0)
		}
	}
	l.files = append(l.files, f)
	return nil
}

// release releases every lock, last taken first.
func (l *locks) release() {
	for i := len(l.files) - 1; i >= 0; i-- {
		unlock(l.files[i])
		l.files[i].Close()
	}
	l.files = nil
}

// lockNote describes this process for lock files.
func lockNote(what string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s: pid %d on %s since %s", what, os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
}

// holders describes who holds dir's locks now, from the notes the holders wrote; it takes no lock.
func holders(dir string) string {
	w := Writers(dir)
	if w == "" {
		return dir + " is being written by another eisweep process; wait for it to finish or stop it"
	}
	return dir + " is being written by another eisweep process (" + w + "); wait for it to finish or stop it"
}

// Writers describes who holds the locks of an output folder now ("" if nobody), without taking
// or waiting for any lock.
func Writers(dir string) string {
	paths, _ := filepath.Glob(filepath.Join(dir, lockName+"*"))
	var who []string
	shards := 0
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
		if err != nil {
			continue
		}
		held, err := testLock(f)
		f.Close()
		if err != nil || held == lockFree {
			continue
		}
		if filepath.Base(p) == lockName {
			if held == lockHeldShared {
				shards++ // the shard locks describe them
			} else if b, _ := os.ReadFile(p); len(b) > 0 {
				who = append(who, strings.TrimSpace(string(b)))
			} else {
				who = append(who, "a whole-folder writer")
			}
			continue
		}
		if b, _ := os.ReadFile(p); len(b) > 0 {
			who = append(who, strings.TrimSpace(string(b)))
		}
	}
	if len(who) == 0 && shards > 0 {
		return "shards"
	}
	return strings.Join(who, "; ")
}
