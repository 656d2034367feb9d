package checkpoints

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Errors reported while decoding a container. They are sentinels: test for them with
// errors.Is, since the returned errors wrap them with the details (offset, field, values)
// and, from ReadFile, with the path.
var (
	// ErrMagic: the data does not start with Magic; it is not a balnet checkpoint.
	ErrMagic = errors.New("not a balnet checkpoint (bad magic)")
	// ErrVersion: the format version is not one this build reads.
	ErrVersion = errors.New("unsupported format version")
	// ErrChecksum: the payload does not match its CRC-32C; the file was damaged.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrTruncated: the data ends before the structure it describes.
	ErrTruncated = errors.New("truncated")
	// ErrCorrupt: the data is structurally invalid (bad kind, impossible length,
	// duplicate name, trailing bytes, ...).
	ErrCorrupt = errors.New("corrupt")
)

// Errors reported by the accessors of File and by the directory functions.
var (
	// ErrNoSection: the File has no section of the requested name.
	ErrNoSection = errors.New("no such section")
	// ErrKind: the section exists but holds another kind of data (or another length,
	// for File.Int).
	ErrKind = errors.New("wrong section kind")
	// ErrNoCheckpoint: a checkpoint directory holds no (usable) checkpoint.
	ErrNoCheckpoint = errors.New("no checkpoint")
)

// Limits of the format. They bound what a decoder accepts, so that a damaged or hostile
// file cannot make it loop or allocate beyond the file's own size.
const (
	// MaxNameLen is the longest section name, in bytes.
	MaxNameLen = 1024
	// MaxRank is the largest number of dimensions of a section's shape.
	MaxRank = 32
)

// Kind is the element type of a Section, as stored in the container (one byte).
type Kind uint8

// The section kinds. The values are part of the format and never change.
const (
	KindBytes   Kind = 1 // []byte: raw bytes (YAML, RNG states, ...), 1 byte per element
	KindFloat64 Kind = 2 // []float64: IEEE-754 binary64 bit patterns, 8 bytes per element
	KindFloat32 Kind = 3 // []float32: IEEE-754 binary32 bit patterns, 4 bytes per element
	KindInt64   Kind = 4 // []int64: two's complement, 8 bytes per element
)

// String returns the Go element type of k ("byte", "float64", "float32", "int64").
func (k Kind) String() string {
	switch k {
	case KindBytes:
		return "byte"
	case KindFloat64:
		return "float64"
	case KindFloat32:
		return "float32"
	case KindInt64:
		return "int64"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// size returns the number of bytes of one element of kind k, or 0 for an unknown kind.
func (k Kind) size() int {
	switch k {
	case KindBytes:
		return 1
	case KindFloat32:
		return 4
	case KindFloat64, KindInt64:
		return 8
	}
	return 0
}

// File is the content of one checkpoint container: an ordered list of named sections.
// The order is the order of encoding, so equal Files encode to equal bytes. The zero
// value is an empty File ready to use.
//
// A File does not copy the slices it is given (Put…) nor the ones it hands out
// (Float64s, …): they share memory with the caller.
type File struct {
	Sections []Section
}

// Section is one named array of a File.
//
// Data is exactly one of []byte, []float64, []float32 or []int64 (see Kind). Shape gives
// the dimensions in row-major (C) order; its product must equal len(Data). A nil or empty
// Shape means one dimension, [len(Data)]; the decoder always returns the explicit shape.
type Section struct {
	Name  string
	Shape []int
	Data  any
}

// Kind returns the kind of s.Data, or 0 if Data is not one of the four supported types.
func (s *Section) Kind() Kind {
	switch s.Data.(type) {
	case []byte:
		return KindBytes
	case []float64:
		return KindFloat64
	case []float32:
		return KindFloat32
	case []int64:
		return KindInt64
	}
	return 0
}

// Len returns the number of elements of s.Data (0 for an unsupported type).
func (s *Section) Len() int {
	switch d := s.Data.(type) {
	case []byte:
		return len(d)
	case []float64:
		return len(d)
	case []float32:
		return len(d)
	case []int64:
		return len(d)
	}
	return 0
}

// Dims returns the shape of s with the default applied: Shape, or [Len()] when Shape
// is empty. The result is a fresh slice.
func (s *Section) Dims() []int {
	if len(s.Shape) == 0 {
		return []int{s.Len()}
	}
	return append([]int(nil), s.Shape...)
}

// validate reports whether s can be encoded: a valid name, a supported data type, and a
// shape whose product is the number of elements.
func (s *Section) validate() error {
	if err := validName(s.Name); err != nil {
		return err
	}
	if s.Kind() == 0 {
		return fmt.Errorf("checkpoints: section %q: data of type %T, want []byte, []float64, []float32 or []int64", s.Name, s.Data)
	}
	if len(s.Shape) > MaxRank {
		return fmt.Errorf("checkpoints: section %q: rank %d exceeds %d", s.Name, len(s.Shape), MaxRank)
	}
	if len(s.Shape) > 0 {
		for _, d := range s.Shape {
			if d < 0 {
				return fmt.Errorf("checkpoints: section %q: negative dimension in shape %v", s.Name, s.Shape)
			}
		}
		if n, ok := product(s.Shape, s.Len()); !ok || n != s.Len() {
			return fmt.Errorf("checkpoints: section %q: shape %v does not hold %d elements", s.Name, s.Shape, s.Len())
		}
	}
	return nil
}

// product returns the product of the non-negative dims and whether it is at most limit
// (limit ≥ 0). It never overflows: it stops as soon as the product would exceed limit.
func product[T int | uint64](dims []T, limit T) (T, bool) {
	for _, d := range dims {
		if d == 0 {
			return 0, true
		}
	}
	var p T = 1
	for _, d := range dims {
		if p > limit/d {
			return 0, false
		}
		p *= d
	}
	return p, true
}

func validName(name string) error {
	switch {
	case name == "":
		return errors.New("checkpoints: empty section name")
	case len(name) > MaxNameLen:
		return fmt.Errorf("checkpoints: section name of %d bytes exceeds %d", len(name), MaxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("checkpoints: section name %q is not valid UTF-8", name)
	}
	return nil
}

// Section returns the section called name, and whether there is one. The pointer
// refers into f.Sections and is valid until the next Put or Remove.
func (f *File) Section(name string) (*Section, bool) {
	for i := range f.Sections {
		if f.Sections[i].Name == name {
			return &f.Sections[i], true
		}
	}
	return nil, false
}

// Names returns the section names in order.
func (f *File) Names() []string {
	names := make([]string, len(f.Sections))
	for i, s := range f.Sections {
		names[i] = s.Name
	}
	return names
}

// Put stores s, replacing the section of the same name in place or appending it.
// It panics if s is invalid (empty or over-long name, unsupported data type, shape that
// does not match the data): those are programming errors.
func (f *File) Put(s Section) {
	if err := s.validate(); err != nil {
		panic(err)
	}
	if old, ok := f.Section(s.Name); ok {
		*old = s
		return
	}
	f.Sections = append(f.Sections, s)
}

// Remove deletes the section called name and reports whether there was one.
func (f *File) Remove(name string) bool {
	for i := range f.Sections {
		if f.Sections[i].Name == name {
			f.Sections = append(f.Sections[:i], f.Sections[i+1:]...)
			return true
		}
	}
	return false
}

// PutBytes stores raw bytes (a YAML document, a serialized RNG state, ...).
func (f *File) PutBytes(name string, b []byte) {
	if b == nil {
		b = []byte{}
	}
	f.Put(Section{Name: name, Data: b})
}

// PutString stores s as raw bytes; String reads it back.
func (f *File) PutString(name, s string) { f.PutBytes(name, []byte(s)) }

// PutFloat64s stores data with the given shape (row-major); no shape means 1-D.
// It panics if the product of shape is not len(data).
func (f *File) PutFloat64s(name string, data []float64, shape ...int) {
	if data == nil {
		data = []float64{}
	}
	f.Put(Section{Name: name, Shape: shape, Data: data})
}

// PutFloat32s stores data with the given shape (row-major); no shape means 1-D.
// It panics if the product of shape is not len(data).
func (f *File) PutFloat32s(name string, data []float32, shape ...int) {
	if data == nil {
		data = []float32{}
	}
	f.Put(Section{Name: name, Shape: shape, Data: data})
}

// PutInt64s stores data with the given shape (row-major); no shape means 1-D.
// It panics if the product of shape is not len(data).
func (f *File) PutInt64s(name string, data []int64, shape ...int) {
	if data == nil {
		data = []int64{}
	}
	f.Put(Section{Name: name, Shape: shape, Data: data})
}

// PutInt stores one int64 scalar (a section of shape [1]).
func (f *File) PutInt(name string, v int64) { f.PutInt64s(name, []int64{v}) }

// lookup returns the section called name, checking its kind.
func (f *File) lookup(name string, k Kind) (*Section, error) {
	s, ok := f.Section(name)
	if !ok {
		return nil, fmt.Errorf("checkpoints: section %q: %w", name, ErrNoSection)
	}
	if got := s.Kind(); got != k {
		return nil, fmt.Errorf("checkpoints: section %q: %w: holds %v, want %v", name, ErrKind, got, k)
	}
	return s, nil
}

// Bytes returns the raw bytes of section name.
func (f *File) Bytes(name string) ([]byte, error) {
	s, err := f.lookup(name, KindBytes)
	if err != nil {
		return nil, err
	}
	return s.Data.([]byte), nil
}

// String returns the bytes of section name as a string.
func (f *File) String(name string) (string, error) {
	b, err := f.Bytes(name)
	return string(b), err
}

// Float64s returns the data and the shape of section name.
func (f *File) Float64s(name string) ([]float64, []int, error) {
	s, err := f.lookup(name, KindFloat64)
	if err != nil {
		return nil, nil, err
	}
	return s.Data.([]float64), s.Dims(), nil
}

// Float32s returns the data and the shape of section name.
func (f *File) Float32s(name string) ([]float32, []int, error) {
	s, err := f.lookup(name, KindFloat32)
	if err != nil {
		return nil, nil, err
	}
	return s.Data.([]float32), s.Dims(), nil
}

// Int64s returns the data and the shape of section name.
func (f *File) Int64s(name string) ([]int64, []int, error) {
	s, err := f.lookup(name, KindInt64)
	if err != nil {
		return nil, nil, err
	}
	return s.Data.([]int64), s.Dims(), nil
}

// Int returns the scalar stored by PutInt: section name must hold exactly one int64.
func (f *File) Int(name string) (int64, error) {
	s, err := f.lookup(name, KindInt64)
	if err != nil {
		return 0, err
	}
	d := s.Data.([]int64)
	if len(d) != 1 {
		return 0, fmt.Errorf("checkpoints: section %q: %w: holds %d int64 values, want 1", name, ErrKind, len(d))
	}
	return d[0], nil
}
