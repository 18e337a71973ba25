// Package sensitivity estimates how much each parameter of a sampled sweep moves an output:
// Sobol indices from a Saltelli design (first-order S1 by Saltelli et al. 2010, total-effect ST by
// Jansen 1999), with bootstrap 95 % intervals. It is pure computation: points in the unit cube
// in, indices out.
package sensitivity
