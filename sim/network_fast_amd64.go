//go:build amd64 && !purego

package sim

import "golang.org/x/sys/cpu"

// haveAVX512 reports whether the CPU and the OS support the AVX-512 subsets the network's
// assembly uses: F and DQ, and BW and VL, which every AVX-512 CPU since Skylake-SP has. x/sys/cpu
// clears these flags when the OS does not save the opmask and ZMM state.
var haveAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL

// netGroups is the update kernel (network_fast_amd64.s).
//
//go:noescape
func netGroups(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64)

// netGroupsDiv is netGroups with true divisions (vdivpd), for divisors that fail divExactOK.
//
//go:noescape
func netGroupsDiv(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64)

// netGroupsFull is netGroups with F_ACC, F_IA and F_NOISE set, which it does not test.
//
//go:noescape
func netGroupsFull(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64)

// netGroupsNoIA is netGroups with F_ACC and F_NOISE set and F_IA clear, which it does not test.
//
//go:noescape
func netGroupsNoIA(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64)
