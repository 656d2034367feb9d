// Package info estimates how much one signal tells about another: Welch spectra and the
// magnitude-squared coherence exactly as scipy.signal computes them, the mutual-information
// rate density −log₂(1 − C) and its integral R_lb (Eq. 14), and the closed forms of the
// paper's appendix D (Eqs. 15–22) together with the exact coherence of the linear g = 0
// network simulated with the Euler–Maruyama step (docs/science.md §4).
//
// It imports nothing of balnet's: its inputs are plain sample series.
//
// Estimator (docs/science.md §4.1): periodic Hann window of L samples (default 2¹¹),
// overlap L/2, constant detrend per segment, one-sided density scaling, mean over the
// K = ⌊(n − L/2)/(L/2)⌋ full segments, nfft = L; C = |P_xy|²/(P_xx P_yy) with
// P_xy from conj(X)·Y. Every R_lb comes with K, Δf = f_s/L and f_cut (type Rate), and with
// its bias floor: independent signals give E[Ĉ] ≈ 1/K_eff in every bin, hence
// R_lb ≈ f_cut·(−log₂(1 − 1/K_eff)), 11.6 bits/τ at the Fig. 5 setting (docs/science.md
// §4.4). CorrectBias removes that floor to first order; it is off by default so that the
// paper's numbers stay reproducible.
package info
