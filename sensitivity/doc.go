// Package sensitivity estimates how much each parameter of a sampled sweep moves an output:
// Sobol indices from a Saltelli design (first-order S1 by Saltelli et al. 2010, total-effect ST by
// Jansen 1999), and for any design standardized regression coefficients (SRC) and partial rank
// correlation coefficients (PRCC), all with bootstrap 95 % intervals. It is pure computation:
// points in, indices out.
package sensitivity
