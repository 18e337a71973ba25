//go:build amd64 && !purego

#include "textflag.h"

// lockKern's layout (batch_amd64.go; TestLockKernLayout). Unit E is 0, I is 1.
#define E_V 0
#define E_IA 32
#define E_SE 64
#define E_UE 96
#define E_SI 128
#define E_UI 160
#define E_LAST 384
#define E_REF 448
#define E_C 512
#define I_V 192
#define I_IA 224
#define I_SE 256
#define I_UE 288
#define I_SI 320
#define I_UI 352
#define I_LAST 416
#define I_REF 480
#define I_C 896
#define C_AADAPT 0
#define C_ASE 32
#define C_ASI 64
#define C_AUE 96
#define C_AUI 128
#define C_DT 160
#define C_GL 192
#define C_EL 224
#define C_CM 256
#define C_VTH 288
#define C_INCEXC 320
#define C_INCINH 352
#define Q_EE 1280
#define Q_EI 1312
#define Q_IE 1344
#define Q_II 1376
#define CNT_E 1408
#define CNT_I 1440
#define B_ONE 1472
#define B_MINUS 1504
#define K_FIRSTE 1536
#define K_FIRSTI 1544
#define K_MORE 1552
#define K_N0 1560
#define K_ALIVE 1568
#define K_NEXT 1576
#define K_SPIKE_E 1584
#define K_SPIKE_I 1592
#define K_MOREE 1600
#define K_MOREI 1608

// UNIT is one unit's step (Experiment.Run's, for four lanes) with its state in V..UI: the
// Euler update of v where not refractory, the threshold (the spiking lanes' bits to SPK), the
// decay of i_adapt and the synaptic pairs. Y15 holds the step n in every lane; Y12–Y14 are
// scratch. Each vector operation rounds as Experiment.Run's scalar one does; none is fused:
// refractory = ref > n − last; cand = v + (dt·((g_L·(E_L − v) + s_E) − (i_adapt + s_I)))/C_m;
// spikes = cand ≥ v_thresh (ordered) and not refractory; v = refractory ? v : cand; then
// i_adapt += a_adapt·i_adapt, s_E += a_sE·(u_E − s_E), s_I likewise, u_E += a_uE·u_E, u_I
// likewise (each x + y written y + x where the reference has it so: addition commutes exactly).
// CB is the unit's constants' offset in lockKern.
#define UNIT(V, IA, SE, UE, SI, UI, CB, LAST, REF, SPK) \
	VPSUBQ    LAST(DI), Y15, Y14; \
	VMOVDQU   REF(DI), Y13; \
	VPCMPGTQ  Y14, Y13, Y14; \
	VMOVUPD   (CB+C_EL)(DI), Y12; \
	VSUBPD    V, Y12, Y12; \
	VMULPD    (CB+C_GL)(DI), Y12, Y12; \
	VADDPD    SE, Y12, Y12; \
	VADDPD    SI, IA, Y13; \
	VSUBPD    Y13, Y12, Y12; \
	VMULPD    (CB+C_DT)(DI), Y12, Y12; \
	VDIVPD    (CB+C_CM)(DI), Y12, Y12; \
	VADDPD    Y12, V, Y12; \
	VCMPPD    $0x1d, (CB+C_VTH)(DI), Y12, Y13; \
	VPANDN    Y13, Y14, Y13; \
	VMOVMSKPD Y13, AX; \
	MOVQ      AX, SPK(DI); \
	VBLENDVPD Y14, V, Y12, V; \
	VMULPD    (CB+C_AADAPT)(DI), IA, Y12; \
	VADDPD    IA, Y12, IA; \
	VSUBPD    SE, UE, Y12; \
	VMULPD    (CB+C_ASE)(DI), Y12, Y12; \
	VADDPD    SE, Y12, SE; \
	VSUBPD    SI, UI, Y12; \
	VMULPD    (CB+C_ASI)(DI), Y12, Y12; \
	VADDPD    SI, Y12, SI; \
	VMULPD    (CB+C_AUE)(DI), UE, Y12; \
	VADDPD    UE, Y12, UE; \
	VMULPD    (CB+C_AUI)(DI), UI, Y12; \
	VADDPD    UI, Y12, UI

// func lockSteps(k *lockKern, n, n1 int64) int64
//
// Registers: Y0–Y5 the E unit's v, i_adapt, s_E, u_E, s_I, u_I; Y6–Y11 the I unit's; Y15 the
// step; CX the step, DX n1, DI k, R8 firstE, R9 firstI, R10 more, R11 n0, R12 moreE,
// R13 moreI, SI laneFlags; AX, BX scratch.
TEXT ·lockSteps(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ n1+16(FP), DX
	MOVQ K_FIRSTE(DI), R8
	MOVQ K_FIRSTI(DI), R9
	MOVQ K_MORE(DI), R10
	MOVQ K_N0(DI), R11
	MOVQ K_MOREE(DI), R12
	MOVQ K_MOREI(DI), R13
	LEAQ ·laneFlags(SB), SI
	VMOVUPD E_V(DI), Y0
	VMOVUPD E_IA(DI), Y1
	VMOVUPD E_SE(DI), Y2
	VMOVUPD E_UE(DI), Y3
	VMOVUPD E_SI(DI), Y4
	VMOVUPD E_UI(DI), Y5
	VMOVUPD I_V(DI), Y6
	VMOVUPD I_IA(DI), Y7
	VMOVUPD I_SE(DI), Y8
	VMOVUPD I_UE(DI), Y9
	VMOVUPD I_SI(DI), Y10
	VMOVUPD I_UI(DI), Y11
	CMPQ CX, DX
	JGE  done

loop:
	// Σ s, before the update
	VADDPD Q_EE(DI), Y2, Y12
	VMOVUPD Y12, Q_EE(DI)
	VADDPD Q_EI(DI), Y4, Y12
	VMOVUPD Y12, Q_EI(DI)
	VADDPD Q_IE(DI), Y8, Y12
	VMOVUPD Y12, Q_IE(DI)
	VADDPD Q_II(DI), Y10, Y12
	VMOVUPD Y12, Q_II(DI)

	MOVQ         CX, X15
	VPBROADCASTQ X15, Y15
	UNIT(Y0, Y1, Y2, Y3, Y4, Y5, E_C, E_LAST, E_REF, K_SPIKE_E)
	UNIT(Y6, Y7, Y8, Y9, Y10, Y11, I_C, I_LAST, I_REF, K_SPIKE_I)

	// each lane's first input spike of the step: the weight times 1 or 0 (adding 0 leaves u as
	// it is; no u is −0)
	MOVQ    CX, AX
	SUBQ    R11, AX
	MOVBQZX (R8)(AX*1), BX
	SHLQ    $5, BX
	VMOVUPD (SI)(BX*1), Y12
	VMULPD  (E_C+C_INCEXC)(DI), Y12, Y13
	VADDPD  Y13, Y3, Y3
	VMULPD  (I_C+C_INCEXC)(DI), Y12, Y13
	VADDPD  Y13, Y9, Y9
	VADDPD  CNT_E(DI), Y12, Y13
	VMOVUPD Y13, CNT_E(DI)
	MOVBQZX (R9)(AX*1), BX
	SHLQ    $5, BX
	VMOVUPD (SI)(BX*1), Y12
	VMULPD  (E_C+C_INCINH)(DI), Y12, Y13
	VADDPD  Y13, Y5, Y5
	VMULPD  (I_C+C_INCINH)(DI), Y12, Y13
	VADDPD  Y13, Y11, Y11
	VADDPD  CNT_I(DI), Y12, Y13
	VMOVUPD Y13, CNT_I(DI)

	// the lanes' other input spikes of the step, if any, one at a time as Experiment.Run adds
	// them: while some lane has a count left, its weight times 1 or 0 again
	MOVBQZX (R10)(AX*1), BX
	TESTQ   BX, BX
	JZ      events
	SHLQ    $4, AX // j·16: the step's four counts
	// (Y12 counts, Y13 the lanes with one left, Y14 their 1s, Y15 zero; SI's row 15 is all 1)
	VPMOVSXDQ (R12)(AX*1), Y12
	MOVQ      $0, (R12)(AX*1)
	MOVQ      $0, 8(R12)(AX*1)
	VPXOR     Y15, Y15, Y15
moreE:
	VPCMPGTQ  Y15, Y12, Y13
	VPTEST    Y13, Y13
	JZ        moreE_done
	VPADDQ    Y13, Y12, Y12
	VANDPD    480(SI), Y13, Y14
	VMULPD    (E_C+C_INCEXC)(DI), Y14, Y13
	VADDPD    Y13, Y3, Y3
	VMULPD    (I_C+C_INCEXC)(DI), Y14, Y13
	VADDPD    Y13, Y9, Y9
	VADDPD    CNT_E(DI), Y14, Y13
	VMOVUPD   Y13, CNT_E(DI)
	JMP       moreE
moreE_done:
	VPMOVSXDQ (R13)(AX*1), Y12
	MOVQ      $0, (R13)(AX*1)
	MOVQ      $0, 8(R13)(AX*1)
	VPXOR     Y15, Y15, Y15
moreI:
	VPCMPGTQ  Y15, Y12, Y13
	VPTEST    Y13, Y13
	JZ        moreI_done
	VPADDQ    Y13, Y12, Y12
	VANDPD    480(SI), Y13, Y14
	VMULPD    (E_C+C_INCINH)(DI), Y14, Y13
	VADDPD    Y13, Y5, Y5
	VMULPD    (I_C+C_INCINH)(DI), Y14, Y13
	VADDPD    Y13, Y11, Y11
	VADDPD    CNT_I(DI), Y14, Y13
	VMOVUPD   Y13, CNT_I(DI)
	JMP       moreI
moreI_done:

events:
	// events: a spike of a lane alive, the failing step
	MOVQ    K_SPIKE_E(DI), AX
	ORQ     K_SPIKE_I(DI), AX
	ANDQ    K_ALIVE(DI), AX
	JNZ     done
	CMPQ    CX, K_NEXT(DI)
	JEQ     done

	// runaway: |v| ≤ RunawayVolt in every lane alive, as ordered comparisons (NaN fails)
	VCMPPD    $0x12, B_ONE(DI), Y0, Y12
	VCMPPD    $0x1d, B_MINUS(DI), Y0, Y13
	VANDPD    Y13, Y12, Y12
	VCMPPD    $0x12, B_ONE(DI), Y6, Y13
	VANDPD    Y13, Y12, Y12
	VCMPPD    $0x1d, B_MINUS(DI), Y6, Y13
	VANDPD    Y13, Y12, Y12
	VMOVMSKPD Y12, AX
	NOTQ      AX
	ANDQ      K_ALIVE(DI), AX
	JNZ       done

	INCQ CX
	CMPQ CX, DX
	JLT  loop

done:
	VMOVUPD Y0, E_V(DI)
	VMOVUPD Y1, E_IA(DI)
	VMOVUPD Y2, E_SE(DI)
	VMOVUPD Y3, E_UE(DI)
	VMOVUPD Y4, E_SI(DI)
	VMOVUPD Y5, E_UI(DI)
	VMOVUPD Y6, I_V(DI)
	VMOVUPD Y7, I_IA(DI)
	VMOVUPD Y8, I_SE(DI)
	VMOVUPD Y9, I_UE(DI)
	VMOVUPD Y10, I_SI(DI)
	VMOVUPD Y11, I_UI(DI)
	VZEROUPPER
	MOVQ CX, ret+24(FP)
	RET
