package analysis

// Settings configures the per-epoch analysis (configuration section "analysis").
type Settings struct {
	// Every is the analysis interval in epochs; 0 disables the analysis.
	Every int `yaml:"every"`
	// Outliers is the number k of most-negative eigenvalues reported.
	Outliers int `yaml:"outliers"`
	// Clusters is the number of k-means clusters; 0 means the number of signals S.
	Clusters int `yaml:"clusters"`
	// InfoEvery measures the information rate (columns mi_rate and mi_rate_nu, InfoRate)
	// at the analysis epochs that are multiples of it; 0 (the default) disables it.
	InfoEvery int `yaml:"info_every"`
}

// DefaultSettings returns the default analysis: every 1000 epochs, 4 outliers, S clusters.
func DefaultSettings() Settings { return Settings{Every: 1000, Outliers: 4} }
