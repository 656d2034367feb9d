// Package sweep runs grids of balnet runs: the spec (a base configuration, swept keys with
// lists or ranges of values, seeds), the expansion into runs with stable readable ids, the
// sweep directory and its manifest, a local pool of child processes, SLURM job arrays,
// and the collection of the runs' final figures into one table.
//
// A sweep directory (see Layout) holds the resolved spec, one configuration, one status
// file and one run directory per run. The status file of a run is written only by the
// process working on it, atomically, so runs on many nodes never contend for one file;
// manifest.csv is derived from the status files by whoever reads them (the pool after
// every run, balnet sweep status and collect).
//
// Every run is a separate process (balnet sweep run-task DIR --index I) whether it runs in
// the local Pool or as a SLURM array task: a crash or a divergence stays in its process,
// and an interrupted run resumes from its checkpoint, bit for bit.
package sweep
