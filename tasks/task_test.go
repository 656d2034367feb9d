package tasks

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestBatchLayout(t *testing.T) {
	const steps, s, r, trials = 3, 2, 4, 5
	b := NewBatch(steps, s, r, trials)
	if got, want := len(b.Input), steps*s*trials; got != want {
		t.Fatalf("len(Input): got %d, want %d", got, want)
	}
	if got, want := len(b.Target), steps*r*trials; got != want {
		t.Fatalf("len(Target): got %d, want %d", got, want)
	}
	for k := range steps {
		in, tg := b.InputAt(k), b.TargetAt(k)
		if len(in) != s*trials || len(tg) != r*trials {
			t.Fatalf("step %d: got blocks of %d and %d, want %d and %d", k, len(in), len(tg), s*trials, r*trials)
		}
		for j := range s {
			for tr := range trials {
				in[j*trials+tr] = float64(1000*k + 10*j + tr)
			}
		}
		for j := range r {
			for tr := range trials {
				tg[j*trials+tr] = float64(-1000*k - 10*j - tr)
			}
		}
	}
	for k := range steps {
		for j := range s {
			for tr := range trials {
				if got, want := b.Input[(k*s+j)*trials+tr], float64(1000*k+10*j+tr); got != want {
					t.Errorf("Input(t=%d, s=%d, b=%d): got %v, want %v", k, j, tr, got, want)
				}
			}
		}
		for j := range r {
			for tr := range trials {
				if got, want := b.Target[(k*r+j)*trials+tr], float64(-1000*k-10*j-tr); got != want {
					t.Errorf("Target(t=%d, r=%d, b=%d): got %v, want %v", k, j, tr, got, want)
				}
			}
		}
	}
	// Appending to a block must not overwrite the next step.
	_ = append(b.InputAt(0), 42)
	if got, want := b.InputAt(1)[0], 1000.0; got != want {
		t.Errorf("after append to InputAt(0): InputAt(1)[0]: got %v, want %v", got, want)
	}
}

// testTasks returns one task of each kind at the reference settings (docs/science.md §1.6) and
// the Fig. 12 linear setting (S = R = 3, Δt = 0.05; docs/science.md §2.1).
func testTasks(t *testing.T) map[string]Task {
	t.Helper()
	lin := DefaultSettings()
	lin.Kind, lin.Signals, lin.Outputs, lin.Stationary = "linear", 3, 0, true
	tasks := map[string]Task{}
	for name, c := range map[string]struct {
		s  Settings
		dt float64
	}{"ou": {DefaultSettings(), 0.2}, "linear": {lin, 0.05}} {
		task, err := New(c.s, c.dt, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		tasks[name] = task
	}
	return tasks
}

func sample(task Task, seed uint64) *Batch {
	b := NewBatch(50, task.Signals(), task.Outputs(), 10) // T = 50, B = 10: docs/science.md §1.6
	for i := range b.Input {
		b.Input[i] = math.NaN()
	}
	for i := range b.Target {
		b.Target[i] = math.NaN()
	}
	task.Sample(b, rand.New(rand.NewPCG(seed, 0)))
	return b
}

func TestSampleDeterminism(t *testing.T) {
	for name, task := range testTasks(t) {
		b1, b2, b3 := sample(task, 1), sample(task, 1), sample(task, 2)
		for i, v := range slices.Concat(b1.Input, b1.Target) {
			if math.IsNaN(v) {
				t.Fatalf("%s: value %d not overwritten: got NaN, want a sample", name, i)
			}
		}
		if !slices.Equal(b1.Input, b2.Input) || !slices.Equal(b1.Target, b2.Target) {
			t.Errorf("%s: same seed: got different batches, want identical", name)
		}
		if slices.Equal(b1.Input, b3.Input) || slices.Equal(b1.Target, b3.Target) {
			t.Errorf("%s: seeds 1 and 2: got identical batches, want different", name)
		}
	}
}

func TestSampleShapePanics(t *testing.T) {
	for name, task := range testTasks(t) {
		for _, b := range []*Batch{
			NewBatch(5, task.Signals()+1, task.Outputs(), 2),
			NewBatch(5, task.Signals(), task.Outputs()+1, 2),
			{Steps: 5, Signals: task.Signals(), Outputs: task.Outputs(), Trials: 2}, // no buffers
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: Sample on batch %d×%d×%d→%d: got no panic, want one",
							name, b.Steps, b.Signals, b.Trials, b.Outputs)
					}
				}()
				task.Sample(b, rand.New(rand.NewPCG(1, 1)))
			}()
		}
	}
}

func TestNew(t *testing.T) {
	s := DefaultSettings()
	s.Outputs = 0 // 0 means Signals
	task, err := New(s, 0.2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := task.Outputs(), s.Signals; got != want {
		t.Errorf("kind ou, outputs 0: got %d outputs, want %d", got, want)
	}

	s = DefaultSettings()
	s.Kind, s.Signals, s.Outputs = "linear", 3, 2
	task, err = New(s, 0.05, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	l, ok := task.(*Linear)
	if !ok {
		t.Fatalf("kind linear: got %T, want *Linear", task)
	}
	if r, c := l.A.Dims(); r != 2 || c != 3 {
		t.Errorf("kind linear: got A %d×%d, want 2×3", r, c)
	}

	for _, c := range []struct {
		name string
		edit func(*Settings)
		dt   float64
		want string
	}{
		{"unknown kind", func(s *Settings) { s.Kind = "copy" }, 0.2, `unknown kind "copy"`},
		{"empty kind", func(s *Settings) { s.Kind = "" }, 0.2, "unknown kind"},
		{"no signals", func(s *Settings) { s.Signals = 0 }, 0.2, "signals"},
		{"negative outputs", func(s *Settings) { s.Kind, s.Outputs = "linear", -1 }, 0.2, "outputs"},
		{"ou outputs ≠ signals", func(s *Settings) { s.Outputs = 2 }, 0.2, "outputs"},
		{"negative tau_s", func(s *Settings) { s.TauS = -1 }, 0.2, "tau_s"},
		{"zero dt", func(s *Settings) {}, 0, "dt"},
	} {
		s := DefaultSettings()
		c.edit(&s)
		_, err := New(s, c.dt, rand.New(rand.NewPCG(1, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// BenchmarkSample draws one batch at the reference setting T = 50, S = 1, B = 10
// (docs/science.md §1.6), and at the Fig. 12 linear setting S = R = 3 (docs/science.md §2.1).
func BenchmarkSample(b *testing.B) {
	lin := DefaultSettings()
	lin.Kind, lin.Signals, lin.Outputs = "linear", 3, 3
	for _, c := range []struct {
		name string
		s    Settings
		dt   float64
	}{{"ou", DefaultSettings(), 0.2}, {"linear", lin, 0.05}} {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			task, err := New(c.s, c.dt, rng)
			if err != nil {
				b.Fatal(err)
			}
			batch := NewBatch(50, task.Signals(), task.Outputs(), 10)
			b.ReportAllocs()
			for b.Loop() {
				task.Sample(batch, rng)
			}
		})
	}
}
