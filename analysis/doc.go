// Package analysis turns what a run measured into what it means: the f-I threshold and gain of
// a unit (MODEL.md §5) and, from charges and rates, the quantities of E/I balance (MODEL.md §6).
// It is pure computation with no files, flags or goroutines; equations are in the doc comments.
package analysis
