package store

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Open-file-description locks (F_OFD_SETLK): like flock(2) they belong to the open file and are
// released when it closes or the process dies, and unlike flock they can be tested without being
// taken (F_OFD_GETLK), so that `eisweep status` never gets in a starting writer's way.

type lockState int

const (
	lockFree lockState = iota
	lockHeldShared
	lockHeldExclusive
)

func setLock(f *os.File, kind lockKind) error {
	lk := unix.Flock_t{Type: unix.F_RDLCK, Whence: io.SeekStart}
	if kind == lockExclusive {
		lk.Type = unix.F_WRLCK
	}
	return lockErr(unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk))
}

func unlock(f *os.File) {
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: io.SeekStart}
	unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
}

// testLock reports whether another open file holds a lock on f's file, without taking one.
func testLock(f *os.File) (lockState, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: io.SeekStart}
	if err := lockErr(unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk)); err != nil {
		return lockFree, err
	}
	switch lk.Type {
	case unix.F_RDLCK:
		return lockHeldShared, nil
	case unix.F_WRLCK:
		return lockHeldExclusive, nil
	}
	return lockFree, nil
}

// lockErrHook, when set by a test, replaces the result of every lock call: a way to see what a
// user on a file system without locks sees.
var lockErrHook func() error

func lockErr(err error) error {
	if lockErrHook != nil {
		err = lockErrHook()
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EACCES):
		return ErrLocked
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOLCK), errors.Is(err, unix.EINVAL):
		return fmt.Errorf("%w (%w)", ErrNoLocks, err)
	}
	return err
}
