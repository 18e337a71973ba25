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

	partial atomic.Pointer[func() float64]

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

// SetPartial tells p how much of the items in progress is done (f returns a sum of fractions,
// e.g. 0.5 for one item half done), so that items of minutes (trainings) show progress and an ETA
// before the first one finishes. f is called from the reporting goroutine.
func (p *Progress) SetPartial(f func() float64) { p.partial.Store(&f) }

// rate formats rate items per second: "150 runs/s", or the time per item below one per second
// ("2.5 s/run", "4.1 min/run").
func (p *Progress) rate(rate float64) string {
	one := strings.TrimSuffix(p.unit, "s")
	switch {
	case rate >= 1 || rate <= 0:
		return fmt.Sprintf("%.0f %s/s", rate, p.unit)
	case 1/rate < 10:
		return fmt.Sprintf("%.1f s/%s", 1/rate, one)
	case 1/rate < 120:
		return fmt.Sprintf("%.0f s/%s", 1/rate, one)
	}
	return fmt.Sprintf("%.1f min/%s", 1/rate/60, one)
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
		fmt.Fprintf(p.w, "eisweep: %d %s done in %.1f s (%s)", done, p.unit, el, p.rate(rate))
		if skipped > 0 {
			fmt.Fprintf(p.w, ", %d already done before", skipped)
		}
		fmt.Fprintln(p.w)
		return
	}
	eff := float64(done) // items done, with the parts of those in progress
	if f := p.partial.Load(); f != nil {
		eff += max(0, (*f)())
		rate = eff / max(el, 1e-9)
	}
	left := max(0, float64(p.total-skipped)-eff)
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(left/rate) * time.Second).Round(time.Second).String()
	}
	frac := min(1, (eff+float64(skipped))/float64(p.total))
	if p.bar {
		const width = 30
		full := int(frac * width)
		fmt.Fprintf(p.w, "\r\x1b[K[%s%s] %5.1f%%  %d/%d %s  %s  ETA %s", strings.Repeat("#", full), strings.Repeat("-", width-full),
			100*frac, done+skipped, p.total, p.unit, p.rate(rate), eta)
		return
	}
	fmt.Fprintf(p.w, "eisweep: %d/%d %s (%.1f%%), %s, ETA %s\n", done+skipped, p.total, p.unit, 100*frac, p.rate(rate), eta)
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
