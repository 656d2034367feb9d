// Package analysis computes what a trained coupling matrix means: eigenvalue spectra and
// their outliers, the empirical balance, k-means subnetworks with within/between coupling,
// and the low-rank alignment of the learned structure (docs/science.md §3, §6).
//
// Analyze takes a plain Input (parameters, J_init, the unroll Spec, the fixed test batch,
// the relaxed initial state, the seed): it imports neither the trainer nor Gorgonia, so any
// network — a live trainer's (rundir.AnalysisInput), a checkpoint's (rundir.StateInput), a
// constructed one — is analysed the same way. The columns of analysis.csv are defined once,
// in the doc comment of Header; FormatFloat is the one number format of balnet's CSV files.
package analysis
