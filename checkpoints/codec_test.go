package checkpoints_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Bit patterns that must survive a round trip exactly (IEEE-754 binary64/binary32).
var (
	nan64Payload = math.Float64frombits(0x7ff8_0000_0000_0123) // quiet NaN with a payload
	nan64Neg     = math.Float64frombits(0xfff8_0000_0000_0001) // negative NaN
	nan32Payload = math.Float32frombits(0x7fc0_0123)
	negZero64    = math.Copysign(0, -1)
	negZero32    = float32(math.Copysign(0, -1))
)

// sampleFile holds one section of each kind, small enough for byte-by-byte tests.
func sampleFile() *checkpoints.File {
	var f checkpoints.File
	f.PutString("config", "network: {n: 2}\n")
	f.PutFloat64s("J", []float64{0, -1.5, 2.25, 1e-300}, 2, 2)
	f.PutFloat32s("w", []float32{0.5, -3}, 2)
	f.PutInt("epoch", 1000)
	return &f
}

// specialFile holds the values that a careless codec loses: NaN payloads, ±Inf, −0,
// extreme integers, every byte value and empty arrays of several shapes.
func specialFile() *checkpoints.File {
	var f checkpoints.File
	f.PutFloat64s("f64", []float64{math.NaN(), nan64Payload, nan64Neg, math.Inf(1), math.Inf(-1), negZero64, 0,
		math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64})
	f.PutFloat32s("f32", []float32{float32(math.NaN()), nan32Payload, float32(math.Inf(1)), float32(math.Inf(-1)),
		negZero32, math.SmallestNonzeroFloat32, math.MaxFloat32}, 7, 1)
	f.PutInt64s("i64", []int64{math.MinInt64, -1, 0, 1, math.MaxInt64}, 5)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	f.PutBytes("bytes", all)
	f.PutBytes("empty bytes", nil)
	f.PutFloat64s("empty f64", nil)
	f.PutFloat64s("0x3", []float64{}, 0, 3)
	f.PutFloat32s("3x0", []float32{}, 3, 0)
	f.PutInt64s("empty i64", []int64{}, 0)
	f.PutFloat64s("rank3", []float64{1, 2, 3, 4, 5, 6}, 1, 2, 3)
	f.PutFloat64s("名前/with spaces", []float64{1})
	return &f
}

// goldens are the files under testdata/: they pin the byte format (a change to them
// is a format change, which needs a new Version) and seed FuzzDecode.
var goldens = map[string]func() *checkpoints.File{
	"empty.ckpt":   func() *checkpoints.File { return &checkpoints.File{} },
	"sample.ckpt":  sampleFile,
	"special.ckpt": specialFile,
}

func encode(t testing.TB, f *checkpoints.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := checkpoints.Encode(&buf, f); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

func decode(data []byte) (*checkpoints.File, error) {
	return checkpoints.Decode(bytes.NewReader(data), int64(len(data)))
}

// bits returns the elements of a section's data as exact bit patterns.
func bits(data any) []uint64 {
	var out []uint64
	switch d := data.(type) {
	case []byte:
		for _, v := range d {
			out = append(out, uint64(v))
		}
	case []float64:
		for _, v := range d {
			out = append(out, math.Float64bits(v))
		}
	case []float32:
		for _, v := range d {
			out = append(out, uint64(math.Float32bits(v)))
		}
	case []int64:
		for _, v := range d {
			out = append(out, uint64(v))
		}
	}
	return out
}

// checkSameFile fails unless got has the sections of want, in order, with the same
// kinds, shapes (defaults applied) and bit patterns.
func checkSameFile(t *testing.T, got, want *checkpoints.File) {
	t.Helper()
	if g, w := got.Names(), want.Names(); !slices.Equal(g, w) {
		t.Fatalf("got sections %q, want %q", g, w)
	}
	for i := range want.Sections {
		g, w := &got.Sections[i], &want.Sections[i]
		if g.Kind() != w.Kind() {
			t.Errorf("section %q: got kind %v, want %v", w.Name, g.Kind(), w.Kind())
		}
		if !slices.Equal(g.Dims(), w.Dims()) {
			t.Errorf("section %q: got shape %v, want %v", w.Name, g.Dims(), w.Dims())
		}
		if gb, wb := bits(g.Data), bits(w.Data); !slices.Equal(gb, wb) {
			t.Errorf("section %q: got bits %x, want %x", w.Name, gb, wb)
		}
	}
}

// reseal makes data a structurally valid container around whatever payload it holds:
// correct magic, version and length, and a matching checksum. The fuzzer could not
// find a valid CRC on its own; resealed inputs reach the payload parser.
func reseal(data []byte) []byte {
	if len(data) < 24 {
		return nil
	}
	d := slices.Clone(data)
	copy(d, checkpoints.Magic)
	binary.LittleEndian.PutUint32(d[8:], checkpoints.Version)
	binary.LittleEndian.PutUint64(d[12:], uint64(len(d)-24))
	binary.LittleEndian.PutUint32(d[len(d)-4:], crc32.Checksum(d[20:len(d)-4], crc32.MakeTable(crc32.Castagnoli)))
	return d
}

// container builds a container around payload, with a correct checksum.
func container(payload []byte) []byte {
	return reseal(append(make([]byte, 20), append(payload, 0, 0, 0, 0)...))
}

// allocated returns the bytes allocated (by all goroutines) while fn runs.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

var sentinels = []error{checkpoints.ErrMagic, checkpoints.ErrVersion, checkpoints.ErrChecksum,
	checkpoints.ErrTruncated, checkpoints.ErrCorrupt}

func isFormatError(err error) bool {
	return slices.ContainsFunc(sentinels, func(s error) bool { return errors.Is(err, s) })
}

func TestRoundTrip(t *testing.T) {
	for name, mk := range goldens {
		t.Run(name, func(t *testing.T) {
			want := mk()
			data := encode(t, want)
			if n, err := checkpoints.EncodedSize(want); err != nil || n != int64(len(data)) {
				t.Errorf("EncodedSize = %d, %v; want %d, nil", n, err, len(data))
			}
			got, err := decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkSameFile(t, got, want)
			if again := encode(t, got); !bytes.Equal(again, data) {
				t.Errorf("re-encoding the decoded file: got %d bytes differing from the %d first encoded", len(again), len(data))
			}
		})
	}
}

func TestRoundTripSpecialValues(t *testing.T) {
	got, err := decode(encode(t, specialFile()))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	f64, shape, err := got.Float64s("f64")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{10}) {
		t.Errorf("got shape %v, want [10]", shape)
	}
	if !math.IsNaN(f64[0]) || math.Float64bits(f64[1]) != 0x7ff8_0000_0000_0123 || !math.IsInf(f64[3], 1) ||
		!math.IsInf(f64[4], -1) || !math.Signbit(f64[5]) || f64[5] != 0 || math.Signbit(f64[6]) {
		t.Errorf("got %v, want NaN, NaN(0x123), NaN, +Inf, -Inf, -0, +0, ...", f64)
	}
	f32, shape, err := got.Float32s("f32")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{7, 1}) || math.Float32bits(f32[1]) != 0x7fc0_0123 || !math.Signbit(float64(f32[4])) {
		t.Errorf("got %v with shape %v, want NaN(0x123) at 1 and -0 at 4 with shape [7 1]", f32, shape)
	}
	for _, name := range []string{"empty f64", "0x3"} {
		v, shape, err := got.Float64s(name)
		if err != nil || v == nil || len(v) != 0 {
			t.Errorf("%s: got %v, %v, want an empty non-nil slice", name, v, err)
		}
		if want := map[string][]int{"empty f64": {0}, "0x3": {0, 3}}[name]; !slices.Equal(shape, want) {
			t.Errorf("%s: got shape %v, want %v", name, shape, want)
		}
	}
	if b, err := got.Bytes("empty bytes"); err != nil || b == nil || len(b) != 0 {
		t.Errorf("empty bytes: got %v, %v, want an empty non-nil slice", b, err)
	}
}

// TestGolden pins the byte format to the files under testdata/ (go test -update
// rewrites them; only do that together with a new Version).
func TestGolden(t *testing.T) {
	for name, mk := range goldens {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			data := encode(t, mk())
			if *update {
				if err := checkpoints.WriteFileAtomic(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(data, golden) {
				t.Errorf("got an encoding of %d bytes that differs from %s (%d bytes); a format change needs a new Version", len(data), path, len(golden))
			}
			f, err := checkpoints.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkSameFile(t, f, mk())
		})
	}
}

// TestGoldenLayout checks the documented layout on the smallest container by hand.
func TestGoldenLayout(t *testing.T) {
	var f checkpoints.File
	f.PutFloat64s("x", []float64{0, negZero64})
	got := encode(t, &f)
	payload := []byte{
		1, 0, 0, 0, // one section
		1, 0, 'x', // name length 1, name
		2, 1, // kind float64, rank 1
		2, 0, 0, 0, 0, 0, 0, 0, // dimension 2
		0, 0, 0, 0, 0, 0, 0, 0, // +0
		0, 0, 0, 0, 0, 0, 0, 0x80, // −0: only the sign bit
	}
	want := []byte("BALNETCK")
	want = binary.LittleEndian.AppendUint32(want, 1)
	want = binary.LittleEndian.AppendUint64(want, uint64(len(payload)))
	want = append(want, payload...)
	want = binary.LittleEndian.AppendUint32(want, crc32.Checksum(payload, crc32.MakeTable(crc32.Castagnoli)))
	if !bytes.Equal(got, want) {
		t.Errorf("got\n% x\nwant\n% x", got, want)
	}
}

func TestDecodeTruncated(t *testing.T) {
	data := encode(t, sampleFile())
	for k := range len(data) {
		_, err := decode(data[:k])
		if !errors.Is(err, checkpoints.ErrTruncated) {
			t.Errorf("truncated to %d of %d bytes: got error %v, want ErrTruncated", k, len(data), err)
		}
	}
	// A size that promises more than the reader delivers.
	for _, k := range []int{0, 10, 20, 30, len(data) - 1} {
		_, err := checkpoints.Decode(bytes.NewReader(data[:k]), int64(len(data)))
		if !errors.Is(err, checkpoints.ErrTruncated) {
			t.Errorf("reader of %d bytes, size %d: got error %v, want ErrTruncated", k, len(data), err)
		}
	}
}

func TestDecodeBitFlips(t *testing.T) {
	data := encode(t, sampleFile())
	for i := range data {
		for bit := range 8 {
			d := slices.Clone(data)
			d[i] ^= 1 << bit
			_, err := decode(d)
			var want []error
			switch {
			case i < 8:
				want = []error{checkpoints.ErrMagic}
			case i < 12:
				want = []error{checkpoints.ErrVersion}
			case i < 20: // the length: too long is truncation, too short leaves trailing bytes
				want = []error{checkpoints.ErrTruncated, checkpoints.ErrCorrupt}
			default: // payload or checksum
				want = []error{checkpoints.ErrChecksum}
			}
			if !slices.ContainsFunc(want, func(w error) bool { return errors.Is(err, w) }) {
				t.Errorf("bit %d of byte %d flipped: got error %v, want one of %v", bit, i, err, want)
			}
		}
	}
}

func TestDecodeHeaderErrors(t *testing.T) {
	good := encode(t, sampleFile())
	withVersion := func(v uint32) []byte {
		d := slices.Clone(good)
		binary.LittleEndian.PutUint32(d[8:], v)
		return d
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"version 0", withVersion(0), checkpoints.ErrVersion},
		{"version 2", withVersion(2), checkpoints.ErrVersion},
		{"other magic", append([]byte("BALNETCX"), good[8:]...), checkpoints.ErrMagic},
		{"text file", []byte("epoch,train_loss\n1000,0.5\n"), checkpoints.ErrMagic},
		{"short text", []byte("abc"), checkpoints.ErrMagic},
		{"empty", nil, checkpoints.ErrTruncated},
		{"magic only", []byte("BALNETCK"), checkpoints.ErrTruncated},
		{"trailing byte", append(slices.Clone(good), 0), checkpoints.ErrCorrupt},
	} {
		_, err := decode(tc.data)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got error %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestDecodeCorruptPayload feeds the parser payloads with valid checksums but
// impossible contents: each must give ErrCorrupt.
func TestDecodeCorruptPayload(t *testing.T) {
	u16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	section := func(name string, kind, rank byte, dims ...uint64) []byte {
		b := cat(u16(uint16(len(name))), []byte(name), []byte{kind, rank})
		for _, d := range dims {
			b = append(b, u64(d)...)
		}
		return b
	}
	for _, tc := range []struct {
		name    string
		payload []byte
	}{
		{"empty payload", nil},
		{"count too large", u32(math.MaxUint32)},
		{"count without sections", u32(1)},
		{"empty name", cat(u32(1), section("", 2, 1, 0))},
		{"name too long", cat(u32(1), u16(checkpoints.MaxNameLen+1), make([]byte, checkpoints.MaxNameLen+1), []byte{2, 1}, u64(0))},
		{"name not UTF-8", cat(u32(1), section("\xff", 2, 1, 0))},
		{"kind 0", cat(u32(1), section("a", 0, 1, 0))},
		{"kind 5", cat(u32(1), section("a", 5, 1, 0))},
		{"rank 0", cat(u32(1), section("a", 2, 0))},
		{"rank 33", cat(u32(1), section("a", 2, 33), make([]byte, 8*33))},
		{"data missing", cat(u32(1), section("a", 2, 1, 2), make([]byte, 15))},
		{"huge dims", cat(u32(1), section("a", 2, 2, 1<<40, 1<<40))},
		{"overflowing dims", cat(u32(1), section("a", 2, 2, 1<<62, 1<<62))},
		{"dim above MaxInt", cat(u32(1), section("a", 1, 2, 0, 1<<63))},
		{"duplicate name", cat(u32(2), section("a", 1, 1, 0), section("a", 1, 1, 0))},
		{"trailing bytes", cat(u32(1), section("a", 1, 1, 0), []byte{0})},
	} {
		_, err := decode(container(tc.payload))
		if !errors.Is(err, checkpoints.ErrCorrupt) {
			t.Errorf("%s: got error %v, want ErrCorrupt", tc.name, err)
		}
	}
}

// TestDecodeHugeLengthsDoNotAllocate: lengths read from the data are checked against
// the bytes that remain before anything is allocated.
func TestDecodeHugeLengthsDoNotAllocate(t *testing.T) {
	hugeHeader := append([]byte("BALNETCK\x01\x00\x00\x00"), binary.LittleEndian.AppendUint64(nil, 1<<62)...)
	hugeHeader = append(hugeHeader, 0, 0, 0, 0)
	hugeCount := container(binary.LittleEndian.AppendUint32(nil, math.MaxUint32))
	dims := binary.LittleEndian.AppendUint32(nil, 1)
	dims = append(dims, 1, 0, 'a', 2, 2)
	dims = binary.LittleEndian.AppendUint64(dims, 1<<40)
	dims = binary.LittleEndian.AppendUint64(dims, 1<<40)
	hugeDims := container(dims)
	const limit = 64 << 10 // bytes: error messages and small buffers, nothing size-dependent
	for name, data := range map[string][]byte{"payload length 2^62": hugeHeader, "2^32-1 sections": hugeCount, "shape 2^40×2^40": hugeDims} {
		var err error
		n := allocated(func() { _, err = decode(data) })
		if err == nil {
			t.Errorf("%s: got no error", name)
		}
		if n > limit {
			t.Errorf("%s: got %d bytes allocated, want at most %d", name, n, limit)
		}
		allocs := testing.AllocsPerRun(10, func() { decode(data) })
		if allocs > 20 {
			t.Errorf("%s: got %v allocations per Decode, want at most 20", name, allocs)
		}
	}
}

func TestReadFileErrorsNamePath(t *testing.T) {
	dir := t.TempDir()
	good := encode(t, sampleFile())
	files := map[string][]byte{
		"truncated.ckpt": good[:len(good)/2],
		"flipped.ckpt":   append(slices.Clone(good[:30]), append([]byte{good[30] ^ 4}, good[31:]...)...),
		"text.ckpt":      []byte("hello"),
	}
	paths := []string{filepath.Join(dir, "missing.ckpt"), dir}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	for _, path := range paths {
		_, err := checkpoints.ReadFile(path)
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != path || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadFile(%s): got error %v, want an *fs.PathError naming the path", path, err)
		}
	}
}

func TestWriteFileReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.ckpt")
	want := specialFile()
	if err := checkpoints.WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := checkpoints.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSameFile(t, got, want)
}

func TestEncodeRejectsInvalid(t *testing.T) {
	for name, f := range map[string]*checkpoints.File{
		"duplicate":   {Sections: []checkpoints.Section{{Name: "a", Data: []byte{}}, {Name: "a", Data: []byte{}}}},
		"empty name":  {Sections: []checkpoints.Section{{Data: []byte{}}}},
		"bad type":    {Sections: []checkpoints.Section{{Name: "a", Data: []int{1}}}},
		"nil data":    {Sections: []checkpoints.Section{{Name: "a"}}},
		"bad shape":   {Sections: []checkpoints.Section{{Name: "a", Shape: []int{2, 2}, Data: []float64{1, 2, 3}}}},
		"negative":    {Sections: []checkpoints.Section{{Name: "a", Shape: []int{-1, -3}, Data: []float64{1, 2, 3}}}},
		"rank 33":     {Sections: []checkpoints.Section{{Name: "a", Shape: make([]int, 33), Data: []float64{}}}},
		"long name":   {Sections: []checkpoints.Section{{Name: strings.Repeat("n", checkpoints.MaxNameLen+1), Data: []byte{}}}},
		"invalid utf": {Sections: []checkpoints.Section{{Name: "\xff", Data: []byte{}}}},
	} {
		var buf bytes.Buffer
		if err := checkpoints.Encode(&buf, f); err == nil || buf.Len() != 0 {
			t.Errorf("%s: got error %v after writing %d bytes, want an error before writing", name, err, buf.Len())
		}
	}
}

func FuzzDecode(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.ckpt"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds under testdata/ (%v); run go test -update", err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add([]byte(checkpoints.Magic))
	path := filepath.Join(f.TempDir(), "fuzz.ckpt")
	check := func(t *testing.T, data []byte) {
		var file *checkpoints.File
		var err error
		n := allocated(func() { file, err = decode(data) })
		// Decode reads the payload (≤ len) and builds sections from it: slices, names
		// and shapes of a few times the bytes they come from; nothing beyond.
		if limit := uint64(32*len(data) + 64<<10); n > limit {
			t.Errorf("Decode of %d bytes: got %d bytes allocated, want at most %d", len(data), n, limit)
		}
		if err != nil {
			if !isFormatError(err) {
				t.Errorf("got error %v, want one wrapping a format sentinel", err)
			}
			return
		}
		// Decoding is exact, so encoding what was decoded gives back the input.
		var buf bytes.Buffer
		if err := checkpoints.Encode(&buf, file); err != nil {
			t.Fatalf("Encode of a decoded file: %v", err)
		}
		if !bytes.Equal(buf.Bytes(), data) {
			t.Errorf("re-encoding gives %d bytes that differ from the %d decoded", buf.Len(), len(data))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
		if sealed := reseal(data); sealed != nil {
			check(t, sealed)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := checkpoints.ReadFile(path)
		var pe *fs.PathError
		if err != nil && (!errors.As(err, &pe) || pe.Path != path || !isFormatError(err)) {
			t.Errorf("ReadFile: got error %v, want an *fs.PathError naming %s around a format sentinel", err, path)
		}
	})
}

// BenchmarkEncodeDecode encodes and decodes a checkpoint holding one 1000×1000 float64
// matrix (the J of an N = 1000 network, 8 MB).
func BenchmarkEncodeDecode(b *testing.B) {
	const n = 1000
	j := make([]float64, n*n)
	for i := range j {
		j[i] = float64(i) / 7
	}
	var f checkpoints.File
	f.PutFloat64s("J", j, n, n)
	size, err := checkpoints.EncodedSize(&f)
	if err != nil {
		b.Fatal(err)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := checkpoints.Encode(buf, &f); err != nil {
			b.Fatal(err)
		}
		if _, err := checkpoints.Decode(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			b.Fatal(err)
		}
	}
}
