package checkpoints

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"unicode/utf8"
)

// Container constants; see the package documentation for the byte layout.
const (
	// Magic is the first 8 bytes of every container.
	Magic = "BALNETCK"
	// Version is the format version this build writes, and the only one it reads.
	Version uint32 = 1
)

const (
	headerSize  = 8 + 4 + 8 // magic, version, payload length
	trailerSize = 4         // CRC-32C of the payload
	// minSectionSize is the smallest encoded section: a 1-byte name and one
	// dimension of length 0 (name length 2 + name 1 + kind 1 + rank 1 + dim 8).
	minSectionSize = 2 + 1 + 1 + 1 + 8
	// chunk is the size of the encoder's staging buffer.
	chunk = 64 << 10
)

// castagnoli is the CRC-32C table. CRC-32C (rather than SHA-256) because the checksum
// guards against accidental damage (torn writes, bit rot, truncated copies), not against
// an adversary: it detects every burst of up to 32 flipped bits, misses a random
// corruption with probability 2⁻³², and hash/crc32 computes it with the CPU's CRC32
// instruction at many GB/s.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// payloadSize validates f and returns the number of bytes of its encoded payload.
func payloadSize(f *File) (uint64, error) {
	if uint64(len(f.Sections)) > math.MaxUint32 {
		return 0, fmt.Errorf("checkpoints: %d sections exceed %d", len(f.Sections), uint64(math.MaxUint32))
	}
	seen := make(map[string]bool, len(f.Sections))
	n := uint64(4)
	for i := range f.Sections {
		s := &f.Sections[i]
		if err := s.validate(); err != nil {
			return 0, err
		}
		if seen[s.Name] {
			return 0, fmt.Errorf("checkpoints: duplicate section name %q", s.Name)
		}
		seen[s.Name] = true
		rank := max(len(s.Shape), 1)
		n += 2 + uint64(len(s.Name)) + 1 + 1 + 8*uint64(rank) + uint64(s.Len())*uint64(s.Kind().size())
	}
	return n, nil
}

// EncodedSize returns the number of bytes Encode writes for f, or an error if f cannot
// be encoded (see Encode).
func EncodedSize(f *File) (int64, error) {
	n, err := payloadSize(f)
	if err != nil {
		return 0, err
	}
	return int64(headerSize + n + trailerSize), nil
}

// Encode writes f to w as one container (see the package documentation for the
// layout). It streams: besides a 64 KiB staging buffer it allocates nothing
// proportional to the data.
//
// Encode returns an error without writing anything if f is invalid: an empty, over-long
// (MaxNameLen), non-UTF-8 or duplicate name, an unsupported Data type, a rank above
// MaxRank, or a Shape whose product differs from the number of elements.
func Encode(w io.Writer, f *File) error {
	n, err := payloadSize(f)
	if err != nil {
		return err
	}
	e := &encoder{w: w, buf: make([]byte, 0, chunk)}
	e.buf = append(e.buf, Magic...)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, Version)
	e.buf = binary.LittleEndian.AppendUint64(e.buf, n)
	e.flush() // the header is not covered by the checksum
	e.sum = true

	e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(len(f.Sections)))
	for i := range f.Sections {
		e.section(&f.Sections[i])
	}
	e.flush()
	if e.err != nil {
		return e.err
	}
	var sum [trailerSize]byte
	binary.LittleEndian.PutUint32(sum[:], e.crc)
	_, err = w.Write(sum[:])
	return err
}

// encoder stages bytes in buf and writes them to w in chunks, keeping the CRC-32C of
// the bytes written while sum is set. After the first write error it does nothing.
type encoder struct {
	w   io.Writer
	buf []byte
	sum bool
	crc uint32
	err error
}

// flush writes the staged bytes.
func (e *encoder) flush() {
	if e.err == nil && len(e.buf) > 0 {
		if e.sum {
			e.crc = crc32.Update(e.crc, castagnoli, e.buf)
		}
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
}

// room flushes if fewer than k bytes are free in the staging buffer (k ≤ chunk).
func (e *encoder) room(k int) {
	if cap(e.buf)-len(e.buf) < k {
		e.flush()
	}
}

func (e *encoder) section(s *Section) {
	shape := s.Shape
	if len(shape) == 0 {
		shape = []int{s.Len()}
	}
	e.room(2 + len(s.Name) + 2 + 8*len(shape))
	e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(len(s.Name)))
	e.buf = append(e.buf, s.Name...)
	e.buf = append(e.buf, byte(s.Kind()), byte(len(shape)))
	for _, d := range shape {
		e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(d))
	}
	e.elements(s.Data)
}

// elements writes the elements of data (one of the four section types), little-endian.
func (e *encoder) elements(data any) {
	switch d := data.(type) {
	case []byte:
		// Written directly rather than copied into the staging buffer.
		e.flush()
		if e.err == nil && len(d) > 0 {
			if e.sum {
				e.crc = crc32.Update(e.crc, castagnoli, d)
			}
			_, e.err = e.w.Write(d)
		}
	case []float64:
		for len(d) > 0 {
			b := e.free(8)
			n := min(len(d), len(b)/8)
			for i, v := range d[:n] {
				binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
			}
			e.buf = e.buf[:len(e.buf)+8*n]
			d = d[n:]
		}
	case []float32:
		for len(d) > 0 {
			b := e.free(4)
			n := min(len(d), len(b)/4)
			for i, v := range d[:n] {
				binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
			}
			e.buf = e.buf[:len(e.buf)+4*n]
			d = d[n:]
		}
	case []int64:
		for len(d) > 0 {
			b := e.free(8)
			n := min(len(d), len(b)/8)
			for i, v := range d[:n] {
				binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
			}
			e.buf = e.buf[:len(e.buf)+8*n]
			d = d[n:]
		}
	}
}

// free returns the free part of the staging buffer, flushing first if it is shorter
// than k bytes (k ≤ chunk).
func (e *encoder) free(k int) []byte {
	e.room(k)
	return e.buf[len(e.buf):cap(e.buf)]
}

// Decode reads one container of exactly size bytes from r.
//
// size must be the container's true size (for a file, its size from Stat): every length
// read from the data is checked against what remains of size before anything is
// allocated, so a damaged or hostile length field cannot make Decode allocate more than
// about twice size, nor read past it. A container shorter than size yields ErrTruncated;
// a longer one, ErrCorrupt.
//
// Format errors wrap ErrMagic, ErrVersion, ErrTruncated, ErrChecksum or ErrCorrupt (test
// with errors.Is); the magic is checked first, then the version, the length, the
// checksum, and only then is the payload parsed. Errors from r are returned wrapped.
func Decode(r io.Reader, size int64) (*File, error) {
	var hdr [headerSize]byte
	k, err := io.ReadFull(r, hdr[:min(max(size, 0), headerSize)])
	if m := min(k, len(Magic)); string(hdr[:m]) != Magic[:m] {
		return nil, fmt.Errorf("checkpoints: %w: starts with %q, want %q", ErrMagic, hdr[:m], Magic)
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("checkpoints: %w: data ends in the %d-byte header, after %d bytes", ErrTruncated, headerSize, k)
		}
		return nil, fmt.Errorf("checkpoints: reading header: %w", err)
	}
	if size < headerSize+trailerSize {
		return nil, fmt.Errorf("checkpoints: %w: %d bytes, a container has at least %d", ErrTruncated, size, headerSize+trailerSize)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:12]); v != Version {
		return nil, fmt.Errorf("checkpoints: %w: version %d, this build reads version %d", ErrVersion, v, Version)
	}
	n := binary.LittleEndian.Uint64(hdr[12:20])
	avail := uint64(size - headerSize - trailerSize)
	switch {
	case n > avail:
		return nil, fmt.Errorf("checkpoints: %w: header declares a %d-byte payload, only %d bytes follow", ErrTruncated, n, avail)
	case n < avail:
		return nil, fmt.Errorf("checkpoints: %w: %d bytes after the checksum of a %d-byte payload", ErrCorrupt, avail-n, n)
	}
	buf := make([]byte, n+trailerSize) // n+4 ≤ size: bounded by the caller's size
	if k, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("checkpoints: %w: data ends after %d of %d bytes", ErrTruncated, headerSize+k, size)
		}
		return nil, fmt.Errorf("checkpoints: reading payload: %w", err)
	}
	payload := buf[:n]
	want := binary.LittleEndian.Uint32(buf[n:])
	if got := crc32.Checksum(payload, castagnoli); got != want {
		return nil, fmt.Errorf("checkpoints: %w: stored CRC-32C %#08x, payload has %#08x", ErrChecksum, want, got)
	}
	return parse(payload)
}

// parse decodes a payload whose checksum has been verified. It is defensive all the
// same (the checksum is no protection against a bug or a crafted file): every count is
// checked against the bytes that remain before it is used to allocate.
func parse(p []byte) (*File, error) {
	d := &decoder{p: p}
	count := d.u32()
	if d.err == nil && uint64(count) > uint64(d.left()/minSectionSize) {
		d.fail("%d sections cannot fit in %d bytes", count, d.left())
	}
	if d.err != nil {
		return nil, d.err
	}
	// Capacity hints are capped: the slice and the map grow with the sections actually
	// parsed, each of which consumes at least minSectionSize bytes.
	f := &File{Sections: make([]Section, 0, min(count, 1024))}
	seen := make(map[string]bool, min(count, 1024))
	for i := range int(count) {
		s := d.section()
		if d.err != nil {
			return nil, fmt.Errorf("%w (section %d)", d.err, i)
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("checkpoints: %w: duplicate section name %q (section %d)", ErrCorrupt, s.Name, i)
		}
		seen[s.Name] = true
		f.Sections = append(f.Sections, s)
	}
	if d.left() != 0 {
		return nil, fmt.Errorf("checkpoints: %w: %d bytes after the last section", ErrCorrupt, d.left())
	}
	return f, nil
}

// decoder reads little-endian fields from a payload, recording the first error.
type decoder struct {
	p   []byte
	off int
	err error
}

func (d *decoder) left() int { return len(d.p) - d.off }

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("checkpoints: %w: payload offset %d: %s", ErrCorrupt, d.off, fmt.Sprintf(format, args...))
	}
}

// take returns the next k bytes, or nil after recording an error if fewer remain.
func (d *decoder) take(k int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if k < 0 || k > d.left() {
		d.fail("%s needs %d bytes, %d remain", what, k, d.left())
		return nil
	}
	b := d.p[d.off : d.off+k]
	d.off += k
	return b
}

func (d *decoder) u8(what string) uint8 {
	if b := d.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16(what string) uint16 {
	if b := d.take(2, what); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.take(4, "section count"); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) section() Section {
	var s Section
	nameLen := int(d.u16("name length"))
	if d.err == nil && (nameLen == 0 || nameLen > MaxNameLen) {
		d.fail("name length %d, want 1 to %d", nameLen, MaxNameLen)
	}
	name := d.take(nameLen, "name")
	if d.err == nil && !utf8.Valid(name) {
		d.fail("name %q is not valid UTF-8", name)
	}
	kind := Kind(d.u8("kind"))
	size := kind.size()
	if d.err == nil && size == 0 {
		d.fail("unknown kind %d in section %q", kind, name)
	}
	rank := int(d.u8("rank"))
	if d.err == nil && (rank == 0 || rank > MaxRank) {
		d.fail("rank %d, want 1 to %d", rank, MaxRank)
	}
	raw := d.take(8*rank, "shape")
	if d.err != nil {
		return s
	}
	dims := make([]uint64, rank)
	s.Shape = make([]int, rank)
	for i := range dims {
		dims[i] = binary.LittleEndian.Uint64(raw[8*i:])
		if dims[i] > math.MaxInt {
			d.fail("dimension %d of section %q is %d", i, name, dims[i])
			return s
		}
		s.Shape[i] = int(dims[i])
	}
	n, ok := product(dims, uint64(d.left()/size))
	if !ok {
		d.fail("shape %v of %v in section %q needs more than the %d bytes that remain", dims, kind, name, d.left())
		return s
	}
	data := d.take(int(n)*size, "data")
	s.Name = string(name)
	s.Data = decodeElements(kind, data)
	return s
}

// decodeElements returns the little-endian elements of kind in data as a new slice
// (len(data) is a multiple of the element size).
func decodeElements(kind Kind, data []byte) any {
	switch kind {
	case KindBytes:
		return append([]byte{}, data...)
	case KindFloat64:
		v := make([]float64, len(data)/8)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		return v
	case KindFloat32:
		v := make([]float32, len(data)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		return v
	case KindInt64:
		v := make([]int64, len(data)/8)
		for i := range v {
			v[i] = int64(binary.LittleEndian.Uint64(data[8*i:]))
		}
		return v
	}
	panic(fmt.Sprintf("checkpoints: decodeElements of %v", kind))
}

// ReadFile reads and verifies the container at path. Every error it returns is an
// *fs.PathError naming path, wrapping the cause (a format sentinel such as ErrChecksum,
// or the operating system's error).
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err // already an *fs.PathError with the path
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read checkpoint", Path: path, Err: fmt.Errorf("checkpoints: %w: not a regular file (%v)", ErrCorrupt, info.Mode().Type())}
	}
	f, err := Decode(fh, info.Size())
	if err != nil {
		return nil, &fs.PathError{Op: "read checkpoint", Path: path, Err: err}
	}
	return f, nil
}

// WriteFile encodes f into the file at path atomically (see WriteAtomic): after a crash
// the path holds either its previous content or all of f, durably. The file's mode is
// 0644 before the umask.
func WriteFile(path string, f *File) error {
	return WriteAtomic(path, 0o644, func(w io.Writer) error { return Encode(w, f) })
}
