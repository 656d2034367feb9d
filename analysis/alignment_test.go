package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// alignTol is the tolerance of the exact constructions below: a few ulps times the
// condition of the O(N³) SVD of a 100×100 matrix.
const alignTol = 1e-10

// alignCase is one row of the docs/science.md §6.7 table.
type alignCase struct {
	name   string
	js     *mat.Dense
	rank   int
	gamma  []float64    // singular values of A, descending
	eig    []complex128 // eigenvalues of Jˢ, sorted as by Eigenvalues
	efNorm float64      // ‖J_EF‖_F; NaN if not specified
}

// alignTable builds the rows of the docs/science.md §6.7 table for N = 100.
func alignTable() []alignCase {
	const n = 100
	ones := func(lo, hi int) *mat.VecDense {
		v := mat.NewVecDense(n, nil)
		for i := lo; i < hi; i++ {
			v.SetVec(i, 1)
		}
		return v
	}
	outer := func(scale float64, u, v mat.Vector) *mat.Dense {
		m := mat.NewDense(n, n, nil)
		m.Outer(scale, u, v)
		return m
	}
	var cases []alignCase

	// Row 1: −(bJ₀/N)·11ᵀ, b = J₀ = 1 (§1.6) and b = 10.
	for _, b := range []float64{refB, 10} {
		cases = append(cases, alignCase{
			name: fmt.Sprintf("mean part b=%v", b), rank: 1,
			js:    outer(-b*refJ0/n, ones(0, n), ones(0, n)),
			gamma: []float64{1}, eig: []complex128{complex(-b*refJ0, 0)}, efNorm: 0,
		})
	}

	// Row 2: s·u·vᵀ with v = cos θ·u + sin θ·w, u ⊥ w unit; θ spans aligned to anti-aligned.
	const s = 3.0
	uw := orthonormal(n, 2, newRand(21))
	u, w := uw.ColView(0), uw.ColView(1)
	for _, deg := range []float64{0, 30, 45, 60, 90, 120, 180} {
		th := deg * math.Pi / 180
		v := mat.NewVecDense(n, nil)
		v.AddScaledVec(v, math.Cos(th), u)
		v.AddScaledVec(v, math.Sin(th), w)
		cases = append(cases, alignCase{
			name: fmt.Sprintf("s·u·vᵀ θ=%v°", deg), rank: 1,
			js:    outer(s, u, v),
			gamma: []float64{math.Abs(math.Cos(th))},
			eig:   []complex128{complex(s*math.Cos(th), 0)}, efNorm: s * math.Abs(math.Sin(th)),
		})
	}

	// Row 3: two blocks −(a/N)(1_A1_Aᵀ + 1_B1_Bᵀ), equal halves; a = J₀ = 1.
	const a = refJ0
	two := outer(-a/n, ones(0, n/2), ones(0, n/2))
	two.Add(two, outer(-a/n, ones(n/2, n), ones(n/2, n)))
	cases = append(cases, alignCase{
		name: "two blocks", rank: 2, js: two,
		gamma: []float64{1, 1}, eig: []complex128{-a / 2, -a / 2}, efNorm: 0,
	})

	// Row 4: E–I block means with the code's scaling J_xy/(N/2) (§1.5 item 11, §2.3):
	// J_EE = J_IE = 1, J_EI = −2, J_II = −1.8 ⇒ eig = eig([[1, −2], [1, −1.8]]) = −0.4 ± 0.2i.
	ei := mat.NewDense(n, n, nil)
	block := [2][2]float64{{1, -2}, {1, -1.8}} // [post][pre]: rows E, I; columns E, I
	for i := range n {
		for j := range n {
			ei.Set(i, j, block[i/(n/2)][j/(n/2)]/(n/2))
		}
	}
	cases = append(cases, alignCase{
		name: "E–I block means", rank: 2, js: ei,
		gamma: []float64{1, 1}, eig: []complex128{complex(-0.4, -0.2), complex(-0.4, 0.2)}, efNorm: 0,
	})

	// Row 5: (J/N)·1·kᵀ with out-degree weights k_i ~ U(0.5, 1.5) > 0; J = −1:
	// γ = 1/sqrt(1 + CV_k²) (population CV), eigenvalue J·mean(k).
	rng := newRand(22)
	k := make([]float64, n)
	for i := range k {
		k[i] = 0.5 + rng.Float64()
	}
	mk, vk := stat.PopMeanVariance(k, nil)
	cv := math.Sqrt(vk) / mk
	const jk = -1.0
	deg := outer(jk/n, ones(0, n), mat.NewVecDense(n, k))
	cases = append(cases, alignCase{
		name: "out-degree", rank: 1, js: deg,
		gamma: []float64{1 / math.Sqrt(1+cv*cv)}, eig: []complex128{complex(jk*mk, 0)},
		efNorm: mat.Norm(deg, 2) * cv / math.Sqrt(1+cv*cv), // s·sin θ with tan θ = CV
	})

	// Row 6: 2018 coherent chaos, (J₁/√N)·ξνᵀ, ξ = 1, ν = ±1 halves; J₁ = 1: θ = 90°,
	// nilpotent (eigenvalue 0), ‖J_EF‖ = s = J₁√N.
	nu := ones(0, n/2)
	nu.AddScaledVec(nu, -1, ones(n/2, n))
	cases = append(cases, alignCase{
		name: "coherent chaos 2018", rank: 1,
		js:    outer(1/math.Sqrt(n), ones(0, n), nu),
		gamma: []float64{0}, eig: []complex128{0}, efNorm: math.Sqrt(n),
	})
	return cases
}

func TestAlignTable(t *testing.T) {
	for _, tc := range alignTable() {
		t.Run(tc.name, func(t *testing.T) {
			al, err := Align(tc.js, tc.rank)
			if err != nil {
				t.Fatal(err)
			}
			if !floats.EqualApprox(al.Gamma, tc.gamma, alignTol) {
				t.Errorf("γ: got %v, want %v", al.Gamma, tc.gamma)
			}
			for k, g := range al.Gamma {
				if want := math.Acos(g); !closeTo(al.Theta[k], want, 1e-15) {
					t.Errorf("θ_%d: got %v, want arccos γ = %v", k, al.Theta[k], want)
				}
			}
			if len(al.EigSA) != len(tc.eig) {
				t.Fatalf("eig(S·Aᵀ): got %v, want %v", al.EigSA, tc.eig)
			}
			for k := range tc.eig {
				if !cclose(al.EigSA[k], tc.eig[k], alignTol) {
					t.Errorf("eig(S·Aᵀ)_%d: got %v, want %v", k, al.EigSA[k], tc.eig[k])
				}
			}
			_, ef := SRandEF(tc.js, al.L)
			if got := mat.Norm(ef, 2); !closeTo(got, tc.efNorm, alignTol) {
				t.Errorf("‖J_EF‖_F: got %v, want %v", got, tc.efNorm)
			}
			if got, want := al.EFRatio, tc.efNorm/mat.Norm(tc.js, 2); !closeTo(got, want, alignTol) {
				t.Errorf("EFRatio: got %v, want %v", got, want)
			}
		})
	}
}

// TestAlignIdentities checks the docs/science.md §6.3 identities on a random incompletely
// aligned rank-3 structure Jˢ = L₀·diag(5, 3, 2)·R₀ᵀ with independent random subspaces.
func TestAlignIdentities(t *testing.T) {
	const n, d = 60, 3
	rng := newRand(31)
	js := lowRank(orthonormal(n, d, rng), orthonormal(n, d, rng), []float64{5, 3, 2})
	al, err := Align(js, d)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(al.Structured(), js, alignTol) {
		t.Errorf("L·S·Rᵀ does not reconstruct Jˢ")
	}
	if want := []float64{5, 3, 2}; !floats.EqualApprox(al.S, want, alignTol) {
		t.Errorf("S: got %v, want %v", al.S, want)
	}

	// J_SR + J_EF = Jˢ and J_SR = L·S·Aᵀ·Lᵀ.
	sr, ef := SRandEF(js, al.L)
	var sum mat.Dense
	sum.Add(sr, ef)
	if !mat.EqualApprox(&sum, js, alignTol) {
		t.Errorf("J_SR + J_EF ≠ Jˢ")
	}
	var lsa, wantSR mat.Dense
	lsa.Mul(al.L, mat.NewDiagDense(d, al.S))
	lsa.Mul(&lsa, al.A.T())
	wantSR.Mul(&lsa, al.L.T())
	if !mat.EqualApprox(sr, &wantSR, alignTol) {
		t.Errorf("J_SR ≠ L·S·Aᵀ·Lᵀ")
	}

	// ‖J_SR‖² = Σ s_k²(AᵀA)_kk, ‖J_EF‖² = Σ s_k²(1 − (AᵀA)_kk).
	var ata mat.Dense
	ata.Mul(al.A.T(), al.A)
	var wantSR2, wantEF2, total float64
	for k, s := range al.S {
		wantSR2 += s * s * ata.At(k, k)
		wantEF2 += s * s * (1 - ata.At(k, k))
		total += s * s
	}
	if got := math.Pow(mat.Norm(sr, 2), 2); !closeTo(got, wantSR2, alignTol) {
		t.Errorf("‖J_SR‖_F²: got %v, want %v", got, wantSR2)
	}
	if got := math.Pow(mat.Norm(ef, 2), 2); !closeTo(got, wantEF2, alignTol) {
		t.Errorf("‖J_EF‖_F²: got %v, want %v", got, wantEF2)
	}
	if want := math.Sqrt(wantEF2 / total); !closeTo(al.EFRatio, want, alignTol) {
		t.Errorf("EFRatio: got %v, want %v", al.EFRatio, want)
	}

	// R_⊥ᵀR_⊥ = I − AᵀA.
	rp := al.RPerp()
	var gotG, wantG mat.Dense
	gotG.Mul(rp.T(), rp)
	wantG.Sub(eye(d), &ata)
	if !mat.EqualApprox(&gotG, &wantG, alignTol) {
		t.Errorf("R_⊥ᵀR_⊥: got\n%v\nwant I − AᵀA =\n%v", mat.Formatted(&gotG), mat.Formatted(&wantG))
	}

	// Nonzero eig(Jˢ) = eig(S·Aᵀ) = eig(S·RᵀL); since S is diagonal also = eig(S·A).
	full, err := Eigenvalues(js)
	if err != nil {
		t.Fatal(err)
	}
	nonzero := NonZero(full, 1e-9)
	var sa mat.Dense
	sa.Mul(mat.NewDiagDense(d, al.S), al.A)
	eigSA, err := Eigenvalues(&sa)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  []complex128
	}{{"eig(Jˢ)≠0", nonzero}, {"eig(S·A)", eigSA}} {
		if len(c.got) != d {
			t.Fatalf("%s: got %v, want %d values", c.name, c.got, d)
		}
		for k := range d {
			if !cclose(c.got[k], al.EigSA[k], alignTol) {
				t.Errorf("%s_%d: got %v, want eig(S·Aᵀ)_%d = %v", c.name, k, c.got[k], k, al.EigSA[k])
			}
		}
	}

	// Principal angles: γ = cos θ are the singular values of A and lie in [0, 1].
	if !slices.IsSortedFunc(al.Gamma, func(a, b float64) int { return cmp.Compare(b, a) }) {
		t.Errorf("γ not descending: %v", al.Gamma)
	}
	for _, g := range al.Gamma {
		if g < 0 || g > 1 {
			t.Errorf("γ = %v outside [0, 1]", g)
		}
	}
}

// TestAlignPlantedInBulk recovers a planted rank-2 structure from J = Jˢ + J̃ with
// g = refG (code default, §1.6) via RankAbove at the bulk edge 2g (§6.6); the alignment
// is then accurate to the Davis–Kahan scale 2g/s_min = 0.032 (§6.6 step 4).
func TestAlignPlantedInBulk(t *testing.T) {
	const n = 200
	rng := newRand(41)
	// L₀ = (q₁, q₂) and R₀ = (q₁, cos θ·q₂ + sin θ·q₃) with q orthonormal, θ = 40°:
	// A = diag(1, cos θ).
	q := orthonormal(n, 3, rng)
	L0 := mat.DenseCopyOf(q.Slice(0, n, 0, 2))
	R0 := mat.NewDense(n, 2, nil)
	th := 40 * math.Pi / 180
	for i := range n {
		R0.Set(i, 0, q.At(i, 0))
		R0.Set(i, 1, math.Cos(th)*q.At(i, 1)+math.Sin(th)*q.At(i, 2))
	}
	J := lowRank(L0, R0, []float64{4, 2})
	J.Add(J, balancedCoupling(n, 0, refJ0, refG, false, rng))

	sv, err := SingularValues(J)
	if err != nil {
		t.Fatal(err)
	}
	d := RankAbove(sv, 2*refG*1.2, 10)
	if d != 2 {
		t.Fatalf("rank: got %d, want 2 (singular values %v…)", d, sv[:4])
	}
	al, err := Align(J, d)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, math.Cos(th)}
	if tol := 2 * refG / 2; !floats.EqualApprox(al.Gamma, want, tol) { // 2g/s_min
		t.Errorf("γ: got %v, want %v ± %v", al.Gamma, want, tol)
	}
}

func TestAlignErrors(t *testing.T) {
	js := mat.NewDense(3, 3, nil)
	for _, rank := range []int{0, 4} {
		if _, err := Align(js, rank); !errors.Is(err, ErrRank) {
			t.Errorf("rank %d: got %v, want ErrRank", rank, err)
		}
	}
}

func TestRankAbove(t *testing.T) {
	sv := []float64{5, 0.1, 3, 0.07, 0.064}
	for _, tc := range []struct {
		threshold float64
		max, want int
	}{
		{0.064 * 1.1, 0, 3}, // 2g·(1 + ε) with the code's g = 0.032 (§6.6)
		{0.064 * 1.1, 2, 2},
		{10, 0, 0},
		{0.064, 0, 4}, // strictly above
	} {
		if got := RankAbove(sv, tc.threshold, tc.max); got != tc.want {
			t.Errorf("RankAbove(%v, %v, %d): got %d, want %d", sv, tc.threshold, tc.max, got, tc.want)
		}
	}
}

// eye returns the n×n identity.
func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}
