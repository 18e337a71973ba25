// Package pipeline runs work: [Execute] is the one runner every command uses (a producer,
// a bounded pool of workers and a writer in one errgroup sharing its context, so that the first
// error or a signal stops everything and finished results are still written), with one
// [Progress] reporter. [Run] runs a sweep's runs into its output folder through package store;
// [ReadStatus] and [DryRun] read a folder without changing it.
package pipeline
