// Package design makes the points of space-filling sampling designs in the unit cube: pseudo-random
// (Random), Latin hypercube (LatinHypercube) and Sobol (Sobol) points. A sweep definition's
// [sample] table maps them onto parameter ranges; each design is deterministic from its seed.
//
// Random and Sobol designs are prefixes: the first n points of a design of m > n points are the
// design of n points, so a sweep extended from n to m points runs only the new ones. A Latin
// hypercube of n points stratifies each dimension into n intervals and is not a prefix of a
// larger one.
package design
