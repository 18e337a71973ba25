// Package solve finds, per grid cell, the weight of each unit that holds it at its set point
// (common random numbers, bracketing and ITP, a bootstrap interval), checkpointing cells in the
// folder's solved/ table through the shared runner, and writes solved.parquet with the balance
// models' leave-one-out predictions.
package solve
