package checkpoints

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// NamedArray is one array of an .npz file: Data is a []float64, []float32, []int64 or
// []byte (numpy dtypes '<f8', '<f4', '<i8', '|u1'), Shape its dimensions in C order (nil
// or empty: 1-D). It has the fields of Section, so a Section converts: NamedArray(s).
type NamedArray struct {
	Name  string
	Shape []int
	Data  any
}

const (
	npyMagic = "\x93NUMPY"
	// npyAlign: numpy pads the header so the data starts at a multiple of 64 bytes.
	npyAlign = 64
	// maxNPYHeader bounds the header a reader accepts (numpy's own default limit is
	// 10000 bytes).
	maxNPYHeader = 1 << 16
	// maxDeflateRatio is the largest expansion of deflate (RFC 1951: 258 bytes per
	// 2-bit code, about 1032:1); it bounds what a compressed member can decompress to.
	maxDeflateRatio = 1032
)

// zipTime is the modification time of every member, so equal arrays give equal bytes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func descr(k Kind) string {
	switch k {
	case KindBytes:
		return "|u1"
	case KindFloat64:
		return "<f8"
	case KindFloat32:
		return "<f4"
	case KindInt64:
		return "<i8"
	}
	return ""
}

// npyHeader returns the NPY 1.0 preamble of an array: magic, version 1.0, header length
// and the header dict padded with spaces to end, with its newline, at a multiple of 64.
func npyHeader(k Kind, shape []int) []byte {
	var tuple string
	switch len(shape) {
	case 1:
		tuple = "(" + strconv.Itoa(shape[0]) + ",)"
	default:
		dims := make([]string, len(shape))
		for i, d := range shape {
			dims[i] = strconv.Itoa(d)
		}
		tuple = "(" + strings.Join(dims, ", ") + ")"
	}
	dict := "{'descr': '" + descr(k) + "', 'fortran_order': False, 'shape': " + tuple + ", }"
	pre := len(npyMagic) + 2 + 2
	pad := (npyAlign - (pre+len(dict)+1)%npyAlign) % npyAlign
	b := make([]byte, 0, pre+len(dict)+pad+1)
	b = append(b, npyMagic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)+pad+1))
	b = append(b, dict...)
	b = append(b, bytes.Repeat([]byte{' '}, pad)...)
	return append(b, '\n')
}

// WriteNPZ writes arrays to w as an .npz archive, which numpy.load reads (with
// allow_pickle=False) into a mapping from each Name to an ndarray of the same dtype,
// shape and bits. Members are NAME.npy, stored uncompressed, in the order given; see the
// package documentation for the NPY layout.
//
// Names must be non-empty, unique, valid UTF-8 and valid slash-separated relative
// paths (fs.ValidPath); an invalid array is reported before anything is written.
func WriteNPZ(w io.Writer, arrays []NamedArray) error {
	seen := make(map[string]bool, len(arrays))
	for _, a := range arrays {
		s := Section(a)
		if err := s.validate(); err != nil {
			return err
		}
		if !fs.ValidPath(a.Name) || a.Name == "." {
			return fmt.Errorf("checkpoints: array name %q is not a valid relative path", a.Name)
		}
		if seen[a.Name] {
			return fmt.Errorf("checkpoints: duplicate array name %q", a.Name)
		}
		seen[a.Name] = true
	}
	zw := zip.NewWriter(w)
	e := &encoder{buf: make([]byte, 0, chunk)}
	for _, a := range arrays {
		s := Section(a)
		mw, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store, Modified: zipTime})
		if err != nil {
			return err
		}
		e.w = mw
		e.buf = append(e.buf, npyHeader(s.Kind(), s.Dims())...)
		e.elements(a.Data)
		e.flush()
		if e.err != nil {
			return e.err
		}
	}
	return zw.Close()
}

// ReadNPZ reads an .npz archive of size bytes from r: every member must be NAME.npy, an
// NPY file (version 1.0, 2.0 or 3.0) of dtype '<f8', '<f4', '<i8' or '|u1' (also
// '<u1') in C order. Arrays are returned in archive order; a 0-d array has an empty
// Shape. Allocation is bounded by size: each member's declared size is checked against
// its compressed size before anything is allocated for it.
//
// Malformed data wraps ErrCorrupt (or zip's errors); valid NPY that this reader does not
// handle (another dtype, Fortran order) wraps errors.ErrUnsupported.
func ReadNPZ(r io.ReaderAt, size int64) ([]NamedArray, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: npz: %w", err)
	}
	arrays := make([]NamedArray, 0, len(zr.File))
	seen := make(map[string]bool, len(zr.File))
	for _, zf := range zr.File {
		name, ok := strings.CutSuffix(zf.Name, ".npy")
		if !ok || name == "" {
			return nil, fmt.Errorf("checkpoints: npz: %w: member %q is not NAME.npy", ErrCorrupt, zf.Name)
		}
		if seen[name] {
			return nil, fmt.Errorf("checkpoints: npz: %w: duplicate member %q", ErrCorrupt, zf.Name)
		}
		seen[name] = true
		// The member's declared size is verified by archive/zip while reading; bound
		// it by what the compressed bytes can hold before trusting it to allocate.
		limit := zf.CompressedSize64
		if zf.Method != zip.Store {
			limit *= maxDeflateRatio
		}
		if zf.CompressedSize64 > uint64(size) || zf.UncompressedSize64 > limit {
			return nil, fmt.Errorf("checkpoints: npz: %w: member %q declares %d bytes from %d compressed bytes", ErrCorrupt, zf.Name, zf.UncompressedSize64, zf.CompressedSize64)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("checkpoints: npz: member %q: %w", zf.Name, err)
		}
		a, err := readNPY(rc, zf.UncompressedSize64)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("checkpoints: npz: member %q: %w", zf.Name, err)
		}
		a.Name = name
		arrays = append(arrays, a)
	}
	return arrays, nil
}

// readNPY reads one NPY file of exactly total bytes.
func readNPY(r io.Reader, total uint64) (NamedArray, error) {
	var a NamedArray
	var pre [len(npyMagic) + 2]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return a, fmt.Errorf("%w: preamble: %v", ErrTruncated, err)
	}
	if string(pre[:len(npyMagic)]) != npyMagic {
		return a, fmt.Errorf("%w: magic %q, want %q", ErrCorrupt, pre[:len(npyMagic)], npyMagic)
	}
	var hlen uint64
	switch major := pre[len(npyMagic)]; major {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return a, fmt.Errorf("%w: header length: %v", ErrTruncated, err)
		}
		hlen = uint64(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return a, fmt.Errorf("%w: header length: %v", ErrTruncated, err)
		}
		hlen = uint64(binary.LittleEndian.Uint32(b[:]))
	default:
		return a, fmt.Errorf("%w: NPY version %d.%d", errors.ErrUnsupported, major, pre[len(npyMagic)+1])
	}
	if hlen > maxNPYHeader || hlen > total {
		return a, fmt.Errorf("%w: header of %d bytes", ErrCorrupt, hlen)
	}
	header := make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return a, fmt.Errorf("%w: header: %v", ErrTruncated, err)
	}
	kind, shape, err := parseNPYHeader(string(header))
	if err != nil {
		return a, err
	}
	a.Shape = shape
	used := uint64(len(pre)) + uint64(len(header))
	if pre[len(npyMagic)] == 1 {
		used += 2
	} else {
		used += 4
	}
	if used > total {
		return a, fmt.Errorf("%w: header overruns the member", ErrCorrupt)
	}
	size := uint64(kind.size())
	dims := make([]uint64, len(shape))
	for i, d := range shape {
		dims[i] = uint64(d)
	}
	n, ok := product(dims, (total-used)/size)
	if !ok || n*size != total-used {
		return a, fmt.Errorf("%w: shape %v of %v does not fill the %d data bytes", ErrCorrupt, shape, kind, total-used)
	}
	data := make([]byte, n*size)
	if _, err := io.ReadFull(r, data); err != nil {
		return a, fmt.Errorf("%w: data: %v", ErrTruncated, err)
	}
	// Read to the end, so that archive/zip verifies the member's size and CRC-32.
	if extra, err := io.Copy(io.Discard, r); err != nil || extra != 0 {
		return a, fmt.Errorf("%w: after the data: %d more bytes, %v", ErrCorrupt, extra, err)
	}
	a.Data = decodeElements(kind, data)
	return a, nil
}

// parseNPYHeader parses the Python dict literal of an NPY header, for example
// "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }" followed by padding.
func parseNPYHeader(h string) (Kind, []int, error) {
	p := &pyParser{s: h}
	bad := func(what string) (Kind, []int, error) {
		return 0, nil, fmt.Errorf("%w: header %q: %s at offset %d", ErrCorrupt, h, what, p.i)
	}
	if !p.eat('{') {
		return bad("want '{'")
	}
	var (
		kind            Kind
		shape           []int
		haveD, haveF    bool
		haveS, fortran  bool
		descrText, what string
	)
	for !p.eat('}') {
		key, ok := p.str()
		if !ok || !p.eat(':') {
			return bad("want 'key':")
		}
		switch key {
		case "descr":
			if descrText, ok = p.str(); !ok {
				return bad("descr: want a string")
			}
			haveD = true
		case "fortran_order":
			if fortran, ok = p.boolean(); !ok {
				return bad("fortran_order: want True or False")
			}
			haveF = true
		case "shape":
			if shape, ok = p.tuple(); !ok {
				return bad("shape: want a tuple of non-negative integers")
			}
			haveS = true
		default:
			return bad("unknown key " + strconv.Quote(key))
		}
		if !p.eat(',') {
			if !p.eat('}') {
				return bad("want ',' or '}'")
			}
			break
		}
	}
	if strings.TrimRight(h[p.i:], " \t\n\x00") != "" {
		return bad("text after the dict")
	}
	if !haveD || !haveF || !haveS {
		return bad("want the keys 'descr', 'fortran_order' and 'shape'")
	}
	switch descrText {
	case "<f8":
		kind = KindFloat64
	case "<f4":
		kind = KindFloat32
	case "<i8":
		kind = KindInt64
	case "|u1", "<u1":
		kind = KindBytes
	default:
		what = "dtype " + strconv.Quote(descrText)
	}
	if fortran {
		what = "Fortran order"
	}
	if what != "" {
		return 0, nil, fmt.Errorf("%w: %s (this reader takes '<f8', '<f4', '<i8' and '|u1' in C order)", errors.ErrUnsupported, what)
	}
	return kind, shape, nil
}

// pyParser reads the few Python literals of an NPY header: strings without escapes,
// True/False and tuples of integers. Every method skips leading white space.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) str() (string, bool) {
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", false
	}
	p.i += end + 2
	return v, true
}

func (p *pyParser) boolean() (bool, bool) {
	p.space()
	for _, w := range []string{"True", "False"} {
		if strings.HasPrefix(p.s[p.i:], w) {
			p.i += len(w)
			return w == "True", true
		}
	}
	return false, false
}

func (p *pyParser) tuple() ([]int, bool) {
	if !p.eat('(') {
		return nil, false
	}
	dims := []int{}
	for !p.eat(')') {
		if len(dims) == MaxRank {
			return nil, false
		}
		p.space()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		d, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return nil, false
		}
		p.i = j
		if p.i < len(p.s) && p.s[p.i] == 'L' { // Python 2's long suffix
			p.i++
		}
		dims = append(dims, d)
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, false
			}
			break
		}
	}
	return dims, true
}
