package train

import (
	"math"
	"math/rand/v2"

	"github.com/eisweep/eisweep/sim"
)

// PaperMeans are the 2022 paper's initial mean weights ("goodCrossHomeoExamp"), μ per pathway in
// sim's order (EE, IE, EI, II): synapse means μ·500/(N·p) pA.
var PaperMeans = [4]float64{sim.EE: 80, sim.IE: 100, sim.EI: 350, sim.II: 225}

// PaperWeights draws the paper's initial weights for conn, a network of nUnits units connected
// with probability p: per synapse normal with mean PaperMeans[q]·500/(nUnits·p) pA and SD 20 % of
// the mean, negative draws set to 0, from seed's stream (PCG), pathway by pathway in synapse order.
func PaperWeights(conn *sim.Connectivity, nUnits int, p float64, seed uint64) [4][]float64 {
	r := rand.New(rand.NewPCG(seed, 0x5061706572)) // "Paper"
	var w [4][]float64
	for q := sim.EE; q <= sim.II; q++ {
		mu := PaperMeans[q] * 500 / (float64(nUnits) * p)
		w[q] = make([]float64, conn.Synapses(q))
		for k := range w[q] {
			w[q][k] = math.Max(0, mu+0.2*mu*r.NormFloat64())
		}
	}
	return w
}
