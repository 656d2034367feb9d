package checkpoints_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/tasks"
	"github.com/balnet/balnet/train"
)

// rawSection is one section as read by rawSections.
type rawSection struct {
	kind byte
	dims []uint64
	data []byte
}

// rawSections parses an encoded checkpoint with nothing of the package's decoder, from the
// byte layout documented in doc.go alone: magic, version, payload length, payload, CRC-32C;
// the payload a section count and sections (name length, name, kind, rank, dims, elements).
func rawSections(t *testing.T, b []byte) ([]string, map[string]rawSection) {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 24 || string(b[:8]) != "BALNETCK" || le.Uint32(b[8:12]) != 1 {
		t.Fatalf("header %q: want magic BALNETCK and version 1", b[:min(len(b), 12)])
	}
	n := le.Uint64(b[12:20])
	if uint64(len(b)) != 24+n {
		t.Fatalf("file of %d bytes, want 24 + payload length %d", len(b), n)
	}
	payload := b[20 : 20+n]
	if got, want := le.Uint32(b[20+n:]), crc32.Checksum(payload, crc32.MakeTable(crc32.Castagnoli)); got != want {
		t.Fatalf("CRC-32C: got %#x, want %#x", got, want)
	}
	p := payload
	take := func(k int) []byte {
		if len(p) < k {
			t.Fatalf("payload ends early")
		}
		v := p[:k]
		p = p[k:]
		return v
	}
	size := map[byte]uint64{1: 1, 2: 8, 3: 4, 4: 8}
	var names []string
	sections := map[string]rawSection{}
	for range le.Uint32(take(4)) {
		name := string(take(int(le.Uint16(take(2)))))
		hdr := take(2)
		s := rawSection{kind: hdr[0]}
		count := uint64(1)
		for range int(hdr[1]) {
			d := le.Uint64(take(8))
			s.dims = append(s.dims, d)
			count *= d
		}
		s.data = take(int(count * size[s.kind]))
		names = append(names, name)
		sections[name] = s
	}
	if len(p) != 0 {
		t.Fatalf("%d bytes after the last section", len(p))
	}
	return names, sections
}

// TestStateByteLayout checks every section of a training checkpoint (doc of FromState)
// against the state it was written from, reading the bytes with rawSections, not with the
// decoder: kind, shape and each element's bits.
func TestStateByteLayout(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Network.N, cfg.Sim.Steps, cfg.Sim.BurnIn, cfg.Sim.Relax = 5, 4, 1, 2
	cfg.Task.Kind, cfg.Task.Signals, cfg.Task.Outputs = tasks.KindLinear, 2, 3
	cfg.Train.Epochs, cfg.Train.Batch, cfg.Train.TestEvery = 3, 2, 2
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := tr.Snapshot()
	yaml := []byte("seed: 1\n")
	var buf bytes.Buffer
	if err := checkpoints.Encode(&buf, checkpoints.FromState(yaml, s)); err != nil {
		t.Fatal(err)
	}
	names, got := rawSections(t, buf.Bytes())

	le := binary.LittleEndian
	f64 := func(v []float64) []byte {
		b := make([]byte, 8*len(v))
		for i, x := range v {
			le.PutUint64(b[8*i:], math.Float64bits(x))
		}
		return b
	}
	i64 := func(v int64) []byte { return le.AppendUint64(nil, uint64(v)) }
	dense := func(m *mat.Dense) ([]uint64, []byte) {
		r, c := m.Dims()
		return []uint64{uint64(r), uint64(c)}, f64(mat.DenseCopyOf(m).RawMatrix().Data)
	}
	type want struct {
		kind byte
		dims []uint64
		data []byte
	}
	wants := map[string]want{
		"schema":     {1, []uint64{uint64(len(checkpoints.StateSchema))}, []byte(checkpoints.StateSchema)},
		"config":     {1, []uint64{uint64(len(yaml))}, yaml},
		"epoch":      {4, []uint64{1}, i64(3)},
		"evaluated":  {4, []uint64{1}, i64(1)},
		"adam_step":  {4, []uint64{1}, i64(int64(s.Adam.Step))},
		"loss_sum":   {2, []uint64{1}, f64([]float64{s.LossSum})},
		"loss_count": {4, []uint64{1}, i64(int64(s.LossCount))},
		"lr":         {2, []uint64{1}, f64([]float64{cfg.Train.LR})},
		"rollbacks":  {4, []uint64{1}, i64(0)},
		// on_diverge stop: no rollback targets (an empty int64 section).
		"rollback_targets": {4, []uint64{0}, nil},
	}
	for suffix, p := range map[string]*struct{ J, Win, Wout *mat.Dense }{
		"": {s.Params.J, s.Params.Win, s.Params.Wout}, "_init": {s.Init.J, s.Init.Win, s.Init.Wout},
	} {
		for name, m := range map[string]*mat.Dense{"J": p.J, "W_in": p.Win, "W_out": p.Wout} {
			d, b := dense(m)
			wants[name+suffix] = want{2, d, b}
		}
	}
	wants["bias"] = want{2, []uint64{5}, f64(s.Params.Bias)}
	wants["bias_init"] = want{2, []uint64{5}, f64(s.Init.Bias)}
	for k, name := range []string{"J", "W_in", "W_out"} {
		d := wants[name].dims
		wants["adam_m_"+name] = want{2, d, f64(s.Adam.M[k])}
		wants["adam_v_"+name] = want{2, d, f64(s.Adam.V[k])}
	}
	d, b := dense(s.H0)
	wants["h0"] = want{2, d, b}
	d, b = dense(s.A)
	wants["A"] = want{2, d, b}
	for _, st := range []string{"init", "task", "noise", "test", "relax"} {
		wants["rng_"+st] = want{1, []uint64{uint64(len(s.Streams[st]))}, s.Streams[st]}
	}
	if len(names) != len(wants) {
		t.Errorf("got %d sections %v, want %d", len(names), names, len(wants))
	}
	for name, w := range wants {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("section %s missing", name)
		case g.kind != w.kind || !slices.Equal(g.dims, w.dims):
			t.Errorf("section %s: got kind %d dims %v, want kind %d dims %v", name, g.kind, g.dims, w.kind, w.dims)
		case !bytes.Equal(g.data, w.data):
			t.Errorf("section %s: the element bytes differ from the state's values", name)
		}
	}
	if names[0] != "schema" {
		t.Errorf("first section %q, want schema", names[0])
	}
}
