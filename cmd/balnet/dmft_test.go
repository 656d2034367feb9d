package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/dmft"
)

// dmftSmall shortens the default of balnet dmft to a fraction of a second: 10τ of path
// after 20τ of relaxation, a band of 30 steps (3τ), N = 400.
var dmftSmall = []string{"--set", "network.n=400", "--set", "dmft.duration=10", "--set", "dmft.relax=20",
	"--set", "dmft.band=30", "--set", "dmft.nperseg=32", "--quiet"}

// readCSV returns the header and the rows of a CSV file as numbers.
func readCSV(t *testing.T, path string) (header []string, rows [][]float64) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(readText(t, path)), "\n")
	header = strings.Split(lines[0], ",")
	for _, l := range lines[1:] {
		var row []float64
		for _, f := range strings.Split(l, ",") {
			v, err := analysis.ParseFloat(f)
			if err != nil {
				t.Fatalf("%s: %q is not a number", path, f)
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return header, rows
}

// column returns column name of rows.
func column(t *testing.T, header []string, rows [][]float64, name string) []float64 {
	t.Helper()
	for k, h := range header {
		if h == name {
			out := make([]float64, len(rows))
			for i, r := range rows {
				out[i] = r[k]
			}
			return out
		}
	}
	t.Fatalf("no column %s in %v", name, header)
	return nil
}

// Without --compare the comparison columns are absent and the differences missing (NaN).
func TestDMFTTheoryOnly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCmd(t, append([]string{"dmft", "--out", out, "--no-plots"}, dmftSmall...)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	h, _ := readCSV(t, filepath.Join(out, "dmft.csv"))
	if got := strings.Join(h, ","); got != "t,input,m,nu,c_tt" {
		t.Errorf("dmft.csv header %q", got)
	}
	h, rows := readCSV(t, filepath.Join(out, "dmft-summary.csv"))
	if v := column(t, h, rows, "nu_rms_rel")[0]; !math.IsNaN(v) {
		t.Errorf("nu_rms_rel = %v without --compare, want NaN", v)
	}
	h, rows = readCSV(t, filepath.Join(out, "autocorr.csv"))
	if v := column(t, h, rows, "c_sim")[0]; !math.IsNaN(v) {
		t.Errorf("c_sim = %v without --compare, want NaN", v)
	}
}

// balnet dmft --compare writes every file with its columns, the static solution of
// g = 2 (x = −0.40523, docs/science.md §5.3 item 4) and a theory close to the simulated
// networks. The bounds on the RMS relative differences (g = 2, b = 8, N = 400, 2
// realizations) are measured over dmft.seed = 1…8: ν 0.011–0.073, c(t,t) 0.039–0.27; the
// bounds 0.15 and 0.4 leave room for the O(N^{−1/2}) finite-size spread of other seeds.
func TestDMFTCompare(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCmd(t, append([]string{"dmft", "--out", out, "--compare", "2", "--set", "network.b=8"}, dmftSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "ν RMS relative difference") {
		t.Errorf("stdout: %q", stdout)
	}
	for _, name := range []string{"dmft.csv", "autocorr.csv", "dmft-summary.csv", "config.yaml",
		"dmft-nu.png", "dmft-nu.svg", "dmft-ctt.png", "dmft-ctt.svg", "dmft-autocorr.png", "dmft-autocorr.svg",
		"dmft-info.csv", "dmft-coherence.png", "dmft-coherence.svg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	h, rows := readCSV(t, filepath.Join(out, "dmft.csv"))
	if got := strings.Join(h, ","); got != "t,input,m,nu,c_tt,sim_nu_mean,sim_nu_sd,sim_c_tt" || len(rows) != 100 {
		t.Fatalf("dmft.csv: header %q, %d rows; want 100 rows", got, len(rows))
	}
	h, rows = readCSV(t, filepath.Join(out, "autocorr.csv"))
	if got := strings.Join(h, ","); got != "lag,c_dmft,c_sim" || len(rows) != 31 {
		t.Fatalf("autocorr.csv: header %q, %d rows; want 31", got, len(rows))
	}
	h, rows = readCSV(t, filepath.Join(out, "dmft-summary.csv"))
	if got := strings.Join(h, ","); got != "nu_rms_rel,nu_max_rel,ctt_rms_rel,ctt_max_rel,x_static,c0_static,m0_static,"+strings.Join(dmftInfoSumColumns, ",") || len(rows) != 1 {
		t.Fatalf("dmft-summary.csv: header %q, %d rows", got, len(rows))
	}
	s := rows[0]
	if math.Abs(s[4]-(-0.40523)) > 5e-6 {
		t.Errorf("x_static = %v, want −0.40523", s[4])
	}
	if !(s[0] <= 0.15) || !(s[2] <= 0.4) || !(s[1] >= s[0]) || !(s[3] >= s[2]) {
		t.Errorf("theory against simulation: ν RMS %.4g (max %.4g), c(t,t) RMS %.4g (max %.4g); want ν ≤ 0.15, c ≤ 0.4", s[0], s[1], s[2], s[3])
	}
	if c := readText(t, filepath.Join(out, "config.yaml")); !strings.Contains(c, "dmft:") || !strings.Contains(c, "band: 30") {
		t.Errorf("config.yaml lacks the resolved dmft section:\n%s", c)
	}
}

// For g = 0 the theory is closed-form (docs/science.md §5.4): c(t,t) = σ²/(2−Δt) and
// c(τ′ = kΔt) = c(t,t)·(1−Δt)^k exactly in the Euler scheme; the simulated Var_i h_i of
// 2 realizations of N = 400 agrees within 5 standard errors (each record's variance has
// relative std √(2/N), the time average over 100 records correlated with ρ = (1−Δt)² has
// √((1+ρ)/((1−ρ)·100)) of it, and the realizations average).
func TestDMFTUncoupled(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCmd(t, append([]string{"dmft", "--out", out, "--compare", "2", "--set", "network.g=0", "--no-plots"}, dmftSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	const dt, sigma = 0.1, 0.1
	want := sigma * sigma / (2 - dt)
	h, rows := readCSV(t, filepath.Join(out, "dmft.csv"))
	var simMean float64
	for i, c := range column(t, h, rows, "c_tt") {
		if math.Abs(c/want-1) > 1e-12 {
			t.Fatalf("c_tt[%d] = %v, want σ²/(2−Δt) = %v", i, c, want)
		}
		simMean += column(t, h, rows, "sim_c_tt")[i] / float64(len(rows))
	}
	rho := (1 - dt) * (1 - dt)
	tol := 5 * math.Sqrt(2.0/400) * math.Sqrt((1+rho)/((1-rho)*100)) / math.Sqrt(2)
	if math.Abs(simMean/want-1) > tol {
		t.Errorf("mean sim_c_tt = %.5g, want σ²/(2−Δt) = %.5g within %.1f%%", simMean, want, 100*tol)
	}
	h, rows = readCSV(t, filepath.Join(out, "autocorr.csv"))
	for k, c := range column(t, h, rows, "c_dmft") {
		if w := want * math.Pow(1-dt, float64(k)); math.Abs(c-w) > 1e-12*want {
			t.Fatalf("c_dmft[%d] = %v, want c(t,t)(1−Δt)^k = %v", k, c, w)
		}
	}
	h, rows = readCSV(t, filepath.Join(out, "dmft-summary.csv"))
	if x := column(t, h, rows, "x_static")[0]; !math.IsNaN(x) {
		t.Errorf("x_static = %v for g = 0, want NaN (no static chaotic solution)", x)
	}
}

// Same seed, same CSVs, byte for byte.
func TestDMFTDeterminism(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []string{"a", "b"} {
		if code, _, stderr := runCmd(t, append([]string{"dmft", "--out", filepath.Join(dir, o), "--compare", "1", "--no-plots"}, dmftSmall...)...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	for _, name := range []string{"dmft.csv", "autocorr.csv", "dmft-summary.csv", "config.yaml"} {
		if a, b := readText(t, filepath.Join(dir, "a", name)), readText(t, filepath.Join(dir, "b", name)); a != b {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	// Another seed gives another input path.
	if code, _, stderr := runCmd(t, append([]string{"dmft", "--out", filepath.Join(dir, "c"), "--set", "dmft.seed=2", "--no-plots"}, dmftSmall...)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	} else if readText(t, filepath.Join(dir, "a", "dmft.csv"))[:200] == readText(t, filepath.Join(dir, "c", "dmft.csv"))[:200] {
		t.Error("dmft.seed does not change the input path")
	}
}

// Bad input exits 2 naming the key, and writes nothing; the ill-posed g = 2, b = 1 (no
// balanced state, b must exceed 1.77) exits 1 and writes nothing either.
func TestDMFTBadInput(t *testing.T) {
	for _, c := range []struct{ set, key string }{
		{"dmft.dt=0", "dmft.dt"},
		{"dmft.dt=-0.1", "dmft.dt"},
		{"dmft.band=101", "dmft.band"}, // the grid of dmftSmall has 100 steps
		{"dmft.duration=0", "dmft.duration"},
		{"network.g=-1", "network.g"},
		{"sim.sigma=-0.1", "sim.sigma"},
		{"dmft.tol=0", "dmft.tol"},
		{"dmft.input=square", "dmft.input"},
		{"dmft.integrals=exact", "dmft.integrals"},
		{"dmft.nperseg=101", "dmft.nperseg"}, // longer than the 100 steps
		{"dmft.nperseg=4", "dmft.nperseg"},
		{"dmft.freq=0", "dmft.freq"}, // with input sinusoid below
	} {
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"dmft", "--out", out, "--compare", "1"}, dmftSmall...)
		if c.key == "dmft.freq" {
			args = append(args, "--set", "dmft.input=sinusoid")
		}
		code, _, stderr := runCmd(t, append(args, "--set", c.set)...)
		if code != 2 || !strings.Contains(stderr, c.key) {
			t.Errorf("--set %s: exit %d, stderr %q; want 2 naming %s", c.set, code, stderr, c.key)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("--set %s: %s was created", c.set, out)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCmd(t, append([]string{"dmft", "--out", out, "--compare", "-1"}, dmftSmall...)...); code != 2 || !strings.Contains(stderr, "--compare") {
		t.Errorf("--compare -1: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr := runCmd(t, append([]string{"dmft", "--out", out, "--compare", "1", "--set", "network.b=1"}, dmftSmall...)...)
	if code != 1 || !strings.Contains(stderr, "no balanced state") || !strings.Contains(stderr, "b > 1.77") {
		t.Errorf("b = 1: exit %d, stderr %q; want 1 and no balanced state, b > 1.77", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was created", out)
	}
}

// A cancelled context (Ctrl-C) stops balnet dmft with exit 1 and nothing written.
func TestDMFTCancel(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var so, se bytes.Buffer
	if code := run(ctx, append([]string{"dmft", "--out", out, "--compare", "1"}, dmftSmall...), &so, &se); code != 1 {
		t.Errorf("exit %d (%s), want 1", code, se.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was created", out)
	}
}

// runaway flags a theory whose c(t,t) or m grows tenfold over the path, and passes a
// bounded one.
func TestDMFTRunaway(t *testing.T) {
	n := 100
	grow, flat := &dmft.Result{Ctt: make([]float64, n), M: make([]float64, n)}, &dmft.Result{Ctt: make([]float64, n), M: make([]float64, n)}
	for i := 0; i < n; i++ {
		grow.Ctt[i], grow.M[i] = math.Exp(0.1*float64(i)), -1
		flat.Ctt[i], flat.M[i] = 50+math.Sin(float64(i)), -3
	}
	if err := runaway(grow); err == nil || !strings.Contains(err.Error(), "c(t,t)") {
		t.Errorf("growing c(t,t): %v", err)
	}
	if err := runaway(flat); err != nil {
		t.Errorf("bounded solution: %v", err)
	}
}
