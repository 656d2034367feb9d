package checkpoints

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/train"
)

// StateSchema names the layout of a training checkpoint's sections; it is stored in the
// "schema" section and changes whenever the sections below change meaning. Version 2 added
// lr and rollbacks; a version-1 checkpoint (without them) still loads, as a run at train.lr
// with no rollback (State.LR = 0, State.Rollbacks = 0).
const StateSchema = "balnet.train.State/2"

// stateSchemas are the schemas this build reads.
var stateSchemas = []string{"balnet.train.State/1", StateSchema}

// A training checkpoint holds these sections (float arrays as float64, which holds
// float32 training values exactly; shapes are row-major):
//
//	schema                 StateSchema
//	config                 the resolved configuration (YAML) the run was started with
//	epoch, evaluated       int64; evaluated is 1 once epoch 0 was evaluated
//	J, W_in, W_out, bias   current parameters (N×N, N×S, R×N, N)
//	J_init, W_in_init, W_out_init, bias_init   parameters at epoch 0
//	adam_step              int64
//	adam_m_J, adam_v_J, adam_m_W_in, …          Adam moments, shaped like their parameter
//	h0                     relaxed initial state (N×B)
//	rng_init, rng_task, rng_noise, rng_test, rng_relax   PCG states (MarshalBinary)
//	loss_sum, loss_count   training losses accumulated since the last test
//	A                      the linear task's matrix (R×S), only for task kind linear
//	lr                     float64: the current learning rate (train.on_diverge rollback lowers it); schema 2
//	rollbacks              int64: the rollbacks so far; schema 2
//	rollback_targets       int64 array: the epochs of the rollback targets, newest first (may be empty); schema 2
var paramNames = [3]string{"J", "W_in", "W_out"}

// streams are the run's random streams in section order; their names (rng_NAME) are
// train.Stream.String, the one list of stream names.
var streams = []train.Stream{train.StreamInit, train.StreamTask, train.StreamNoise, train.StreamTest, train.StreamRelax}

// FromState builds the checkpoint file of a training state.
func FromState(config []byte, s *train.State) *File {
	f := &File{}
	f.PutString("schema", StateSchema)
	f.PutBytes("config", config)
	f.PutInt("epoch", int64(s.Epoch))
	f.PutInt("evaluated", boolInt(s.Evaluated))
	putParams(f, "", s.Params)
	putParams(f, "_init", s.Init)
	f.PutInt("adam_step", int64(s.Adam.Step))
	shapes := paramShapes(s.Params)
	for k, name := range paramNames {
		f.PutFloat64s("adam_m_"+name, s.Adam.M[k], shapes[k]...)
		f.PutFloat64s("adam_v_"+name, s.Adam.V[k], shapes[k]...)
	}
	putDense(f, "h0", s.H0)
	for _, st := range streams {
		f.PutBytes("rng_"+st.String(), s.Streams[st.String()])
	}
	f.PutFloat64s("loss_sum", []float64{s.LossSum})
	f.PutInt("loss_count", int64(s.LossCount))
	if s.A != nil {
		putDense(f, "A", s.A)
	}
	f.PutFloat64s("lr", []float64{s.LR})
	f.PutInt("rollbacks", int64(s.Rollbacks))
	targets := make([]int64, len(s.Targets))
	for i, e := range s.Targets {
		targets[i] = int64(e)
	}
	f.PutInt64s("rollback_targets", targets)
	return f
}

// ToState reads a training state and its configuration from a checkpoint file. Every
// missing or ill-shaped section is an error naming it.
func ToState(f *File) (config []byte, s *train.State, err error) {
	r := reader{f: f}
	schema := r.str("schema")
	if r.err == nil && !slices.Contains(stateSchemas, schema) {
		return nil, nil, fmt.Errorf("%w: schema %q, this build reads %q", ErrVersion, schema, stateSchemas)
	}
	config = r.bytes("config")
	s = &train.State{
		Epoch:     int(r.int("epoch")),
		Evaluated: r.int("evaluated") != 0,
		Params:    r.params(""),
		Init:      r.params("_init"),
		H0:        r.dense("h0"),
		Streams:   map[string][]byte{},
		LossCount: int(r.int("loss_count")),
	}
	if sum := r.floats("loss_sum"); len(sum) == 1 {
		s.LossSum = sum[0]
	} else if r.err == nil {
		r.err = fmt.Errorf("%w: section loss_sum has %d values, want 1", ErrCorrupt, len(sum))
	}
	s.Adam.Step = int(r.int("adam_step"))
	for _, name := range paramNames {
		s.Adam.M = append(s.Adam.M, r.floats("adam_m_"+name))
		s.Adam.V = append(s.Adam.V, r.floats("adam_v_"+name))
	}
	for _, st := range streams {
		s.Streams[st.String()] = r.bytes("rng_" + st.String())
	}
	if _, ok := f.Section("A"); ok {
		s.A = r.dense("A")
	}
	if schema != stateSchemas[0] { // schema 2: the guard's learning rate and rollbacks
		if lr := r.floats("lr"); len(lr) == 1 {
			s.LR = lr[0]
		} else if r.err == nil {
			r.err = fmt.Errorf("%w: section lr has %d values, want 1", ErrCorrupt, len(lr))
		}
		s.Rollbacks = int(r.int("rollbacks"))
		targets, _, err := f.Int64s("rollback_targets")
		if err != nil {
			r.fail("rollback_targets", err)
		}
		for _, e := range targets {
			if e < 0 || e > int64(s.Epoch) {
				r.fail("rollback_targets", fmt.Errorf("%w: epoch %d, want 0 ≤ epoch ≤ %d", ErrCorrupt, e, s.Epoch))
			}
			s.Targets = append(s.Targets, int(e))
		}
		if r.err == nil && !(s.LR > 0 && !math.IsInf(s.LR, 0)) {
			r.fail("lr", fmt.Errorf("%w: %v, want a finite learning rate > 0", ErrCorrupt, s.LR))
		}
	}
	// Counts are never negative in a file a run wrote; resuming from one would drop every
	// CSV row and then fail to name the checkpoint of a negative epoch.
	for _, c := range []struct {
		name string
		v    int
	}{{"epoch", s.Epoch}, {"adam_step", s.Adam.Step}, {"loss_count", s.LossCount}, {"rollbacks", s.Rollbacks}} {
		if c.v < 0 {
			r.fail(c.name, fmt.Errorf("%w: %d, want a count ≥ 0", ErrCorrupt, c.v))
		}
	}
	if r.err != nil {
		return nil, nil, r.err
	}
	return config, s, nil
}

// SaveState writes the checkpoint of s into runDir/checkpoints atomically, points the
// "latest" pointer at it, and prunes all but the keep newest checkpoints.
func SaveState(runDir string, config []byte, s *train.State, keep int) (string, error) {
	dir := Dir(runDir)
	path, err := WriteEpoch(dir, s.Epoch, FromState(config, s))
	if err != nil {
		return "", err
	}
	if _, err := Prune(dir, keep); err != nil {
		return path, err
	}
	return path, nil
}

// LoadState reads, verifies and decodes the checkpoint at path; errors name the path.
func LoadState(path string) (config []byte, s *train.State, err error) {
	f, err := ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	config, s, err = ToState(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return config, s, nil
}

// LatestState returns the path of the checkpoint the run's "latest" pointer names, after
// verifying it (see Latest).
func LatestState(runDir string) (string, error) {
	c, err := Latest(Dir(runDir))
	if err != nil {
		return "", err
	}
	return c.Path, nil
}

// StatePath returns the path of the checkpoint of epoch in runDir.
func StatePath(runDir string, epoch int) string {
	return filepath.Join(Dir(runDir), FileName(epoch))
}

func putParams(f *File, suffix string, p *model.Params) {
	for k, m := range []*mat.Dense{p.J, p.Win, p.Wout} {
		putDense(f, paramNames[k]+suffix, m)
	}
	f.PutFloat64s("bias"+suffix, p.Bias, len(p.Bias))
}

func paramShapes(p *model.Params) [3][]int {
	var s [3][]int
	for k, m := range []*mat.Dense{p.J, p.Win, p.Wout} {
		r, c := m.Dims()
		s[k] = []int{r, c}
	}
	return s
}

func putDense(f *File, name string, m *mat.Dense) {
	r, c := m.Dims()
	f.PutFloat64s(name, mat.DenseCopyOf(m).RawMatrix().Data, r, c)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// reader reads sections and keeps the first error.
type reader struct {
	f   *File
	err error
}

func (r *reader) fail(name string, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("section %s: %w", name, err)
	}
}

func (r *reader) bytes(name string) []byte {
	b, err := r.f.Bytes(name)
	if err != nil {
		r.fail(name, err)
	}
	return b
}

func (r *reader) str(name string) string { return string(r.bytes(name)) }

func (r *reader) int(name string) int64 {
	v, err := r.f.Int(name)
	if err != nil {
		r.fail(name, err)
	}
	return v
}

func (r *reader) floats(name string) []float64 {
	v, _, err := r.f.Float64s(name)
	if err != nil {
		r.fail(name, err)
	}
	return v
}

func (r *reader) dense(name string) *mat.Dense {
	v, shape, err := r.f.Float64s(name)
	if err != nil {
		r.fail(name, err)
		return nil
	}
	if len(shape) != 2 || shape[0] < 1 || shape[1] < 1 || shape[0]*shape[1] != len(v) {
		r.fail(name, fmt.Errorf("%w: shape %v, want a non-empty matrix", ErrCorrupt, shape))
		return nil
	}
	return mat.NewDense(shape[0], shape[1], v)
}

func (r *reader) params(suffix string) *model.Params {
	p := &model.Params{J: r.dense("J" + suffix), Win: r.dense("W_in" + suffix), Wout: r.dense("W_out" + suffix)}
	p.Bias = r.floats("bias" + suffix)
	if r.err != nil {
		return nil
	}
	n, _ := p.J.Dims()
	if jr, jc := p.J.Dims(); jr != jc || p.Win.RawMatrix().Rows != n || p.Wout.RawMatrix().Cols != n || len(p.Bias) != n {
		r.fail("J"+suffix, errors.Join(ErrCorrupt, fmt.Errorf("inconsistent parameter shapes")))
		return nil
	}
	return p
}
