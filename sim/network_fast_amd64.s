//go:build amd64 && !purego

#include "textflag.h"

// Constant block layout (see netConst in network_fast.go).
#define C_A3 0
#define C_A4 8
#define C_A5 16
#define C_A6 24
#define C_A7 32
#define C_CM 40
#define C_NCM 48
#define C_YCM 56
#define C_NYCM 64
#define C_SQ 72
#define C_NYSQ 80
#define C_GL 88
#define C_EL 96
#define C_DT 104
#define C_SQDT 112
#define C_SIGMA 120
#define C_THR 128
#define C_VRES 136
#define C_JUMP 144
#define C_TINY 152
#define C_ABS 160
#define C_REF 168
#define C_FLAGS 176
#define C_RUN 184
#define C_ACCE 192
#define C_ACCI 256
#define C_BAD 320
#define C_END 328
#define C_FROZEN 336

// Flag bits of C_FLAGS.
#define F_IA 1
#define F_NOISE 2
#define F_KICKED 4
#define F_ACC 8
#define F_CHECK 16


// The update of one synaptic pair (s, u) in s, u, with the decay constants
// as (of s) and au (of u): s' = as*(u - s) + s into ns, u' = au*u + u into nu,
// both stored to (ps)(BX*1) and (pu)(BX*1).
#define PAIR(s, u, as, au, ns, nu, ps, pu) \
	VSUBPD s, u, ns; \
	VMULPD as, ns, ns; \
	VADDPD s, ns, ns; \
	VMOVUPD ns, (ps)(BX*1); \
	VMULPD au, u, nu; \
	VADDPD u, nu, nu; \
	VMOVUPD nu, (pu)(BX*1)

// With F_CHECK: the lanes whose pair did not change (bitwise) and were not
// recorded (K6) become fixed points: their s, u and RN(s/cm) (a true division)
// are stored into the record block at off(CX); any frozen lane sets c.frozen.
// Clobbers K4, K7 and q.
#define NEWFIX(s, u, ns, nu, off, q, label) \
	VPCMPEQQ ns, s, K7; \
	VPCMPEQQ nu, u, K7, K7; \
	KANDNB K7, K6, K7; \
	KORB K6, K7, K4; \
	KORTESTB K4, K4; \
	JZ label; \
	MOVB $1, C_FROZEN(AX); \
	KORTESTB K7, K7; \
	JZ label; \
	VMOVDQU64 s, K7, off(CX); \
	VMOVDQU64 u, K7, off+64(CX); \
	VDIVPD Z21, s, q; \
	VMOVUPD q, K7, off+128(CX); \
label:

// The divisions of netGroups: a/b correctly rounded in three operations, with y = RN(1/b):
// nq0 = a*(-y); r = nq0*b + a (exact); -q = r*(-y) + nq0, valid when |b*y - 1| <= 2^-54
// (divExactOK) for 2^-960 <= |a| <= 2^900 and a = ±0. The negated quotient is subtracted
// (x - (-q) is x + q exactly, signed zeros included). No register copy: r overwrites a.

// dst = src + a/cm (cm in Z21, -RN(1/cm) in Z24); a and t clobbered.
#define ADDDIVCM3(a, t, src, dst) \
	VMULPD Z24, a, t; \
	VFMADD231PD Z21, t, a; \
	VFMADD231PD Z24, a, t; \
	VSUBPD t, src, dst

// q = a/cm (RN(1/cm) in Z23, -cm in Z22); a clobbered.
#define DIVGLV3(a, q) \
	VMULPD Z23, a, q; \
	VFMADD231PD Z22, q, a; \
	VFMADD231PD Z23, a, q

// acc += a/sqrtTau (sqrtTau in Z25, -RN(1/sqrtTau) in Z26); a and t clobbered.
#define ADDDIVSQ3(a, t, acc) \
	VMULPD Z26, a, t; \
	VFMADD231PD Z25, t, a; \
	VFMADD231PD Z26, a, t; \
	VSUBPD t, acc, acc

// The same with vdivpd (netGroupsDiv, for divisors that fail divExactOK).
#define ADDDIVCMD(a, t, src, dst) \
	VDIVPD Z21, a, t; \
	VADDPD t, src, dst

#define DIVGLVD(a, q) \
	VDIVPD Z21, a, q

#define ADDDIVSQD(a, t, acc) \
	VDIVPD Z25, a, t; \
	VADDPD t, acc, acc

// func netGroups(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64)
//
// cnt groups of 8 units. No fused multiply-add except in the exact 3-operation
// divisions (netGroupsDiv: vdivpd). mbuf[g] = the group's spike bitmask, or 0x100 if the guard failed
// (nothing of the group is stored except the accumulators; the caller runs the
// scalar reference on it). c.bad = OR over the groups of the runaway masks
// (non-refractory, not spiking, !(|v'| <= run)). With F_ACC, s_E and s_I
// before the update are added lane by lane to c.accE and c.accI (8 lanes each;
// also for groups whose guard fails).
//
// With F_CHECK, the synaptic pairs (s_E, u_E) and (s_I, u_I) are compared with
// their fixed-point records (rec: per group, 8 words each of s_E, u_E, s_E/cm,
// s_I, u_I, s_I/cm; 384 bytes). A group whose 8 pairs all sit at their recorded
// fixed points skips their update (an Euler step leaves them unchanged, bit for
// bit) and takes s/cm from the record: the same numbers, without arithmetic on
// the subnormal values that such pairs hold (each such instruction would cost a
// microcode assist of some hundred cycles). Pairs that reach a fixed point are
// recorded. c.frozen is set if any pair of the call is at a fixed point.
//
// Registers: Z15 = n, Z17..Z31 constants, Z14/Z16 accumulators, K5 runaway mask,
// CX the record block of the group.
TEXT ·netGroups(SB), NOSPLIT, $0-120
#define UNLESS_ACC(l) TESTQ $F_ACC, C_FLAGS(AX); JZ l
#define UNLESS_IA(l) TESTQ $F_IA, C_FLAGS(AX); JZ l
#define UNLESS_NOISE(l) TESTQ $F_NOISE, C_FLAGS(AX); JZ l
#define ADDDIVCM ADDDIVCM3
#define DIVGLV DIVGLV3
#define ADDDIVSQ ADDDIVSQ3
#include "network_fast_amd64.h"
#undef UNLESS_ACC
#undef UNLESS_IA
#undef UNLESS_NOISE
#undef ADDDIVCM
#undef DIVGLV
#undef ADDDIVSQ

// func netGroupsDiv(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64)
//
// netGroups with true divisions (vdivpd), for populations whose divisors fail divExactOK.
TEXT ·netGroupsDiv(SB), NOSPLIT, $0-120
#define UNLESS_ACC(l) TESTQ $F_ACC, C_FLAGS(AX); JZ l
#define UNLESS_IA(l) TESTQ $F_IA, C_FLAGS(AX); JZ l
#define UNLESS_NOISE(l) TESTQ $F_NOISE, C_FLAGS(AX); JZ l
#define ADDDIVCM ADDDIVCMD
#define DIVGLV DIVGLVD
#define ADDDIVSQ ADDDIVSQD
#include "network_fast_amd64.h"
#undef UNLESS_ACC
#undef UNLESS_IA
#undef UNLESS_NOISE
#undef ADDDIVCM
#undef DIVGLV
#undef ADDDIVSQ

// func netGroupsFull(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64)
//
// netGroups for the common case, with F_ACC, F_IA and F_NOISE set (not tested in the loop).
TEXT ·netGroupsFull(SB), NOSPLIT, $0-120
#define UNLESS_ACC(l)
#define UNLESS_IA(l)
#define UNLESS_NOISE(l)
#define ADDDIVCM ADDDIVCM3
#define DIVGLV DIVGLV3
#define ADDDIVSQ ADDDIVSQ3
#include "network_fast_amd64.h"
#undef ADDDIVCM
#undef DIVGLV
#undef ADDDIVSQ
#undef UNLESS_ACC
#undef UNLESS_IA
#undef UNLESS_NOISE

// func netGroupsNoIA(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64)
//
// netGroups with F_ACC and F_NOISE set and F_IA clear (not tested in the loop): a population
// without adaptation.
TEXT ·netGroupsNoIA(SB), NOSPLIT, $0-120
#define UNLESS_ACC(l)
#define UNLESS_IA(l) JMP l
#define UNLESS_NOISE(l)
#define ADDDIVCM ADDDIVCM3
#define DIVGLV DIVGLV3
#define ADDDIVSQ ADDDIVSQ3
#include "network_fast_amd64.h"
#undef ADDDIVCM
#undef DIVGLV
#undef ADDDIVSQ
#undef UNLESS_ACC
#undef UNLESS_IA
#undef UNLESS_NOISE
