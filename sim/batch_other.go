//go:build !amd64 || purego

package sim

// lockstep is empty where there is no lockstep path (run4 stays nil).
type lockstep struct{}
