#!/usr/bin/env bash
# gen-kernels.sh — writes the four SIMD product kernels of the fused op (model/engine/kernel_*.go:
# AVX2 and AVX-512, float32 and float64) from the one template model/engine/kernel_simd.go.tmpl.
# Run by `go generate ./model/engine/` (see model/engine/kernel.go).
set -euo pipefail
cd "$(dirname "$0")/../model/engine"
gen() { # SUF FEATURE VEC ELT LANES MASK IVEC IELT FILE
	sed -e "s/SUF/$1/g" -e "s/FEATURE/$2/g" -e "s/IVEC/$7/g" -e "s/IELT/$8/g" -e "s/VEC/$3/g" -e "s/ELT/$4/g" \
		-e "s/LANES/$5/g" -e "s/MASK/$6/g" kernel_simd.go.tmpl >"$9"
	gofmt -w "$9"
}
gen AVX2F32 AVX2 Float32x8 float32 8 Mask32x8 Int32x8 int32 kernel_avx2_f32.go
gen AVX2F64 AVX2 Float64x4 float64 4 Mask64x4 Int64x4 int64 kernel_avx2_f64.go
# On AVX2 the full-block micro-kernels kern5x2/kern4x2/kern3x2 are those of kernel_avx2_asm.go (an
# assembly inner loop with the same arithmetic): the archsimd ones keep the name
# kern5x2GoSUF/kern4x2GoSUF/kern3x2GoSUF, the reference of TestAVX2AsmMatchesArchsimd.
for f in kernel_avx2_f32.go kernel_avx2_f64.go; do
	sed -i -E -e 's/^(\/\/ |func )kern([543])x2(AVX2F(32|64))\b/\1kern\2x2Go\3/' "$f"
done
gen AVX512F32 AVX-512 Float32x16 float32 16 Mask32x16 Int32x16 int32 kernel_avx512_f32.go
gen AVX512F64 AVX-512 Float64x8 float64 8 Mask64x8 Int64x8 int64 kernel_avx512_f64.go
