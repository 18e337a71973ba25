// Package report turns results into text for people: what a folder of runs of one point
// measured beside the seed notebook's and Brian2's numbers, and numbers formatted as the seed
// notebook prints them. The CLI and the figures both use it.
package report
