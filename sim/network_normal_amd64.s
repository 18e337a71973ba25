//go:build amd64 && !purego

#include "textflag.h"

// One xoshiro256++ step of the 8 lanes: states in Z0..Z3, the output in Z4; Z5 clobbered.
#define XOSHIRO8 \
	VPADDQ Z0, Z3, Z4; \
	VPROLQ $23, Z4, Z4; \
	VPADDQ Z0, Z4, Z4; \
	VPSLLQ $17, Z1, Z5; \
	VPXORQ Z0, Z2, Z2; \
	VPXORQ Z1, Z3, Z3; \
	VPXORQ Z2, Z1, Z1; \
	VPXORQ Z3, Z0, Z0; \
	VPXORQ Z5, Z2, Z2; \
	VPROLQ $45, Z3, Z3

// func zigFill8(st *[32]uint64, dst *float64, nblk int, w *float64, k *int64, rbuf *uint64, mbuf *uint8)
//
// For each block of 8: r = xoshiro256++ (8 lanes); i = r&1023; j = int64(r)>>11;
// dst = float64(j)*w[i]; mbuf = bitmask of the lanes with |j| < k[i] (accepted);
// the rejected lanes' words go to rbuf (the accepted lanes' rbuf is left as it was).
TEXT ·zigFill8(SB), NOSPLIT, $0-56
	MOVQ st+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ nblk+16(FP), CX
	MOVQ w+24(FP), R8
	MOVQ k+32(FP), R9
	MOVQ rbuf+40(FP), R10
	MOVQ mbuf+48(FP), R11
	VMOVDQU64 0(AX), Z0
	VMOVDQU64 64(AX), Z1
	VMOVDQU64 128(AX), Z2
	VMOVDQU64 192(AX), Z3
	MOVQ $1023, DX
	VPBROADCASTQ DX, Z10
	TESTQ CX, CX
	JZ zdone

zloop:
	XOSHIRO8
	VPANDQ Z10, Z4, Z6
	KXNORB K1, K1, K1
	VGATHERQPD (R8)(Z6*8), K1, Z7
	KXNORB K2, K2, K2
	VPGATHERQQ (R9)(Z6*8), K2, Z8
	VPSRAQ $11, Z4, Z9
	VCVTQQ2PD Z9, Z11
	VMULPD Z7, Z11, Z11
	VPABSQ Z9, Z12
	VPCMPQ $1, Z8, Z12, K3
	VMOVUPD Z11, (DI)
	KNOTB K3, K4
	VMOVDQU64 Z4, K4, (R10)
	KMOVB K3, (R11)
	ADDQ $64, DI
	ADDQ $64, R10
	INCQ R11
	DECQ CX
	JNZ zloop

zdone:
	VMOVDQU64 Z0, 0(AX)
	VMOVDQU64 Z1, 64(AX)
	VMOVDQU64 Z2, 128(AX)
	VMOVDQU64 Z3, 192(AX)
	VZEROUPPER
	RET

// func laneFill8(st *[32]uint64, dst *uint64, nblk int)
TEXT ·laneFill8(SB), NOSPLIT, $0-24
	MOVQ st+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ nblk+16(FP), CX
	VMOVDQU64 0(AX), Z0
	VMOVDQU64 64(AX), Z1
	VMOVDQU64 128(AX), Z2
	VMOVDQU64 192(AX), Z3
	TESTQ CX, CX
	JZ ldone

lloop:
	XOSHIRO8
	VMOVDQU64 Z4, (DI)
	ADDQ $64, DI
	DECQ CX
	JNZ lloop

ldone:
	VMOVDQU64 Z0, 0(AX)
	VMOVDQU64 Z1, 64(AX)
	VMOVDQU64 Z2, 128(AX)
	VMOVDQU64 Z3, 192(AX)
	VZEROUPPER
	RET
