// Package rundir owns the run directory: its layout, its lock, creating and opening it,
// the training hooks that fill it, and the repair that precedes a resume.
//
// # Layout
//
//	RUN_DIR/config.yaml               ConfigFile: the resolved configuration
//	RUN_DIR/provenance.yaml           ProvenanceFile: program, command line, host, start; one entry per resume
//	RUN_DIR/metrics.csv               MetricsFile: one row per test interval (MetricsHeader)
//	RUN_DIR/analysis.csv              AnalysisFile: one row per analysis (analysis.Header)
//	RUN_DIR/analysis-recomputed.csv   RecomputedFile: balnet analyze's rows
//	RUN_DIR/events.csv                EventsFile: one row per divergence (EventsHeader), once there is one
//	RUN_DIR/checkpoints/              CheckpointsDir: epoch-%08d.ckpt and "latest" (package checkpoints)
//	RUN_DIR/spectra/                  SpectraDir: epoch-%08d.npz per analysis (SpectraName)
//	RUN_DIR/figures/                  FiguresDir: *.png and *.svg (package plots)
//
// A run directory is a Dir, a distinct string type: its methods give the paths inside it
// (Path, CheckpointDir, CheckpointPath, SpectraPath) and list what it holds (Checkpoints,
// Spectra), so a run directory is never passed where the checkpoint directory is meant.
//
// # The lock
//
// Lock(dir) (*DirLock, error) takes the exclusive lock of a directory without waiting:
// an flock(2) on the directory itself, released by Unlock or by the kernel when the holder
// dies (even by SIGKILL). A second writer gets a *LockedError (errors.Is ErrLocked) naming
// the directory and the holder's pid. Every command that writes into a run directory holds
// its lock while it writes: train (Create, and Remove for --force), resume, analyze, plot
// into the run, export into the run. Commands that only read a run (plot --out elsewhere,
// export to a file elsewhere) do not take it: every file of a run is replaced atomically
// or appended whole, so reading a run in progress is safe. Sweeps lock their own directory
// with the same function.
//
// # Writing a run
//
// Create makes a new run directory (after CheckNew), locks it and writes config.yaml
// (the command then records its Session with WriteProvenance, and a resume with
// AppendResume);
// Open opens an existing one for appending after Repair. Run.Hooks are the training hooks:
// the metrics.csv row of a tested epoch, the analysis row and spectra file of an analysed
// epoch, then the checkpoint, in that order, so that the rows of an epoch are durable
// before its checkpoint. Run.Complete ends a resumed run that has nothing left to train.
//
// # Resuming
//
// Dir.Load chooses the checkpoint (the latest pointer, an explicit epoch, or with fallback
// the newest usable one, reporting each refusal) and checks that it belongs to the run's
// configuration. Dir.Repair drops the CSV rows the resumed run writes again (TruncateRows:
// each epoch appears once afterwards) and removes the temporary files of interrupted
// atomic writes; Dir.TruncateEvents drops the divergence events after the checkpoint, and
// Dir.LoadRollbackTargets gives a trainer with train.on_diverge rollback the checkpointed
// states it may roll back to.
//
// # Divergence
//
// Run.DivergenceHook (train.Trainer.OnDivergence) appends every divergence to events.csv
// and, for a rollback to epoch E, drops the CSV rows and spectra files after E, which the
// continued run writes again.
package rundir
