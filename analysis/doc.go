// Package analysis turns what a run measured into what it means: the f-I threshold and gain of
// a unit (docs/MODEL.md §5) and, from charges and rates, the quantities of E/I balance (docs/MODEL.md §6);
// statistics over replicates, the crossings of a set point and the balance models fitted to them;
// and the root finding (bracketing and ITP) with which the solver finds the weight that holds a
// unit at its set point. It is pure computation with no files, flags or goroutines; equations
// are in the doc comments.
package analysis
