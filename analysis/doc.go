// Package analysis computes what a trained coupling matrix means: eigenvalue spectra and
// their outliers, the empirical balance, k-means subnetworks with within/between coupling,
// and the low-rank alignment of the learned structure (docs/science.md §3, §6).
package analysis
