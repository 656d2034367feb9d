package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// structured returns Js = g·Z/√N + L·diag(s)·Rᵀ with L, R random orthonormal N×D bases whose
// alignment is whatever two independent random subspaces give, the shape of a trained
// structure over its bulk (docs/science.md §6.6).
func structured(n int, g float64, s []float64, rng *rand.Rand) *mat.Dense {
	d := len(s)
	js := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			js.Set(i, j, g/math.Sqrt(float64(n))*rng.NormFloat64())
		}
	}
	basis := func() *mat.Dense {
		x := mat.NewDense(n, d, nil)
		for i := range n {
			for k := range d {
				x.Set(i, k, rng.NormFloat64())
			}
		}
		var qr mat.QR
		qr.Factorize(x)
		var q mat.Dense
		qr.QTo(&q)
		return mat.DenseCopyOf(q.Slice(0, n, 0, d))
	}
	l, r := basis(), basis()
	var ls, lsr mat.Dense
	ls.Mul(l, mat.NewDiagDense(d, s))
	lsr.Mul(&ls, r.T())
	js.Add(js, &lsr)
	return js
}

// thinSVD is the reference: the top-d triplets from gonum's thin SVD of all N.
func thinSVD(t *testing.T, js mat.Matrix, d int) (s []float64, l, r *mat.Dense) {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(js, mat.SVDThin) {
		t.Fatal("thin SVD did not converge")
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	n, _ := js.Dims()
	return svd.Values(nil)[:d], mat.DenseCopyOf(u.Slice(0, n, 0, d)), mat.DenseCopyOf(v.Slice(0, n, 0, d))
}

// sameColumns fails unless the columns of a and b agree up to sign to tol (max-abs).
func sameColumns(t *testing.T, what string, a, b *mat.Dense, tol float64) {
	t.Helper()
	n, d := a.Dims()
	for k := range d {
		x, y := mat.Col(nil, k, a), mat.Col(nil, k, b)
		if floats.Dot(x, y) < 0 {
			floats.Scale(-1, y)
		}
		if dist := floats.Distance(x, y, math.Inf(1)); dist > tol {
			t.Errorf("%s column %d of %d×%d: max |Δ| = %.3g > %.3g", what, k, n, d, dist, tol)
		}
	}
}

// TestTopSingularMatchesThinSVD checks the Lanczos triplets against gonum's thin SVD on
// structures over an iid bulk (g = 1, bulk edge 2g = 2): well separated (s = 8, 5), a close
// pair (5, 4.9), and a value near the edge (2.6), where a Krylov method needs the most steps.
// The tolerance 1e-9 on the vectors is the Wedin bound r/gap at the accepted residual
// r ≤ 1e-12·σ₁ for the smallest gap here (0.1 of the close pair, σ₁ = 8: 1e-10), with room.
func TestTopSingularMatchesThinSVD(t *testing.T) {
	cases := []struct {
		name string
		s    []float64
	}{
		{"separated", []float64{8, 5}},
		{"close pair", []float64{8, 5, 4.9}},
		{"near the bulk edge", []float64{6, 2.6}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 400
			js := structured(n, 1, c.s, newRand(uint64(10+i)))
			sv, err := SingularValues(js)
			if err != nil {
				t.Fatal(err)
			}
			d := len(c.s)
			s, l, r, ok := topSingular(js, sv, d)
			if !ok {
				t.Fatalf("Lanczos not verified (fell back): singular values %.4g", sv[:d+2])
			}
			ws, wl, wr := thinSVD(t, js, d)
			for k := range d {
				if math.Abs(s[k]-ws[k]) > 1e-12*ws[0] {
					t.Errorf("s[%d] = %.15g, thin SVD %.15g", k, s[k], ws[k])
				}
			}
			sameColumns(t, "L", l, wl, 1e-9)
			sameColumns(t, "R", r, wr, 1e-9)
			// Orthonormal to rounding.
			var g mat.Dense
			g.Mul(l.T(), l)
			for a := range d {
				for b := range d {
					want := 0.0
					if a == b {
						want = 1
					}
					if math.Abs(g.At(a, b)-want) > 1e-12 {
						t.Errorf("LᵀL[%d,%d] = %.3g, want %g", a, b, g.At(a, b), want)
					}
				}
			}
		})
	}
}

// TestAlignLanczosInvariants checks that Align from N = LanczosMinN on (Lanczos) gives the
// invariants of the thin-SVD path (γ, θ, ‖J_EF‖/‖Jˢ‖, eig(S·Aᵀ)) computed here from the
// reference triplets, at the 1e-9 of the vector comparison above.
func TestAlignLanczosInvariants(t *testing.T) {
	n := 300
	if n < LanczosMinN {
		t.Fatalf("n = %d below LanczosMinN = %d: the test would not exercise Lanczos", n, LanczosMinN)
	}
	js := structured(n, 1, []float64{7, 4}, newRand(3))
	al, err := Align(js, 2)
	if err != nil {
		t.Fatal(err)
	}
	ws, wl, wr := thinSVD(t, js, 2)
	var a mat.Dense
	a.Mul(wl.T(), wr)
	gamma, err := SingularValues(&a)
	if err != nil {
		t.Fatal(err)
	}
	for k := range 2 {
		if math.Abs(al.Gamma[k]-math.Min(gamma[k], 1)) > 1e-9 {
			t.Errorf("γ[%d] = %.12g, reference %.12g", k, al.Gamma[k], gamma[k])
		}
	}
	var la, rp mat.Dense
	la.Mul(wl, &a)
	rp.Sub(wr, &la)
	if ef := efRatio(ws, &rp); math.Abs(al.EFRatio-ef) > 1e-9 {
		t.Errorf("EFRatio = %.12g, reference %.12g", al.EFRatio, ef)
	}
	var sa mat.Dense
	sa.Mul(mat.NewDiagDense(2, ws), a.T())
	eig, err := Eigenvalues(&sa)
	if err != nil {
		t.Fatal(err)
	}
	for k := range eig {
		if !cclose(al.EigSA[k], eig[k], 1e-9*ws[0]) {
			t.Errorf("eig(S·Aᵀ)[%d] = %v, reference %v", k, al.EigSA[k], eig[k])
		}
	}
}

// TestTopSingularRefusesUnverifiable: an exactly rank-2 matrix with a double singular value
// is an invariant subspace that one Krylov sequence cannot resolve (it sees one direction of
// the pair); topSingular must refuse, and Align must still return the thin SVD's answer.
func TestTopSingularRefusesUnverifiable(t *testing.T) {
	n := 300
	js := structured(n, 0, []float64{3, 3}, newRand(4))
	sv, err := SingularValues(js)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, ok := topSingular(js, sv, 2); ok {
		t.Fatal("topSingular accepted the triplets of a double singular value of a rank-2 matrix")
	}
	al, err := Align(js, 2)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, _ := thinSVD(t, js, 2)
	for k := range 2 {
		if al.S[k] != ws[k] {
			t.Errorf("fallback S[%d] = %v, thin SVD %v", k, al.S[k], ws[k])
		}
	}
}
