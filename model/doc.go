// Package model holds the network of docs/science.md §1: parameters and their
// initializations, the nonlinearities, the unroll specification and a plain gonum
// simulator of the Euler–Maruyama dynamics. It does not import Gorgonia: the automatic
// differentiation of the same unrolled dynamics (the graph and the fused op whose gradient
// trains the network) is package model/engine, so that everything that only simulates or
// analyses a network (analysis, plots) stays free of it.
//
// The initial state of the trials (docs/science.md §1.5 item 8) is made by Relax
// (RelaxWatched also reports growth), or is FixedPoint's Newton solution of
// F(h) = −h + J·φ(h) + d = 0 (Drift, Drive); LeadingEigenvalue linearizes at any state.
//
// Extension points: a new initialization of J (for example a low-rank structure) is a
// case of NewParams and MeanCoupling (and a name accepted by config's validation); a new
// nonlinearity is a case of Lookup, of the engines' φ in model/engine, and of the list
// Nonlinearities.
//
// The dynamics (docs/science.md §1.1, with the input convention of the reference code):
//
//	τ dh/dt = −h + J φ(h) + bias + b·W_in·I(t)/S + ξ(t),   ⟨ξ_i(t)ξ_j(t')⟩ = δ_ij τσ²δ(t−t')
//
// discretized as
//
//	h_{n+1} = h_n + (Δt/τ)(−h_n + J φ(h_n) + bias + b·W_in·I_{n+1}/S) + σ√(Δt/τ)·ζ_n,
//
// with readout x̂ = W_out·φ(h)/N. The loss of one batch (docs/science.md §1.5 item 4) is
//
//	l = Σ_{ti=max(burn_in,1)}^{T} [ Σ_{r,b} (x̂_rb(ti) − y_rb(ti))² + λ_act Σ_{i,b} h_ib(ti)² ] / (B·T·R).
//
// Arrays that carry time are step-major: the input of Euler step t (t = 0..T−1, producing
// state index t+1) is the contiguous S×B block input[t·S·B:(t+1)·S·B], and likewise for the
// noise (N×B blocks of standard normals ζ) and the targets (R×B blocks).
package model
