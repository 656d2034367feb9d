package analysis

// Array is one named float64 array for the per-epoch spectra file (.npz): Data in C
// (row-major) order with the given Shape. It has the field names of checkpoints.NamedArray:
// checkpoints.NamedArray{Name: a.Name, Shape: a.Shape, Data: a.Data}.
type Array struct {
	Name  string
	Shape []int
	Data  []float64
}

// Arrays returns the arrays of r for the figures, in this order:
//
//   - j_eig (N×2): eigenvalues of J as (re, im) rows, most negative real part first;
//   - lin_eig (N×2): eigenvalues of J·diag(φ′(h)), same layout (inactive ReLU units give
//     exact zeros);
//   - lin_state (N): the state h of the linearization;
//   - labels_win (N): k-means labels 0…k−1 of the rows of W_in;
//   - labels_j (N): k-means labels of the columns of J;
//   - order (N): SortByCluster(labels_win), the 0-based permutation that groups the neurons
//     by cluster (display J[order][:, order]);
//   - structure_sv (N): singular values of Jˢ = J − (J_init − E[J_init]), decreasing;
//   - align_gamma (D): γ_k = cos θ_k of the alignment (D = rank, possibly 0);
//   - align_eig (D×2): eig(S·Aᵀ), the nonzero eigenvalues of the rank-D structure, as
//     (re, im) rows, to set beside the outliers of J.
//
// Labels and indices are stored as float64 (exact for N < 2⁵³).
func (r *Record) Arrays() []Array {
	var gamma []float64
	var eigSA []complex128
	if r.Alignment != nil {
		gamma, eigSA = r.Alignment.Gamma, r.Alignment.EigSA
	}
	return []Array{
		complexArray("j_eig", r.JEig),
		complexArray("lin_eig", r.LinEig),
		{Name: "lin_state", Shape: []int{len(r.State)}, Data: append([]float64{}, r.State...)},
		intArray("labels_win", r.LabelsWin),
		intArray("labels_j", r.LabelsJ),
		intArray("order", r.Order),
		{Name: "structure_sv", Shape: []int{len(r.StructureSV)}, Data: append([]float64{}, r.StructureSV...)},
		{Name: "align_gamma", Shape: []int{len(gamma)}, Data: append([]float64{}, gamma...)},
		complexArray("align_eig", eigSA),
	}
}

func complexArray(name string, z []complex128) Array {
	data := make([]float64, 0, 2*len(z))
	for _, v := range z {
		data = append(data, real(v), imag(v))
	}
	return Array{Name: name, Shape: []int{len(z), 2}, Data: data}
}

func intArray(name string, x []int) Array {
	data := make([]float64, len(x))
	for i, v := range x {
		data[i] = float64(v)
	}
	return Array{Name: name, Shape: []int{len(x)}, Data: data}
}
