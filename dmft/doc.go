// Package dmft solves the dynamic mean-field theory of the balanced rate network
// (docs/science.md §5): the Gaussian integrals of the nonlinearity (§5.2), the static
// balanced solution and the stationary autocorrelation (§5.3 item 4), and the
// non-stationary DMFT of Eqs. 9–13 on a banded two-time grid driven by a given input path
// (§5.3 adapted as in §5.4), with the finite-size term ζ(t)/√N of Eq. 13 (§5.5).
//
// Times are in units of τ. The two-time functions are those of the Euler-discretized
// Gaussian process (the scheme of §5.3), so the solution is the large-N limit of the
// Euler–Maruyama network of docs/science.md §1.1 with the same step.
package dmft
