package checkpoints_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

func TestFileAccessors(t *testing.T) {
	f := sampleFile()
	if _, _, err := f.Float64s("missing"); !errors.Is(err, checkpoints.ErrNoSection) {
		t.Errorf("Float64s(missing): got error %v, want ErrNoSection", err)
	}
	if _, _, err := f.Float32s("J"); !errors.Is(err, checkpoints.ErrKind) {
		t.Errorf("Float32s of a float64 section: got error %v, want ErrKind", err)
	}
	if _, err := f.Bytes("epoch"); !errors.Is(err, checkpoints.ErrKind) {
		t.Errorf("Bytes of an int64 section: got error %v, want ErrKind", err)
	}
	if _, _, err := f.Int64s("config"); !errors.Is(err, checkpoints.ErrKind) {
		t.Errorf("Int64s of a bytes section: got error %v, want ErrKind", err)
	}
	f.PutInt64s("pair", []int64{1, 2})
	if _, err := f.Int("pair"); !errors.Is(err, checkpoints.ErrKind) {
		t.Errorf("Int of two values: got error %v, want ErrKind", err)
	}
	if v, shape, err := f.Int64s("pair"); err != nil || !slices.Equal(v, []int64{1, 2}) || !slices.Equal(shape, []int{2}) {
		t.Errorf("Int64s(pair): got %v, %v, %v, want [1 2], [2], nil", v, shape, err)
	}
	if v, shape, err := f.Float32s("w"); err != nil || !slices.Equal(v, []float32{0.5, -3}) || !slices.Equal(shape, []int{2}) {
		t.Errorf("Float32s(w): got %v, %v, %v, want [0.5 -3], [2], nil", v, shape, err)
	}

	// Put replaces in place, keeping the order; Remove deletes.
	f.PutFloat64s("J", []float64{7})
	if got, want := f.Names(), []string{"config", "J", "w", "epoch", "pair"}; !slices.Equal(got, want) {
		t.Errorf("after replacing J: got names %q, want %q", got, want)
	}
	if j, shape, _ := f.Float64s("J"); !slices.Equal(j, []float64{7}) || !slices.Equal(shape, []int{1}) {
		t.Errorf("replaced J: got %v with shape %v, want [7] with shape [1]", j, shape)
	}
	if !f.Remove("w") || f.Remove("w") {
		t.Error("Remove(w) twice: got other than true then false")
	}
	if got, want := f.Names(), []string{"config", "J", "epoch", "pair"}; !slices.Equal(got, want) {
		t.Errorf("after Remove: got names %q, want %q", got, want)
	}
	if s, ok := f.Section("epoch"); !ok || s.Kind() != checkpoints.KindInt64 || s.Len() != 1 {
		t.Errorf("Section(epoch): got %+v, %v, want one int64", s, ok)
	}
	// Sharing, not copying: the slice handed out is the one stored.
	v, _, _ := f.Int64s("pair")
	v[0] = 42
	if w, _, _ := f.Int64s("pair"); w[0] != 42 {
		t.Errorf("got %d after writing through the returned slice, want 42 (shared memory)", w[0])
	}
}

func TestPutPanicsOnMisuse(t *testing.T) {
	for name, put := range map[string]func(f *checkpoints.File){
		"shape":      func(f *checkpoints.File) { f.PutFloat64s("a", []float64{1, 2, 3}, 2, 2) },
		"zero shape": func(f *checkpoints.File) { f.PutFloat32s("a", []float32{1}, 1, 0) },
		"empty name": func(f *checkpoints.File) { f.PutInt("", 1) },
		"type":       func(f *checkpoints.File) { f.Put(checkpoints.Section{Name: "a", Data: []string{"x"}}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: got no panic, want one", name)
				}
			}()
			put(&checkpoints.File{})
		}()
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[checkpoints.Kind]string{checkpoints.KindBytes: "byte", checkpoints.KindFloat64: "float64",
		checkpoints.KindFloat32: "float32", checkpoints.KindInt64: "int64", 9: "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String(): got %q, want %q", uint8(k), got, want)
		}
	}
}
