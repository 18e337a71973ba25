//go:build amd64 && !purego

#include "textflag.h"

// poissonState's layout (input.go).
#define ST_HI 0
#define ST_LO 8
#define ST_POS 16
#define ST_N 24
#define ST_END 32
#define ST_LAMBDA 40
#define ST_ENDF 48

// func fillRun(st *poissonState, dst []int64) (k int, u uint64, rejected bool)
//
// fillGo's loop, instruction for instruction of its arithmetic: the PCG-DXSM step (pcg.next),
// the ziggurat's fast path (expDraw.next), skip and the division by the source count. Registers:
// R8, R9 the generator's state (hi, lo); R10 pos; R11 n; R12 end; SI the next element of dst,
// DI its end; X0 λ, X1 float64(end); BX the last draw u; AX, CX, DX, R13, X2 scratch.
TEXT ·fillRun(SB), NOSPLIT, $0-49
	MOVQ st+0(FP), R13
	MOVQ ST_HI(R13), R8
	MOVQ ST_LO(R13), R9
	MOVQ ST_POS(R13), R10
	MOVQ ST_N(R13), R11
	MOVQ ST_END(R13), R12
	MOVSD ST_LAMBDA(R13), X0
	MOVSD ST_ENDF(R13), X1
	MOVQ dst_base+8(FP), SI
	MOVQ dst_len+16(FP), DI
	LEAQ (SI)(DI*8), DI
	XORL BX, BX

loop:
	CMPQ SI, DI
	JAE  done

	// state = state·mul + inc (mod 2¹²⁸)
	MOVQ  R9, AX
	MOVQ  $0x4385df649fccf645, CX // mulLo
	MULQ  CX                      // DX:AX = lo·mulLo
	IMULQ CX, R8                  // hi·mulLo
	MOVQ  $0x2360ed051fc65da4, CX // mulHi
	IMULQ R9, CX                  // lo·mulHi
	ADDQ  CX, R8
	ADDQ  DX, R8
	MOVQ  $0x14057b7ef767814f, CX // incLo
	ADDQ  CX, AX
	MOVQ  $0x5851f42d4c957f2d, CX // incHi
	ADCQ  CX, R8
	MOVQ  AX, R9

	// u = DXSM(hi, lo)
	MOVQ  R8, BX
	SHRQ  $32, BX
	XORQ  R8, BX
	MOVQ  $0xda942042e4dd58b5, CX
	IMULQ CX, BX
	MOVQ  BX, CX
	SHRQ  $48, CX
	XORQ  CX, BX
	ORQ   $1, AX
	IMULQ AX, BX

	// layer l = uint8(u>>32), position j = uint32(u); j ≥ expK[l] is a rejection
	MOVQ    BX, CX
	SHRQ    $32, CX
	MOVBQZX CL, CX
	LEAQ    ·expK(SB), R13
	MOVL    (R13)(CX*4), R13
	MOVL    BX, AX
	CMPL    AX, R13
	JAE     rejected

	// q = float64(j)·expW[l] / λ
	CVTSQ2SD AX, X2
	LEAQ     ·expW(SB), R13
	MULSD    (R13)(CX*8), X2
	DIVSD    X0, X2

	// skip: pos += int64(q) + 1 if q < end, else pos += end + 1
	UCOMISD X2, X1
	JBE     past
	CVTTSD2SQ X2, CX
	LEAQ    1(R10)(CX*1), R10
	CMPQ    R10, R12
	JGE     done

	// *dst = pos / n
	MOVQ  R10, AX
	CQO
	IDIVQ R11
	MOVQ  AX, (SI)
	ADDQ  $8, SI
	JMP   loop

past:
	LEAQ 1(R10)(R12*1), R10

done:
	MOVB $0, rejected+48(FP)
	JMP  store

rejected:
	MOVB $1, rejected+48(FP)

store:
	MOVQ BX, u+40(FP)
	MOVQ st+0(FP), R13
	MOVQ R8, ST_HI(R13)
	MOVQ R9, ST_LO(R13)
	MOVQ R10, ST_POS(R13)
	MOVQ dst_base+8(FP), AX
	SUBQ AX, SI
	SHRQ $3, SI
	MOVQ SI, k+32(FP)
	RET
