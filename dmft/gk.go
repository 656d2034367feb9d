package dmft

import "math"

// Kronrod nodes and weights of the 15-point Gauss–Kronrod rule on [−1, 1] (QUADPACK qk15),
// and the weights of the embedded 7-point Gauss rule, whose nodes are xgk[1], xgk[3],
// xgk[5] and xgk[7].
var (
	xgk = [8]float64{
		0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
		0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
		0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
		0.207784955007898467600689403773245, 0,
	}
	wgk = [8]float64{
		0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
		0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
		0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
		0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
	}
	wg = [4]float64{
		0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
		0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
	}
)

// gk15 applies the 15-point Kronrod rule to f on [a, b] and returns the Kronrod estimate
// and the error estimate |K15 − G7|.
func gk15(f func(float64) float64, a, b float64) (k, err float64) {
	c, h := 0.5*(a+b), 0.5*(b-a)
	fc := f(c)
	k = wgk[7] * fc
	g := wg[3] * fc
	for j := 0; j < 7; j++ {
		dx := h * xgk[j]
		s := f(c-dx) + f(c+dx)
		k += wgk[j] * s
		if j%2 == 1 {
			g += wg[j/2] * s
		}
	}
	return k * h, math.Abs((k - g) * h)
}

// maxIntervals bounds the subdivisions of one adaptive integral.
const maxIntervals = 64

// adaptive integrates f over [a, b] by globally adaptive Gauss–Kronrod G7K15 quadrature
// (the strategy of QUADPACK qag and Julia's QuadGK, which the reference code uses): the
// interval with the largest error estimate is bisected until the summed error is at most
// max(atol, rtol·|I|) or maxIntervals intervals are in use. gonum's integrate/quad offers
// fixed-point rules only (quad.Fixed with Legendre or Hermite nodes), which cannot adapt to
// the kink of relu(μ) near |ρ| = 1 or to the narrow Gaussian tails at large |x|, hence this
// small implementation. A breakpoint brk inside (a, b) (NaN for none) starts the
// subdivision, so a known kink lies on an interval boundary. The work space lives on the
// stack: no allocation.
func adaptive(f func(float64) float64, a, b, rtol, atol, brk float64) float64 {
	if !(b > a) {
		return 0
	}
	var lo, hi, val, est [maxIntervals]float64
	n := 0
	left := a
	for _, p := range [2]float64{brk, b} {
		if !(p > left && p <= b) {
			continue
		}
		lo[n], hi[n] = left, p
		val[n], est[n] = gk15(f, left, p)
		n++
		left = p
	}
	for {
		var sum, errSum float64
		worst := 0
		for i := 0; i < n; i++ {
			sum += val[i]
			errSum += est[i]
			if est[i] > est[worst] {
				worst = i
			}
		}
		if errSum <= math.Max(atol, rtol*math.Abs(sum)) || n == maxIntervals {
			return sum
		}
		m := 0.5 * (lo[worst] + hi[worst])
		if m <= lo[worst] || m >= hi[worst] { // interval at floating-point resolution
			return sum
		}
		lo[n], hi[n] = m, hi[worst]
		val[n], est[n] = gk15(f, m, hi[worst])
		hi[worst] = m
		val[worst], est[worst] = gk15(f, lo[worst], m)
		n++
	}
}
