package sim

// noiseAhead draws a run's noise on a second goroutine, in chunks of steps ahead of the steps
// that use them (NetworkScratch.NoiseAhead). The stream is the one Run draws itself: fill hands
// out the same numbers however its calls split them, so a chunk of k steps is those steps'
// numbers in order. The chunks circulate between the two goroutines through two channels, each
// with room for every chunk, so that neither ever blocks on a send.
type noiseAhead struct {
	n, per int // numbers per step, steps per chunk
	bufs   [aheadChunks][]float64
	full   chan int      // chunks drawn, in order
	free   chan int      // chunks the run has used
	quit   chan struct{} // the run asks the producer to stop
	done   chan struct{} // the producer has stopped
	cur    int           // the chunk of the current step, or −1
}

// aheadChunks is the number of chunks in circulation; aheadNumbers the numbers in a chunk
// (at least one step's): 3 × 512 kB, which stay in the last-level cache between the cores.
const (
	aheadChunks  = 3
	aheadNumbers = 1 << 16
)

// start sizes a for steps of n numbers and starts the producer on g, which it then owns until
// stop returns.
func (a *noiseAhead) start(g *normalGen, n int, steps int64) {
	a.n, a.per = n, max(1, aheadNumbers/n)
	for i := range a.bufs {
		grow(&a.bufs[i], a.per*n)
	}
	if a.full == nil {
		a.full, a.free = make(chan int, aheadChunks), make(chan int, aheadChunks)
		a.quit, a.done = make(chan struct{}, 1), make(chan struct{}, 1)
	}
	for len(a.full) > 0 {
		<-a.full
	}
	for len(a.free) > 0 {
		<-a.free
	}
	for i := range aheadChunks {
		a.free <- i
	}
	a.cur = -1
	go a.produce(g, steps)
}

// produce draws the chunks of steps steps, then signals done.
func (a *noiseAhead) produce(g *normalGen, steps int64) {
	defer func() { a.done <- struct{}{} }()
	for first := int64(0); first < steps; first += int64(a.per) {
		var i int
		select {
		case <-a.quit:
			return
		case i = <-a.free:
		}
		k := int(min(int64(a.per), steps-first))
		g.fill(a.bufs[i][:k*a.n])
		a.full <- i
	}
	<-a.quit
}

// step returns the numbers of step n; the steps must be asked for in order from 0.
func (a *noiseAhead) step(n int64) []float64 {
	k := int(n % int64(a.per))
	if k == 0 {
		if a.cur >= 0 {
			a.free <- a.cur
		}
		a.cur = <-a.full
	}
	return a.bufs[a.cur][k*a.n : (k+1)*a.n]
}

// stop stops the producer and waits for it.
func (a *noiseAhead) stop() {
	a.quit <- struct{}{}
	<-a.done
}
