package pipeline

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/eisweep/eisweep/sim"
)

// Work describes one invocation of the runner: tasks produced in order, done by a bounded pool
// of workers, their results written by one writer. Run and Solve (and each experiment that
// follows) are built on it.
type Work[T, R any] struct {
	Jobs  int         // concurrent workers (≥ 1)
	Tasks iter.Seq[T] // the tasks, in order; the producer stops early when the work is cancelled
	// Do does one task on worker w (0 ≤ w < Jobs); stop becomes true when the work is cancelled,
	// and long computations check it (sim.ErrStopped). ok false means there is nothing to write.
	Do func(w int, stop *atomic.Bool, t T) (r R, ok bool, err error)
	// Write takes one result; it is called from the writer goroutine only.
	Write func(r R) error
	// Flush writes what Write buffered: every FlushEvery, and at the end when every worker has
	// finished (also after a cancellation: finished results are never dropped).
	Flush      func() error
	FlushEvery time.Duration // ≤ 0 means 30 s
}

// Execute runs w: a producer, w.Jobs workers and a writer in one errgroup sharing its context,
// so that the first error anywhere (a worker's, the writer's, or ctx's cancellation) stops
// everything: the producer hands out nothing more, simulations in progress stop within a few
// thousand steps, and Execute returns that error (context.Cause of ctx for a cancellation). The
// writer drains and flushes what finished unless it is itself the one that failed.
func Execute[T, R any](ctx context.Context, w Work[T, R]) error {
	g, gctx := errgroup.WithContext(ctx)
	var stop atomic.Bool
	defer context.AfterFunc(gctx, func() { stop.Store(true) })()

	tasks := make(chan T, 2*w.Jobs)
	results := make(chan R, 4*w.Jobs)
	writerDone := make(chan struct{}) // closed when the writer returns
	g.Go(func() error {
		defer close(tasks)
		for t := range w.Tasks {
			select {
			case tasks <- t:
			case <-gctx.Done():
				return nil
			}
		}
		return nil
	})
	var workers sync.WaitGroup
	for k := range w.Jobs {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			for t := range tasks {
				if gctx.Err() != nil {
					return nil
				}
				r, ok, err := w.Do(k, &stop, t)
				if errors.Is(err, sim.ErrStopped) {
					return nil // the cause is reported by whoever cancelled
				}
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				// A finished result is written even when the work is being cancelled, unless
				// the writer is gone.
				select {
				case results <- r:
				case <-writerDone:
					return nil
				}
			}
			return nil
		})
	}
	go func() {
		workers.Wait()
		close(results)
	}()
	g.Go(func() error {
		defer close(writerDone)
		every := w.FlushEvery
		if every <= 0 {
			every = 30 * time.Second
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case r, ok := <-results:
				if !ok {
					return w.Flush()
				}
				if err := w.Write(r); err != nil {
					return err
				}
			case <-tick.C:
				if err := w.Flush(); err != nil {
					return err
				}
			}
		}
	})
	err := g.Wait()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		err = context.Cause(ctx) // the signal, not "context canceled"
	}
	return err
}
