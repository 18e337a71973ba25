package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/sim"
)

// TestExecuteStopsOnWriterError: a writer that fails stops the producer and workers that are
// busy (they see the stop flag), and Execute returns the writer's error, promptly.
func TestExecuteStopsOnWriterError(t *testing.T) {
	boom := errors.New("disk full")
	var written atomic.Int64
	start := time.Now()
	err := Execute(context.Background(), Work[int, int]{
		Jobs: 2,
		Tasks: func(yield func(int) bool) {
			for i := 0; ; i++ {
				if !yield(i) {
					return
				}
			}
		},
		Do: func(_ int, stop *atomic.Bool, i int) (int, bool, error) {
			for range 1000 { // a long simulation that checks its stop flag
				if stop.Load() {
					return 0, false, sim.ErrStopped
				}
				time.Sleep(time.Millisecond)
			}
			return i, true, nil
		},
		Write: func(int) error {
			if written.Add(1) == 3 {
				return boom
			}
			return nil
		},
		Flush: func() error { return nil },
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the writer's", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("stopping took %v", el)
	}
}

// TestExecuteFlushesOnCancel: a cancelled context stops the work, its cause is returned, and
// every result that a worker finished is written and flushed.
func TestExecuteFlushesOnCancel(t *testing.T) {
	cause := errors.New("interrupted by test")
	ctx, cancel := context.WithCancelCause(context.Background())
	var done, written, flushed atomic.Int64
	err := Execute(ctx, Work[int, int]{
		Jobs: 3,
		Tasks: func(yield func(int) bool) {
			for i := range 1_000_000 {
				if !yield(i) {
					return
				}
			}
		},
		Do: func(_ int, _ *atomic.Bool, i int) (int, bool, error) {
			if done.Add(1) == 50 {
				cancel(cause)
			}
			return i, true, nil
		},
		Write: func(int) error { written.Add(1); return nil },
		Flush: func() error { flushed.Store(written.Load()); return nil },
	})
	if !errors.Is(err, cause) {
		t.Errorf("err = %v, want the cancellation's cause", err)
	}
	if flushed.Load() != written.Load() || written.Load() < 50 {
		t.Errorf("%d done, %d written, %d flushed at the end", done.Load(), written.Load(), flushed.Load())
	}
}

// TestRunStopsOnWriteError: a sweep whose runs/ folder is replaced by a file underneath it
// fails with the write error within seconds instead of hanging, and says what it wrote.
func TestRunStopsOnWriteError(t *testing.T) {
	dir := t.TempDir()
	d := testsweep.Small(t, "werr", 4000, `"sim.duration" = "1 s"`)
	go func() {
		time.Sleep(300 * time.Millisecond)
		runs := filepath.Join(dir, "runs")
		if err := os.Rename(runs, filepath.Join(t.TempDir(), "gone")); err != nil {
			t.Error(err)
		}
		os.WriteFile(runs, []byte("not a folder"), 0o644)
	}()
	start := time.Now()
	_, err := Run(context.Background(), d, Options{OutDir: dir, Jobs: 2, FlushRows: 20})
	if err == nil || !strings.Contains(err.Error(), "runs") {
		t.Errorf("err = %v, want a write error naming runs/", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v to stop", el)
	}
}
