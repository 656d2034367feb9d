package model

import (
	"cmp"
	"math"
	"math/cmplx"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// singular returns the singular values of m, decreasing.
func singular(t *testing.T, m mat.Matrix) []float64 {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDNone) {
		t.Fatal("SVD failed")
	}
	return svd.Values(nil)
}

// eigs returns the eigenvalues of m sorted by real, then imaginary part.
func eigs(t *testing.T, m mat.Matrix) []complex128 {
	t.Helper()
	var e mat.Eigen
	if !e.Factorize(m, mat.EigenNone) {
		t.Fatal("eigen failed")
	}
	v := e.Values(nil)
	slices.SortFunc(v, func(a, b complex128) int {
		return cmp.Or(cmp.Compare(real(a), real(b)), cmp.Compare(imag(a), imag(b)))
	})
	return v
}

// largest returns the k eigenvalues of m of largest modulus, sorted as eigs.
func largest(t *testing.T, m mat.Matrix, k int) []complex128 {
	v := eigs(t, m)
	slices.SortFunc(v, func(a, b complex128) int { return cmp.Compare(cmplx.Abs(b), cmplx.Abs(a)) })
	v = v[:k]
	slices.SortFunc(v, func(a, b complex128) int {
		return cmp.Or(cmp.Compare(real(a), real(b)), cmp.Compare(imag(a), imag(b)))
	})
	return v
}

func lowRankSettings(n int, lr LowRankSettings) Settings {
	s := DefaultSettings()
	s.N, s.Init, s.ZeroDiagonal, s.LowRank = n, "lowrank", false, lr
	return s
}

// TestLowRankDesign: the constructed structure has orthonormal L and R, A = LᵀR with
// singular values exactly cos θ_k, rank D, singular values κ·s_k, and its nonzero
// eigenvalues equal eig(S·Aᵀ) (docs/science.md §6.3). Tolerance 1e-12: rounding of O(N)
// sums of O(1/N) products of orthonormalized vectors is ~1e-15.
func TestLowRankDesign(t *testing.T) {
	const n = 200
	lrs := LowRankSettings{Structure: "angles", Scaling: "strong", Rank: 3,
		Strength: []float64{2, 1, 0.5}, ThetaDeg: []float64{0, 30, 75}}
	s := lowRankSettings(n, lrs)
	lr, err := NewLowRank(s)
	if err != nil {
		t.Fatal(err)
	}
	var ltl, rtr, a mat.Dense
	ltl.Mul(lr.L.T(), lr.L)
	rtr.Mul(lr.R.T(), lr.R)
	if !mat.EqualApprox(&ltl, eye(3), 1e-12) || !mat.EqualApprox(&rtr, eye(3), 1e-12) {
		t.Fatalf("LᵀL = %v, RᵀR = %v, want I", mat.Formatted(&ltl), mat.Formatted(&rtr))
	}
	a.Mul(lr.L.T(), lr.R)
	gamma := singular(t, &a)
	want := []float64{1, math.Cos(math.Pi / 6), math.Cos(75 * math.Pi / 180)}
	for k := range want {
		if math.Abs(gamma[k]-want[k]) > 1e-12 {
			t.Errorf("γ_%d: got %.15f, want cos θ = %.15f", k+1, gamma[k], want[k])
		}
	}
	js := lr.Structured()
	sv := singular(t, js)
	kappa := math.Sqrt(n)
	for k, sk := range []float64{2, 1, 0.5} {
		if math.Abs(sv[k]-kappa*sk) > 1e-12*kappa {
			t.Errorf("singular value %d: got %.15g, want κ·s = %.15g", k+1, sv[k], kappa*sk)
		}
	}
	if sv[3] > 1e-12*kappa {
		t.Errorf("rank: singular value 4 = %g, want 0 (rank 3)", sv[3])
	}
	var sa mat.Dense
	sa.Mul(mat.NewDiagDense(3, lr.S), a.T())
	got, wantEig := largest(t, js, 3), eigs(t, &sa)
	for k := range wantEig {
		if cmplx.Abs(got[k]-wantEig[k]) > 1e-10*kappa {
			t.Errorf("eigenvalue %d of Jˢ: got %v, want eig(S·Aᵀ) %v", k+1, got[k], wantEig[k])
		}
	}
	// Input along span(L): (I − LLᵀ)u = 0, |u| = 1.
	var lu mat.VecDense
	u := mat.NewVecDense(n, lr.Input)
	lu.MulVec(lr.L.T(), u)
	if d := mat.Norm(&lu, 2); math.Abs(d-1) > 1e-12 {
		t.Errorf("|Lᵀu| = %.15f, want 1 (input in span(L))", d)
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

// TestLowRankTable: every row of the table of docs/science.md §6.7 built through Init
// "lowrank" (via MeanCoupling, as NewParams uses it) gives the expected γ, eigenvalues and
// ‖J_EF‖_F = ‖Jˢ(I − LLᵀ)‖_F, with L from the structure.
func TestLowRankTable(t *testing.T) {
	const n = 100
	const b, j0, s, sOut = 1.5, 1.0, 2.0, 3.0
	th := 40 * math.Pi / 180
	eigEI := func() []complex128 { // (N/2)·eig(m) of the block means J_xy/(N/2): eig(m)
		m := mat.NewDense(2, 2, []float64{1, -2, 1, -1.8})
		return eigs(t, m)
	}
	cases := []struct {
		name  string
		lr    LowRankSettings
		gamma []float64
		eig   []complex128
		ef    float64
	}{
		{"engelken mean −(bJ₀/N)11ᵀ", LowRankSettings{Structure: "angles", Scaling: "balance", Rank: 1, Strength: []float64{j0}, ThetaDeg: []float64{0}},
			[]float64{1}, []complex128{complex(-b*j0, 0)}, 0},
		{"s·u vᵀ at θ = 40°", LowRankSettings{Structure: "angles", Scaling: "balance", Rank: 1, Strength: []float64{s / b}, ThetaDeg: []float64{40}, Excitatory: true},
			[]float64{math.Cos(th)}, []complex128{complex(s*math.Cos(th), 0)}, s * math.Sin(th)},
		{"E–I block means", LowRankSettings{Structure: "ei", Scaling: "balance", Rank: 2},
			[]float64{1, 1}, eigEI(), 0},
		{"out-degree CV_k = 0.6", LowRankSettings{Structure: "outdegree", Scaling: "balance", Rank: 1, Strength: []float64{sOut}, CVk: 0.6},
			[]float64{1 / math.Sqrt(1+0.36)}, []complex128{complex(-b*sOut, 0)}, math.NaN()},
		{"2018 coherent chaos", LowRankSettings{Structure: "misaligned", Scaling: "balance", Rank: 1, Strength: []float64{s / b}},
			[]float64{0}, []complex128{0}, s},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := lowRankSettings(n, c.lr)
			st.B = b
			if c.lr.Structure == "ei" {
				st.B = 1 // the table's E–I row is the code's block means, unscaled
			}
			js, err := MeanCoupling(st)
			if err != nil {
				t.Fatal(err)
			}
			lr, err := NewLowRank(st)
			if err != nil {
				t.Fatal(err)
			}
			d := len(c.gamma)
			var a mat.Dense
			a.Mul(lr.L.T(), lr.R)
			g := singular(t, &a)
			for k := range c.gamma {
				if math.Abs(g[k]-c.gamma[k]) > 1e-12 {
					t.Errorf("γ_%d: got %.15f, want %.15f", k+1, g[k], c.gamma[k])
				}
			}
			got := largest(t, js, d)
			for k := range c.eig {
				tol := 1e-10
				if c.lr.Structure == "misaligned" {
					// Jˢ is nilpotent (a 2×2 Jordan block): rounding δ ~ 1e-16·‖Jˢ‖ moves its
					// eigenvalue by √(δ·‖Jˢ‖) ≈ 2e-8.
					tol = 1e-7
				}
				if cmplx.Abs(got[k]-c.eig[k]) > tol {
					t.Errorf("eigenvalue %d: got %v, want %v", k+1, got[k], c.eig[k])
				}
			}
			if !math.IsNaN(c.ef) {
				var jl, ef mat.Dense
				jl.Mul(js, lr.L)
				ef.Mul(&jl, lr.L.T())
				ef.Sub(js, &ef)
				if f := mat.Norm(&ef, 2); math.Abs(f-c.ef) > 1e-10 {
					t.Errorf("‖J_EF‖_F: got %.12f, want %.12f", f, c.ef)
				}
			}
			if c.lr.Structure == "outdegree" { // Jˢ = −(b·s/N)·1·kᵀ with CV(k) = CV_k
				k := make([]float64, n)
				var mean, sq float64
				for j := range k {
					k[j] = -js.At(0, j) * n / (b * sOut)
					mean += k[j] / n
				}
				for j := range k {
					sq += (k[j] - mean) * (k[j] - mean) / n
				}
				if cv := math.Sqrt(sq) / mean; math.Abs(mean-1) > 1e-12 || math.Abs(cv-0.6) > 1e-12 || slices.Min(k) <= 0 {
					t.Errorf("out-degree weights: mean %.15f, CV %.15f, min %g; want 1, 0.6, > 0", mean, cv, slices.Min(k))
				}
			}
		})
	}
}
