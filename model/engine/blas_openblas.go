//go:build openblas

// This file switches every BLAS and LAPACK call of the process to OpenBLAS, through gonum's
// cgo bindings gonum.org/v1/netlib: gonum's blas32 and blas64 (used by the fused engine and
// by gonum/mat), Gorgonia with its tensor package (used by the plain graph), and gonum's
// lapack64 (mat.Eigen, mat.SVD, … of the analysis) through LAPACKE, which Debian builds over
// OpenBLAS's LAPACK. Build with
//
//	CGO_ENABLED=1 go build -tags openblas ./cmd/balnet
//
// after installing the libraries (Debian: apt-get install -y libopenblas-dev liblapacke-dev;
// `make openblas` does it). OpenBLAS is limited to one thread, so that one training uses one
// core (see Fused).

package engine

/*
#cgo LDFLAGS: -llapacke -lopenblas
void openblas_set_num_threads(int);
*/
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/netlib/blas/netlib"
	lapacke "gonum.org/v1/netlib/lapack/netlib"
	G "gorgonia.org/gorgonia"
)

func init() {
	C.openblas_set_num_threads(1)
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
	G.Use(netlib.Implementation{})
	lapack64.Use(lapacke.Implementation{})
	openblasName = "openblas"
}
