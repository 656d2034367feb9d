package train

import (
	"testing"

	"github.com/balnet/balnet/model/engine"
)

// BenchmarkEpoch measures one training epoch (batch sampling, noise, forward, backward,
// Adam) at the reference setting N = 100, B = 10, T = 50, S = 1 (docs/science.md §1.6) for each
// engine and dtype.
func BenchmarkEpoch(b *testing.B) {
	for _, engine := range engine.Names {
		for _, dtype := range []DType{Float32, Float64} {
			b.Run(engine+"/"+string(dtype), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.DType, cfg.Train.Engine = dtype, engine
				t, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := t.step(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
