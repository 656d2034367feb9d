package analysis

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/train"
)

// smallConfig is a fast training configuration (the train package's test setting): N = 20,
// T = 20 steps, batch 4, test every 5 epochs, with the given number of signals.
func smallConfig(dtype train.DType, signals int) train.Config {
	c := train.DefaultConfig()
	c.DType = dtype
	c.Network.N = 20
	c.Task.Signals = signals
	c.Sim.Steps, c.Sim.BurnIn, c.Sim.Relax = 20, 4, 10
	c.Train.Epochs, c.Train.Batch, c.Train.TestEvery = 7, 4, 5
	return c
}

func newTrainer(t testing.TB, cfg train.Config) *train.Trainer {
	t.Helper()
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// inputOf is the analysis input of a trainer, built as rundir.AnalysisInput builds it
// (rundir's tests check that one against the input of a checkpoint; analysis cannot import
// rundir).
func inputOf(t *train.Trainer) Input {
	cfg := t.Config()
	return Input{
		Epoch: t.Epoch(), Seed: cfg.Seed, Network: cfg.Network, Spec: t.Spec(),
		Float32: cfg.DType == train.Float32, Params: t.Params(), Init: t.InitialParams(),
		TestInput: t.TestBatch().Input, TestNoise: t.TestNoise(), H0: t.InitialState(),
		I0: cfg.Task.I0, Relax: cfg.Sim.Relax,
	}
}

func run(t testing.TB, tr *train.Trainer, hooks ...train.Hook) {
	t.Helper()
	if err := tr.Run(context.Background(), hooks...); err != nil {
		t.Fatal(err)
	}
}

// column returns the value of the named column of a CSV row.
func column(t *testing.T, header, row []string, name string) string {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, header)
	}
	return row[i]
}

func columnFloat(t *testing.T, header, row []string, name string) float64 {
	t.Helper()
	s := column(t, header, row, name)
	if s == "" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("column %s: %v", name, err)
	}
	return v
}

// TestHeaderRowAlign: Row always has the length of Header, for S = 1, 2, 3 signals and 1…4
// outliers on trained networks, and for constructed records with missing values.
func TestHeaderRowAlign(t *testing.T) {
	for signals := 1; signals <= 3; signals++ {
		tr := newTrainer(t, smallConfig("float32", signals))
		run(t, tr)
		for k := 1; k <= 4; k++ {
			s := Settings{Every: 1, Outliers: k}
			r, err := Analyze(inputOf(tr), s)
			if err != nil {
				t.Fatal(err)
			}
			h, row := Header(s, signals, signals), r.Row()
			if len(h) != len(row) {
				t.Errorf("S=%d outliers=%d: got %d fields, want %d (header %v)", signals, k, len(row), len(h), h)
			}
			if !slices.Equal(r.Header(), h) {
				t.Errorf("S=%d outliers=%d: Record.Header differs from Header", signals, k)
			}
			// Columns: 3 + 4K + 1 + (1+S) + (1+R) + 5 + 4 + 1 (Header doc).
			if want := 3 + 4*k + 1 + (1 + signals) + (1 + signals) + 5 + MaxAlignRank + 1; len(h) != want {
				t.Errorf("S=%d outliers=%d: got %d columns, want %d", signals, k, len(h), want)
			}
			between := column(t, h, row, "j_between")
			if signals == 1 && between != "" {
				t.Errorf("S=1: j_between got %q, want empty (NaN for one cluster)", between)
			}
			if signals > 1 && between == "" {
				t.Errorf("S=%d: j_between is empty", signals)
			}
		}
	}

	// Constructed: fewer eigenvalues than outliers, no alignment, NaN values.
	r := &Record{
		Epoch: 3, Settings: Settings{Outliers: 4}, Balance: math.NaN(), BalanceRel: 1,
		JOutliers: []complex128{-1, complex(0.5, 2)}, LinOutliers: nil,
		BulkRadius: math.NaN(), WinMeans: []float64{1, 2}, WoutMeans: []float64{3},
		Within: -0.1, Between: math.NaN(), Overall: 0.25, ARI: 1,
	}
	h, row := r.Header(), r.Row()
	if len(row) != len(h) {
		t.Fatalf("constructed: got %d fields, want %d", len(row), len(h))
	}
	for name, want := range map[string]string{
		"epoch": "3", "balance": "", "balance_rel": "1", "j_outlier1_re": "-1",
		"j_outlier2_re": "0.5", "j_outlier2_im": "2", "j_outlier3_re": "", "lin_outlier1_im": "",
		"bulk_radius": "", "win_mean2": "2", "wout_mean1": "3", "j_between": "",
		"j_overall": "0.25", "rank": "0", "align1": "", "ef_ratio": "",
	} {
		if got := column(t, h, row, name); got != want {
			t.Errorf("constructed %s: got %q, want %q", name, got, want)
		}
	}
	// Rank 2 of 4: align3 and align4 empty.
	r.Rank, r.Alignment = 2, &Alignment{Gamma: []float64{1, 1.0 / 3}, EFRatio: 0.5}
	row = r.Row()
	for name, want := range map[string]string{"rank": "2", "align1": "1", "align2": "0.3333333333333333", "align3": "", "align4": "", "ef_ratio": "0.5"} {
		if got := column(t, h, row, name); got != want {
			t.Errorf("constructed rank 2 %s: got %q, want %q", name, got, want)
		}
	}
}

// TestHeaderNames pins the column names for S = 2 signals, R = 2 readouts, 2 outliers.
func TestHeaderNames(t *testing.T) {
	got := Header(Settings{Outliers: 2}, 2, 2)
	want := []string{"epoch", "balance", "balance_rel",
		"j_outlier1_re", "j_outlier1_im", "j_outlier2_re", "j_outlier2_im",
		"lin_outlier1_re", "lin_outlier1_im", "lin_outlier2_re", "lin_outlier2_im",
		"bulk_radius", "win_mean", "win_mean1", "win_mean2", "wout_mean", "wout_mean1", "wout_mean2",
		"j_within", "j_between", "j_overall", "cluster_ari", "rank",
		"align1", "align2", "align3", "align4", "ef_ratio"}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
}

// TestFloatFormat: floats round-trip exactly; NaN is an empty field.
func TestFloatFormat(t *testing.T) {
	for _, v := range []float64{0.1, -0.9931, 1e-300, math.Pi, math.MaxFloat64, 0} {
		s := FormatFloat(v)
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != v {
			t.Errorf("%v: wrote %q, read back %v (%v)", v, s, back, err)
		}
	}
	if got := FormatFloat(math.NaN()); got != "" {
		t.Errorf("NaN: got %q, want empty", got)
	}
}

// TestEpochZeroDefault: the analysis of the default configuration (docs/science.md §1.6) before any
// update. Closed forms:
//   - balance = −N·mean(J)/J₀ = b(N−1)/N + noise, the noise −Σ_{i≠j} J̃_ij/(N·J₀) having std
//     g·sqrt(N−1)/(N·J₀) = 3.2e-3 (§1.2, §3.2); allowed 5 std;
//   - balance_rel = 1 exactly (its definition);
//   - Jˢ = E[J_init] = −(bJ₀/N)(11ᵀ − I) exactly, with singular values b·J₀·(N−1)/N = 0.99
//     (the uniform mode, eigenvalue −0.99) and bJ₀/N = 0.01 (N−1 times, the +bJ₀/N·I left by
//     the zero diagonal). The threshold 1.2·(2g + bJ₀/N) = 0.0888 (AlignThreshold) keeps only
//     the first: rank 1 (even the brief's 1.2·2g = 0.0768 gives 1), with L = ±1/√N = −R, so
//     align1 = 1, ef_ratio = 0 and eig(S·Aᵀ) = −0.99 (§6.7 first row);
//   - j_outlier1_re ≈ N·mean(J) = −balance (§3.1; §7 item 3 measured −0.9931), with corrections
//     O(g/√N) = 3.2e-3; allowed 0.02.
func TestEpochZeroDefault(t *testing.T) {
	for _, dtype := range []train.DType{train.Float32, train.Float64} {
		cfg := train.DefaultConfig()
		cfg.DType = dtype
		cfg.Train.Epochs = 0
		tr := newTrainer(t, cfg)
		run(t, tr)
		rec, err := Analyze(inputOf(tr), DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		if rec.Epoch != 0 {
			t.Fatalf("%s: record of epoch %d, want 0", dtype, rec.Epoch)
		}
		h, row := rec.Header(), rec.Row()
		n, b, j0, g := float64(cfg.Network.N), cfg.Network.B, cfg.Network.J0, cfg.Network.G

		balance := columnFloat(t, h, row, "balance")
		want := b * (n - 1) / n
		if tol := 5 * g * math.Sqrt(n-1) / (n * j0); math.Abs(balance-want) > tol {
			t.Errorf("%s balance: got %v, want %v ± %.2g", dtype, balance, want, tol)
		}
		if got := column(t, h, row, "balance_rel"); got != "1" {
			t.Errorf("%s balance_rel: got %q, want exactly 1", dtype, got)
		}
		if got := column(t, h, row, "rank"); got != "1" {
			t.Errorf("%s rank: got %q, want 1 (structure singular values %.4g)", dtype, got, rec.StructureSV[:3])
		}
		if got := columnFloat(t, h, row, "align1"); math.Abs(got-1) > 1e-12 {
			t.Errorf("%s align1: got %v, want 1", dtype, got)
		}
		if got := columnFloat(t, h, row, "ef_ratio"); got > 1e-6 {
			t.Errorf("%s ef_ratio: got %v, want 0", dtype, got)
		}
		if got := rec.Alignment.EigSA[0]; !cclose(got, complex(-b*j0*(n-1)/n, 0), 1e-12) {
			t.Errorf("%s eig(S·Aᵀ): got %v, want %v", dtype, got, -b*j0*(n-1)/n)
		}
		if got := rec.StructureSV[1]; !closeTo(got, b*j0/n, 1e-12) {
			t.Errorf("%s second structure singular value: got %v, want bJ₀/N = %v", dtype, got, b*j0/n)
		}
		out := columnFloat(t, h, row, "j_outlier1_re")
		if math.Abs(out+0.99) > 0.02 || math.Abs(out+balance) > 0.02 {
			t.Errorf("%s j_outlier1_re: got %v, want ≈ −0.99 and ≈ −balance = %v", dtype, out, -balance)
		}
		if got := column(t, h, row, "j_outlier1_im"); got != "0" {
			t.Errorf("%s j_outlier1_im: got %q, want 0 (a real outlier)", dtype, got)
		}
		// §3.1: the outlier of J·diag(φ′) is ≈ N·mean(J)·χ = −balance·J₀·χ and the bulk radius
		// ≈ g·sqrt(χ) (χ = fraction of active units), up to O(g/√N) and estimator noise.
		chi := rec.ActiveFraction
		if lin := columnFloat(t, h, row, "lin_outlier1_re"); math.Abs(lin+balance*j0*chi) > 0.02 {
			t.Errorf("%s lin_outlier1_re: got %v, want ≈ −balance·J₀·χ = %v", dtype, lin, -balance*j0*chi)
		}
		if r, want := columnFloat(t, h, row, "bulk_radius"), g*math.Sqrt(chi); math.Abs(r-want) > 0.2*want {
			t.Errorf("%s bulk_radius: got %v, want ≈ g·sqrt(χ) = %v ± 20%%", dtype, r, want)
		}
		t.Logf("%s: balance %.6g, j_outlier1 %.6g, lin_outlier1 %.6g, χ = %.3g, bulk radius %.4g, residual %.3g, structure σ %.4g",
			dtype, balance, out, columnFloat(t, h, row, "lin_outlier1_re"), rec.ActiveFraction,
			rec.BulkRadius, rec.Residual, rec.StructureSV[:3])
	}
}

// TestFixedPoint: the FixedPoint linearization relaxes the end-of-trial state to a fixed
// point of the noise-free dynamics (residual ≈ 0, unlike the noisy end-of-trial state), and
// only the linearized spectrum depends on the choice.
func TestFixedPoint(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Train.Epochs = 0
	tr := newTrainer(t, cfg)
	run(t, tr)
	end, err := Analyze(inputOf(tr), DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := AnalyzeWith(inputOf(tr), DefaultSettings(), Options{Linearization: FixedPoint})
	if err != nil {
		t.Fatal(err)
	}
	// 100τ of relaxation: every mode decays at least like e^{−t(1 − Re λ)} with Re λ ≲ g.
	if fixed.Residual > 1e-9 {
		t.Errorf("fixed-point residual: got %v, want ≈ 0", fixed.Residual)
	}
	if end.Residual < 1e-3 {
		t.Errorf("end-of-trial residual: got %v, want a noisy state far from a fixed point", end.Residual)
	}
	if !slices.Equal(fixed.JEig, end.JEig) || fixed.Balance != end.Balance || fixed.Rank != end.Rank {
		t.Error("the linearization changed results that do not depend on it")
	}
	t.Logf("fixed point: χ = %.3g, lin_outlier1 = %.6g, bulk radius %.4g; end of trial: χ = %.3g, lin_outlier1 = %.6g",
		fixed.ActiveFraction, fixed.LinOutliers[0], fixed.BulkRadius, end.ActiveFraction, end.LinOutliers[0])
}

// TestAlignThreshold: 1.2·(2g + δ) with δ the diagonal removed by zero_diagonal.
func TestAlignThreshold(t *testing.T) {
	def := train.DefaultConfig().Network
	ei := def
	ei.Init, ei.G = "ei", 0.01 // docs/science.md §2.1 Fig. 8: δ = max(|J_EE|, |J_II|)/(N/2) = 1.8/50
	none := def
	none.G, none.ZeroDiagonal = 0, false
	for _, tc := range []struct {
		name string
		net  model.Settings
		want float64
	}{
		{"default", def, 1.2 * (2*0.032 + 0.01)},
		{"ei", ei, 1.2 * (2*0.01 + 1.8/50)},
		{"g=0, diagonal kept", none, AlignFloor},
	} {
		got, err := AlignThreshold(tc.net)
		if err != nil {
			t.Fatal(err)
		}
		if !closeTo(got, tc.want, 1e-15) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestArrays: the spectra arrays have the documented shapes and hold the record's values.
func TestArrays(t *testing.T) {
	cfg := smallConfig("float64", 2)
	tr := newTrainer(t, cfg)
	run(t, tr)
	r, err := Analyze(inputOf(tr), DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	n, d := cfg.Network.N, r.Rank
	want := map[string][]int{
		"j_eig": {n, 2}, "lin_eig": {n, 2}, "lin_state": {n}, "labels_win": {n}, "labels_j": {n},
		"order": {n}, "structure_sv": {n}, "align_gamma": {d}, "align_eig": {d, 2},
	}
	arrays := r.Arrays()
	if len(arrays) != len(want) {
		t.Errorf("got %d arrays, want %d", len(arrays), len(want))
	}
	for _, a := range arrays {
		shape, ok := want[a.Name]
		if !ok {
			t.Errorf("unexpected array %q", a.Name)
			continue
		}
		if !slices.Equal(a.Shape, shape) {
			t.Errorf("%s: got shape %v, want %v", a.Name, a.Shape, shape)
		}
		size := 1
		for _, k := range a.Shape {
			size *= k
		}
		if len(a.Data) != size {
			t.Errorf("%s: got %d values, want %d", a.Name, len(a.Data), size)
		}
		switch a.Name {
		case "lin_eig":
			if a.Data[0] != real(r.LinEig[0]) || a.Data[1] != imag(r.LinEig[0]) {
				t.Errorf("lin_eig[0]: got (%v, %v), want %v", a.Data[0], a.Data[1], r.LinEig[0])
			}
		case "order":
			for i, v := range a.Data {
				if int(v) != r.Order[i] {
					t.Fatalf("order[%d]: got %v, want %d", i, v, r.Order[i])
				}
			}
		}
	}
}

// TestAnalyzeSettingsErrors: invalid settings are errors, not panics.
func TestAnalyzeSettingsErrors(t *testing.T) {
	tr := newTrainer(t, smallConfig("float32", 1))
	run(t, tr)
	for _, s := range []Settings{{Outliers: -1}, {Outliers: 1, Clusters: 21}, {Outliers: 1, Clusters: -1}} {
		if _, err := Analyze(inputOf(tr), s); err == nil {
			t.Errorf("%+v: got no error", s)
		}
	}
	if _, err := AnalyzeWith(inputOf(tr), DefaultSettings(), Options{Linearization: 7}); err == nil {
		t.Error("unknown linearization: got no error")
	}
}

// BenchmarkHookShare measures the analysis hook's share of a default training run at the
// default interval (issue 5: under 10%): one op trains 100 epochs of the reference
// configuration and analyses once; the reported share-% is
// time(Analyze) / (analysis.every · time(epoch)).
func BenchmarkHookShare(b *testing.B) {
	const epochs = 100
	cfg := train.DefaultConfig()
	cfg.Train.Epochs = 0
	tr := newTrainer(b, cfg)
	run(b, tr) // epoch 0: relaxation and test
	s := DefaultSettings()
	var training, analysing time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cfg.Train.Epochs = tr.Epoch() + epochs
		next, err := train.Restore(cfg, tr.Snapshot())
		if err != nil {
			b.Fatal(err)
		}
		tr = next
		start := time.Now()
		run(b, tr)
		training += time.Since(start)
		start = time.Now()
		if _, err := Analyze(inputOf(tr), s); err != nil {
			b.Fatal(err)
		}
		analysing += time.Since(start)
	}
	perEpoch := float64(training) / float64(b.N*epochs)
	perAnalysis := float64(analysing) / float64(b.N)
	b.ReportMetric(perEpoch/1e6, "ms/epoch")
	b.ReportMetric(perAnalysis/1e6, "ms/analysis")
	b.ReportMetric(100*perAnalysis/(float64(s.Every)*perEpoch), "share-%")
}

// BenchmarkAnalyze times one Analyze of the reference configuration (docs/science.md §1.6) at
// N = 100, 500, 1000, after the epoch-0 relaxation.
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{100, 500, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			cfg := train.DefaultConfig()
			cfg.Network.N = n
			cfg.Train.Epochs = 0
			tr := newTrainer(b, cfg)
			run(b, tr)
			s := DefaultSettings()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Analyze(inputOf(tr), s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
