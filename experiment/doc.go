// Package experiment is the single-unit E/I balance experiment as a sweep runs it: one run of a
// point (inputs, simulation, f-I threshold and gain shared through a cache, balance
// coefficients), its row schema (runs/, fi/, traces/), and estimates of a sweep's cost. It
// computes; package pipeline schedules runs and package store keeps their rows.
package experiment
