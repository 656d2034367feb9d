package analysis

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

func TestEigenvaluesSorted(t *testing.T) {
	// Block-diagonal matrix with closed-form spectrum: diag(3, −1) and the rotation
	// generator [[0.5, −2], [2, 0.5]] with eigenvalues 0.5 ± 2i, plus a second real 0.5.
	m := mat.NewDense(5, 5, []float64{
		3, 0, 0, 0, 0,
		0, -1, 0, 0, 0,
		0, 0, 0.5, -2, 0,
		0, 0, 2, 0.5, 0,
		0, 0, 0, 0, 0.5,
	})
	got, err := Eigenvalues(m)
	if err != nil {
		t.Fatal(err)
	}
	want := []complex128{-1, complex(0.5, -2), 0.5, complex(0.5, 2), 3}
	if len(got) != len(want) {
		t.Fatalf("got %d eigenvalues, want %d", len(got), len(want))
	}
	for i := range want {
		if !cclose(got[i], want[i], 1e-12) {
			t.Errorf("eigenvalue %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestLinearized(t *testing.T) {
	rng := newRand(1)
	J := balancedCoupling(7, refB, refJ0, 1, true, rng)
	dphi := []float64{1, 0, 0.5, 1, 0, 2, 1}
	var want mat.Dense
	want.Mul(J, mat.NewDiagDense(len(dphi), dphi)) // M = J·diag(φ′), docs/science.md §3.1

	var got mat.Dense
	Linearized(&got, J, dphi)
	if !mat.EqualApprox(&got, &want, 1e-15) {
		t.Errorf("got\n%v\nwant\n%v", mat.Formatted(&got), mat.Formatted(&want))
	}

	inPlace := mat.DenseCopyOf(J)
	Linearized(inPlace, inPlace, dphi)
	if !mat.EqualApprox(inPlace, &want, 1e-15) {
		t.Errorf("in place: got\n%v\nwant\n%v", mat.Formatted(inPlace), mat.Formatted(&want))
	}
}

func TestOutliers(t *testing.T) {
	eig := []complex128{0.1, -3, complex(-1, 1), complex(-1, -1), 0.2}
	got := Outliers(eig, 3)
	want := []complex128{-3, complex(-1, -1), complex(-1, 1)}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if eig[0] != 0.1 {
		t.Errorf("input modified: got eig[0] = %v, want 0.1", eig[0])
	}
	if got := Outliers(eig, 10); len(got) != len(eig) {
		t.Errorf("k > len: got %d values, want %d", len(got), len(eig))
	}
}

func TestBulkRadiusUniformDisk(t *testing.T) {
	// A deterministic, nearly uniform sample of the disk |z − c| ≤ r (Vogel's sunflower
	// spiral: radius r·sqrt((k+½)/n), golden-angle increments), plus two far outliers.
	// The median of |z − c|² of this sample is r²/2 up to O(1/n).
	const (
		n = 2000
		r = 0.7
	)
	c := complex(0.25, 0)
	golden := math.Pi * (3 - math.Sqrt(5))
	eig := []complex128{-5, -4}
	for k := range n {
		rho := r * math.Sqrt((float64(k)+0.5)/n)
		eig = append(eig, c+complex(rho*math.Cos(golden*float64(k)), rho*math.Sin(golden*float64(k))))
	}
	for _, exclude := range []int{2, 0} { // 0: outliers left in, the median ignores them
		gotC, gotR := BulkRadius(eig, exclude)
		if tol := 0.01 * r; !cclose(gotC, c, tol) || !closeTo(gotR, r, tol) {
			t.Errorf("exclude %d: got centre %v radius %.4f, want %v %.4f (±%.4f)",
				exclude, gotC, gotR, c, r, tol)
		}
	}
	if gotC, gotR := BulkRadius(eig, len(eig)); !math.IsNaN(real(gotC)) || !math.IsNaN(gotR) {
		t.Errorf("no bulk: got (%v, %v), want NaN", gotC, gotR)
	}
}

// TestInitialSpectrum checks docs/science.md §3.1 and §7 item 3 on J = −(bJ₀/N)·11ᵀ + J̃ with
// J̃_ij ~ N(0, g²/N), N = 1000.
//
// Outlier tolerance. With u = 1/√N, J = −s·uuᵀ + J̃ (s = bJ₀) and the outlier λ solves
// 1 = −s·uᵀ(λ − J̃)⁻¹u; expanding for |λ| > g,
//
//	λ = −s + uᵀJ̃u + O(g²/(s√N)) + …,
//
// where uᵀJ̃u = (1/N)Σ_ij J̃_ij ~ N(0, g²/N) and the k-th correction is O(g^k/(s^{k−1}√N)).
// Summing the geometric series and allowing five standard deviations gives
//
//	|λ + s| ≤ 5·(g/√N)/(1 − g/s).
//
// Bulk: the circular law gives a disk of radius g (finite-N mean |λ|² = g²(N+1)/(2N) for
// Ginibre), checked within 5% (docs/science.md §3.1); the centre within 5% of g. With a zero
// diagonal the outlier moves to −s(N−1)/N and the bulk centre to +s/N (§1.2).
func TestInitialSpectrum(t *testing.T) {
	if testing.Short() {
		t.Skip("N = 1000 eigen-decompositions")
	}
	const n = 1000
	for _, tc := range []struct {
		g        float64
		zeroDiag bool
	}{
		{refG, false}, // code default g (§1.6)
		{0.5, false},  // a visible bulk that still leaves the outlier outside (g < bJ₀, §3.1)
		{0.5, true},   // the code's zero diagonal (§1.2)
	} {
		t.Run(fmt.Sprintf("g=%v/zeroDiag=%v", tc.g, tc.zeroDiag), func(t *testing.T) {
			J := balancedCoupling(n, refB, refJ0, tc.g, tc.zeroDiag, newRand(3))
			eig, err := Eigenvalues(J)
			if err != nil {
				t.Fatal(err)
			}
			s := refB * refJ0
			wantOut, wantC := -s, 0.0
			if tc.zeroDiag {
				wantOut, wantC = -s*(n-1)/n, s/n
			}
			out := Outliers(eig, 1)[0]
			tol := 5 * tc.g / math.Sqrt(n) / (1 - tc.g/s)
			if !cclose(out, complex(wantOut, 0), tol) {
				t.Errorf("outlier: got %v, want %v ± %.4f", out, wantOut, tol)
			}
			if b := Balance(J, refJ0); !closeTo(-b*refJ0, real(out), tol) {
				t.Errorf("outlier vs −b_emp·J₀ (§3.2): got %v, want %.4f ± %.4f", out, -b*refJ0, tol)
			}
			c, r := BulkRadius(eig, 1)
			if !closeTo(r, tc.g, 0.05*tc.g) {
				t.Errorf("bulk radius: got %.4f, want %.4f ± 5%%", r, tc.g)
			}
			if !cclose(c, complex(wantC, 0), 0.05*tc.g) {
				t.Errorf("bulk centre: got %v, want %v ± %.4f", c, wantC, 0.05*tc.g)
			}
			if _, r0 := BulkRadius(eig, 0); !closeTo(r0, tc.g, 0.05*tc.g) {
				t.Errorf("bulk radius with the outlier left in: got %.4f, want %.4f ± 5%%", r0, tc.g)
			}
		})
	}
}

// TestLinearizedSpectrum checks docs/science.md §7 item 3 for J·diag(φ′) with a ReLU-like φ′ ∈
// {0, 1} and a fraction χ = 1/2 of active units: outlier ≈ −bJ₀χ (the mean part has rank
// one with eigenvalue −(bJ₀/N)·1ᵀdiag(φ′)1), and after dropping the N(1−χ) structural zero
// eigenvalues the bulk radius is g·sqrt(χ). The outlier tolerance is that of
// TestInitialSpectrum with g → g√χ and s → bJ₀χ.
func TestLinearizedSpectrum(t *testing.T) {
	if testing.Short() {
		t.Skip("N = 1000 eigen-decomposition")
	}
	const (
		n   = 1000
		g   = 0.3 // bulk g√χ ≈ 0.21 well inside the outlier bJ₀χ = 0.5
		chi = 0.5
	)
	rng := newRand(4)
	J := balancedCoupling(n, refB, refJ0, g, true, rng)
	dphi := make([]float64, n)
	for _, i := range rng.Perm(n)[:int(chi*n)] {
		dphi[i] = 1
	}
	var M mat.Dense
	Linearized(&M, J, dphi)
	eig, err := Eigenvalues(&M)
	if err != nil {
		t.Fatal(err)
	}
	s, gEff := refB*refJ0*chi, g*math.Sqrt(chi)
	tol := 5 * gEff / math.Sqrt(n) / (1 - gEff/s)
	if out := Outliers(eig, 1)[0]; !cclose(out, complex(-s, 0), tol) {
		t.Errorf("outlier: got %v, want %v ± %.4f", out, -s, tol)
	}
	active := NonZero(eig, 1e-9)
	if got, want := len(active), int(chi*n); got != want {
		t.Errorf("nonzero eigenvalues: got %d, want %d", got, want)
	}
	if _, r := BulkRadius(active, 1); !closeTo(r, gEff, 0.05*gEff) {
		t.Errorf("active bulk radius: got %.4f, want %.4f ± 5%%", r, gEff)
	}
}

func TestBalance(t *testing.T) {
	// Zero-diagonal mean part −(bJ₀/N)(11ᵀ − I): b_emp = b(N−1)/N (docs/science.md §1.2, §3.2);
	// 0.99 for N = 100, b = J₀ = 1.
	const n = 100
	for _, b := range []float64{1, 10} {
		J := balancedCoupling(n, b, refJ0, 0, true, newRand(0))
		if got, want := Balance(J, refJ0), b*(n-1)/n; !scalar.EqualWithinAbsOrRel(got, want, 0, 1e-12) {
			t.Errorf("b = %v: got %v, want %v", b, got, want)
		}
		if got, want := MeanCoupling(J), -b*refJ0*(n-1)/(n*n); !scalar.EqualWithinAbsOrRel(got, want, 0, 1e-12) {
			t.Errorf("mean coupling b = %v: got %v, want %v", b, got, want)
		}
	}
}
