// Package buildinfo tells which eisweep this is: the version the binary was built from, for
// provenance in every file eisweep writes and for `eisweep version`.
package buildinfo
