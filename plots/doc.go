// Package plots draws the training-dynamics figures of a run directory with gonum/plot:
// what a scientist looks at instead of the CSV files (the paper's Figs. 7–12).
//
// All(runDir, outDir, log) writes each figure as NAME.png (DPI = 150 dots per inch,
// recorded in the file) and NAME.svg into outDir (runDir/figures by default):
//
//	loss          train and test loss against epoch, log scale (metrics.csv)
//	traces        target and readout of every readout on test trial 1, before training
//	              (epoch-0 parameters) and after (latest checkpoint), against t/τ
//	spectrum      eig(J·diag φ′) of the first and last spectra files, with the unit
//	              circle, the line Re λ = 1 and the Euler stability bound 1 − 2τ/Δt
//	outliers      Re λ of the K outliers of J·diag φ′ and of J against epoch, with the
//	              deadbeat eigenvalue 1 − τ/Δt and the stability bound (analysis.csv)
//	balance       b_emp and b_rel against epoch (analysis.csv)
//	weights       mean W_in, W_out against epoch; histograms of W_in and W_out at epoch
//	              0 and at the checkpoint; for S ≥ 2, W_out,k· against W_in,·k coloured
//	              by the k-means clusters
//	connectivity  J at epoch 0 and at the checkpoint, rows and columns sorted by cluster,
//	              diverging palette centred at zero with a colour bar
//	subnetworks   mean coupling within clusters, between clusters and overall
//	activity      h_i(t) of five neurons spread over the clusters on test trial 1
//	alignment     alignment cosines γ_k = cos θ_k and ‖J_EF‖/‖Jˢ‖ against epoch
//	summary       loss, traces, spectrum, outliers, balance and J in one figure, titled
//	              with the task, N, S, g, b, Δt and the epochs
//
// # What a run directory provides
//
// (names: the constants of package rundir; columns: rundir.MetricsHeader and
// analysis.Header, the single source of their definitions)
//
//	config.yaml                  config.Parse(data, config.Default())
//	metrics.csv                  epoch,train_loss,test_loss,wall_seconds
//	analysis.csv                 epoch, balance, balance_rel, j_outlier{k}_re/_im,
//	                             lin_outlier{k}_re/_im, bulk_radius, win_mean,
//	                             win_mean{s}, wout_mean, wout_mean{r}, j_within,
//	                             j_between, j_overall, cluster_ari, rank, align{k},
//	                             ef_ratio
//	spectra/epoch-%08d.npz       j_eig, lin_eig (N×2), labels_win, labels_j, order (N)
//	checkpoints/                 the training state (checkpoints.Latest, LoadState)
//
// Columns are read by name, never by position; K, S and R follow from the header. An
// empty field is NaN (train_loss at epoch 0, align{k} for k above the rank), and a NaN
// breaks a line instead of being drawn.
//
// The before/after trajectories are the fixed test batch of the run (train.TestData,
// redrawn from the seed) simulated with the plain simulator (rundir.StateInput and
// analysis.Input.TestTrajectory; no training engine is built): after training with the
// checkpoint's parameters from its relaxed initial state H0; before training with the
// epoch-0 parameters from H0 relaxed noise-free with them (model.Relax), on the same
// inputs and noise. Time is t/τ = ti·Δt/τ for state index ti.
//
// # Runs in progress, resumed and partial runs
//
// A run directory is read while it is being written. A CSV line without its newline is a
// row being written and is ignored; a line that does not parse is skipped; an epoch that
// appears twice keeps its last row. A spectra file that does not read is passed over for
// the next older one. Each figure is drawn from what is there: one whose data are
// missing is skipped with the reason ("spectrum: skipped, no spectra files in
// RUN/spectra"), one that lacks only some panels is drawn without them and says so, and a
// drawing failure in one figure does not stop the others. All returns an error only if
// the run directory is not a directory or no figure at all could be drawn.
//
// # Separation of numbers and drawing
//
// The series a figure plots are computed by plain functions (LossSeries, BalanceSeries,
// OutlierSeries, WeightMeanSeries, CouplingSeries, AlignmentSeries, ReadSpectra,
// TraceSeries, ActivitySeries, ExampleNeurons, BinEdges, Histogram, ClusterPoints,
// SortedMatrix, SummaryTitle; the Euler-map bounds are model.Spec.StabilityBound and
// DeadbeatEigenvalue), tested against hand-written golden values; the drawing only lays
// them out. Legends and doc comments state the definitions of analysis.Header.
package plots
