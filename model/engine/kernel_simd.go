//go:build goexperiment.simd && amd64

package engine

import "simd/archsimd"

// The SIMD paths of this CPU, best first: AVX-512 (F, CD, BW, DQ, VL) and AVX2 with FMA.
func init() {
	if archsimd.X86.AVX512() {
		simdKernels = append(simdKernels, simdKernel{"avx512", gemmAVX512F32, gemmAVX512F64, gemmPackedAVX512F32, gemmPackedAVX512F64, nrAVX512F32, nrAVX512F64})
	}
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		simdKernels = append(simdKernels, simdKernel{"avx2", gemmAVX2F32, gemmAVX2F64, gemmPackedAVX2F32, gemmPackedAVX2F64, nrAVX2F32, nrAVX2F64})
	}
}
