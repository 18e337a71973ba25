// The loop of the network's update kernel, included by network_fast_amd64.s once per variant:
// the division (ADDDIVCM, DIVGLV, ADDDIVSQ) and whether the flags F_ACC, F_IA and F_NOISE are
// tested (UNLESS_ACC, UNLESS_IA, UNLESS_NOISE jump to their label when the flag is clear) or known
// to be set; labels are local to each TEXT block. See the comment of netGroups there.

	// The arguments and the constants (every variant's frame is netGroups's).
	MOVQ c+0(FP), AX
	MOVQ cnt+16(FP), CX
	SHLQ $6, CX
	MOVQ CX, C_END(AX)
	MOVQ v+24(FP), DI
	MOVQ ia+32(FP), SI
	MOVQ se+40(FP), R8
	MOVQ ue+48(FP), R9
	MOVQ si+56(FP), R10
	MOVQ ui+64(FP), R11
	MOVQ last+72(FP), R12
	MOVQ z+80(FP), R13
	MOVQ sx+88(FP), R15
	MOVQ ux+96(FP), DX
	MOVQ mbuf+104(FP), R14
	MOVQ rec+112(FP), CX
	VPBROADCASTQ n+8(FP), Z15
	VMOVUPD C_ACCE(AX), Z14
	VMOVUPD C_ACCI(AX), Z16
	VBROADCASTSD C_A4(AX), Z17
	VBROADCASTSD C_A5(AX), Z18
	VBROADCASTSD C_A6(AX), Z19
	VBROADCASTSD C_A7(AX), Z20
	VBROADCASTSD C_CM(AX), Z21
	VBROADCASTSD C_NCM(AX), Z22
	VBROADCASTSD C_YCM(AX), Z23
	VBROADCASTSD C_NYCM(AX), Z24
	VBROADCASTSD C_SQ(AX), Z25
	VBROADCASTSD C_NYSQ(AX), Z26
	VBROADCASTSD C_GL(AX), Z27
	VBROADCASTSD C_EL(AX), Z28
	VBROADCASTSD C_DT(AX), Z29
	VBROADCASTSD C_SQDT(AX), Z30
	VBROADCASTSD C_SIGMA(AX), Z31

	KXORB K5, K5, K5
	XORQ BX, BX
	CMPQ BX, C_END(AX)
	JEQ done

loop:
	UNLESS_ACC(noacc)
	VADDPD (R8)(BX*1), Z14, Z14       // the sums' lanes
	VADDPD (R10)(BX*1), Z16, Z16

noacc:
	VMOVUPD (DI)(BX*1), Z0            // v
	VMOVDQU64 (R12)(BX*1), Z1         // last
	VPSUBQ Z1, Z15, Z2                // n - last
	VPCMPQ.BCST $5, C_REF(AX), Z2, K1 // notRef: n-last >= ref
	VPANDQ.BCST C_ABS(AX), Z0, Z3     // |v|
	VCMPPD.BCST $1, C_TINY(AX), Z3, K1, K2
	KORTESTB K2, K2
	JNZ bad

	// The E pair and A = eLglCm + sE/cm (into Z10).
	VMOVUPD (R8)(BX*1), Z4            // sE
	VMOVUPD (R9)(BX*1), Z5            // uE
	TESTQ $F_CHECK, C_FLAGS(AX)
	JNZ echeck                        // out of line, below
	PAIR(Z4, Z5, Z17, Z19, Z8, Z10, R8, R9)

ediv:
	ADDDIVCM(Z4, Z9, Z28, Z10)        // A = eLglCm + sE/cm

ekick:
	TESTQ $F_KICKED, C_FLAGS(AX)
	JZ nokick
	VMOVUPD (R15)(BX*1), Z2           // sX
	VMOVUPD (DX)(BX*1), Z3            // uX
	PAIR(Z2, Z3, Z17, Z19, Z8, Z9, R15, DX)
	ADDDIVCM(Z2, Z9, Z10, Z10)        // A += sX/cm

nokick:
	VMULPD Z27, Z0, Z11
	DIVGLV(Z11, Z13)                  // B = (gl*v)/cm
	UNLESS_IA(noia)
	VMOVUPD (SI)(BX*1), Z2            // iA
	VMULPD.BCST C_A3(AX), Z2, Z3
	VADDPD Z2, Z3, Z3                 // iA'
	ADDDIVCM(Z2, Z9, Z13, Z13)        // B += iA/cm

noia:
	// The I pair and B += sI/cm.
	VMOVUPD (R10)(BX*1), Z6           // sI
	VMOVUPD (R11)(BX*1), Z7           // uI
	TESTQ $F_CHECK, C_FLAGS(AX)
	JNZ icheck                        // out of line, below
	PAIR(Z6, Z7, Z18, Z20, Z8, Z12, R10, R11)

idiv:
	ADDDIVCM(Z6, Z9, Z13, Z13)        // B += sI/cm

iend:
	VSUBPD Z13, Z10, Z10              // A - B
	VMULPD Z29, Z10, Z10              // dt*(A-B)
	UNLESS_NOISE(nonoise)
	VMULPD (R13)(BX*1), Z30, Z11      // xi = sqdt*z
	VMULPD Z31, Z11, Z11              // sigma*xi
	ADDDIVSQ(Z11, Z9, Z10)            // + (sigma*xi)/sqrtTau

nonoise:
	VADDPD Z0, Z10, Z10               // v' = t + v
	VCMPPD.BCST $13, C_THR(AX), Z10, K1, K3 // spike = notRef && v' >= thr
	VMOVAPD Z10, K1, Z0
	VBROADCASTSD C_VRES(AX), K3, Z0
	VMOVUPD Z0, (DI)(BX*1)
	VPANDQ.BCST C_ABS(AX), Z10, Z11   // |v'|
	VCMPPD.BCST $0x16, C_RUN(AX), Z11, K1, K4 // notRef && !(|v'| <= run)
	KANDNB K4, K3, K4                 // ... && !spike
	KORB K4, K5, K5
	UNLESS_IA(noia2)
	VADDPD.BCST C_JUMP(AX), Z3, K3, Z3
	VMOVUPD Z3, (SI)(BX*1)

noia2:
	VMOVDQU64 Z15, K3, (R12)(BX*1)
	KMOVW K3, (R14)
	JMP next

bad:
	MOVW $0x100, (R14)

next:
	ADDQ $64, BX
	ADDQ $2, R14
	ADDQ $384, CX
	CMPQ BX, C_END(AX)
	JNE loop

done:
	VMOVUPD Z14, C_ACCE(AX)
	VMOVUPD Z16, C_ACCI(AX)
	KMOVB K5, C_BAD(AX)
	VZEROUPPER
	RET

	// The F_CHECK paths of the pairs, out of the straight line of the
	// common case.
echeck:
	VPCMPEQQ 0(CX), Z4, K6
	VPCMPEQQ 64(CX), Z5, K6, K6
	KORTESTB K6, K6
	JCS efrozen                       // all 8 pairs at their fixed points
	PAIR(Z4, Z5, Z17, Z19, Z8, Z10, R8, R9)
	NEWFIX(Z4, Z5, Z8, Z10, 0, Z12, efix)
	JMP ediv

efrozen:
	MOVB $1, C_FROZEN(AX)
	VADDPD 128(CX), Z28, Z10          // A = eLglCm + (sE/cm from the record)
	JMP ekick

icheck:
	VPCMPEQQ 192(CX), Z6, K6
	VPCMPEQQ 256(CX), Z7, K6, K6
	KORTESTB K6, K6
	JCS ifrozen
	PAIR(Z6, Z7, Z18, Z20, Z8, Z12, R10, R11)
	NEWFIX(Z6, Z7, Z8, Z12, 192, Z11, ifix)
	JMP idiv

ifrozen:
	MOVB $1, C_FROZEN(AX)
	VADDPD 320(CX), Z13, Z13          // B += (sI/cm from the record)
	JMP iend
