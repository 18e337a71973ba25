// Package sweep defines what a sweep runs: the registry of model parameters with units, defaults
// and bounds; physical quantities ("5 Hz", "3 nA*ms"); the TOML sweep definition; and each run's
// identity and seed.
//
// Values are held in SI units, computed as Brian2 computes them from the same text (number × unit
// scale, left to right), so a definition and a Brian2 script that say "7.6 mV" simulate the same
// double.
package sweep
