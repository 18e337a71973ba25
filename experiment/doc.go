// Package experiment holds the experiment kinds a sweep runs, behind one interface, Kind: its
// tables, one run of a point, its row schemas and the measurements a summary describes. The
// engine (pipeline, aggregate, figure, the commands) knows an experiment only through Kind.
//
//   - Unit, the single-unit E/I balance experiment (docs/MODEL.md §1–§7): inputs, simulation,
//     f-I threshold and gain shared through a cache, balance coefficients; tables runs/, fi/,
//     traces/.
//   - Network, the recurrent Up-state network (docs/MODEL.md §8): connectivity, one trial, its
//     Up states and rates; tables runs/, unit_rates/, psth/, raster/.
//
// It also estimates a sweep's cost (Calibrate). It computes; package pipeline schedules runs and
// package store keeps their rows.
package experiment
