package pipeline

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress reports how far long work is, on stderr: on a terminal a bar redrawn in place with
// rate and ETA, otherwise a plain line every interval (for logs such as SLURM's). Run and Solve
// share it; what they count is named by Unit ("runs", "cells").
type Progress struct {
	Done    atomic.Int64 // items finished now
	Skipped atomic.Int64 // items done before (resume)

	w     io.Writer
	unit  string
	total int64
	start time.Time
	bar   bool
	stop  chan struct{}
	wg    sync.WaitGroup
}

// StartProgress starts reporting to w (nil: no reports) the progress of total items (an
// estimate is fine) every interval (≤ 0: 5 s, or 0.2 s on a terminal).
func StartProgress(w io.Writer, unit string, total int64, every time.Duration) *Progress {
	p := &Progress{w: w, unit: unit, total: total, start: time.Now(), bar: IsTerminal(w), stop: make(chan struct{})}
	if every <= 0 {
		every = 5 * time.Second
		if p.bar {
			every = 200 * time.Millisecond
		}
	}
	if w == nil {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.report(false)
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

// Stop stops the reports and prints the final line.
func (p *Progress) Stop() {
	close(p.stop)
	p.wg.Wait()
	p.report(true)
}

func (p *Progress) report(final bool) {
	if p.w == nil || p.total == 0 {
		return
	}
	done, skipped := p.Done.Load(), p.Skipped.Load()
	el := time.Since(p.start).Seconds()
	rate := float64(done) / max(el, 1e-9)
	if final {
		if p.bar {
			fmt.Fprint(p.w, "\r\x1b[K")
		}
		fmt.Fprintf(p.w, "eisweep: %d %s done in %.1f s (%.0f %s/s)", done, p.unit, el, rate, p.unit)
		if skipped > 0 {
			fmt.Fprintf(p.w, ", %d already done before", skipped)
		}
		fmt.Fprintln(p.w)
		return
	}
	left := max(0, p.total-done-skipped)
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(left)/rate) * time.Second).Round(time.Second).String()
	}
	frac := min(1, float64(done+skipped)/float64(p.total))
	if p.bar {
		const width = 30
		full := int(frac * width)
		fmt.Fprintf(p.w, "\r\x1b[K[%s%s] %5.1f%%  %d/%d %s  %.0f %s/s  ETA %s", strings.Repeat("#", full), strings.Repeat("-", width-full),
			100*frac, done+skipped, p.total, p.unit, rate, p.unit, eta)
		return
	}
	fmt.Fprintf(p.w, "eisweep: %d/%d %s (%.1f%%), %.0f %s/s, ETA %s\n", done+skipped, p.total, p.unit, 100*frac, rate, p.unit, eta)
}

// IsTerminal reports whether w is a terminal (a character device).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
