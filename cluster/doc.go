// Package cluster runs a sweep on a SLURM cluster as a job array: it writes the sbatch scripts
// (one array task per shard, chunked under the cluster's MaxArraySize, and a dependent job that
// compacts and aggregates the results once every task has ended) and can submit them.
package cluster
