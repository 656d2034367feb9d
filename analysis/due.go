package analysis

// Due reports whether the analysis is recorded at epoch: at epoch 0 (before any update) and
// every s.Every epochs; never when s.Every ≤ 0. The training hook that records it is
// rundir.AnalysisHook (analysis knows nothing of the trainer).
func Due(s Settings, epoch int) bool {
	return s.Every > 0 && epoch%s.Every == 0
}
