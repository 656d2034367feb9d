// Package sim runs long Euler–Maruyama simulations of a rate network (docs/science.md §1.1)
// and streams chosen observables instead of storing the N×T trajectory.
//
// The pieces:
//
//   - Network: J (mean coupling included), W_in, W_out, φ, τ, the balance b that scales the
//     input, and a constant per-unit Offset. FromParams builds one from model.Params, or
//     fill the struct by hand for an arbitrary J.
//   - Input: the common input I(t). NewOU samples the exact Ornstein–Uhlenbeck process of
//     docs/science.md §1.3 with a stationary start from its own generator; Path replays a
//     given path (the same for every realization), Func computes one (a sinusoid, a step).
//   - Settings: Δt, σ, burn-in, recorded steps, record stride, realizations, float32, the
//     initial state and the projection vectors.
//   - Run streams one Frame per recorded state to a Sink: the input I, the population rate
//     ν = mean φ(h), the mean m = mean h, the active fraction χ = mean φ′(h), the readouts
//     W_out·φ(h)/N and the projections vᵀφ(h). Recording is a Sink that keeps the series.
//
// R independent realizations advance together as one R×N state: one matrix product
// Φ·Jᵀ per step (a matrix–vector product for R = 1) with gonum's BLAS, so memory is
// O(N² + R·N) and, with a streaming Sink, independent of the duration. For large N the
// product is memory-bound (a 3000×3000 float64 J streams 72 MB per step, beyond the L3
// cache): Settings.Coupling32 keeps a float32 copy of Jᵀ and reads only the columns of
// the active units (χ/2 of the bytes; widened and accumulated in float64, with an AVX2
// kernel in builds with GOEXPERIMENT=simd, product_simd.go, that gives the bits of the
// pure-Go loop), and Settings.Threads splits the rows of J over goroutines with the same
// bits for every count. The default (float64 J, one thread) computes exactly what earlier
// versions computed. Each step adds
// independent noise σ√(Δt/τ)·ζ per unit and realization, drawn from the caller's generator.
// Every random draw comes from an explicit *rand.Rand, so a run is a deterministic function
// of the seeds. A state beyond Settings.Limit or non-finite stops the run with a
// *BlowUpError.
package sim
