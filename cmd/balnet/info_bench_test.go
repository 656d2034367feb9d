package main

import (
	"context"
	"io"
	"testing"
)

// BenchmarkInfoFig5 is one Fig. 5 point, the whole command: balnet info --no-plots at
// b = 10 (N = 64, 2¹⁸ recorded steps after 2¹⁵ of burn-in), files written. Compare with
// /usr/bin/python3 ../shared/peers/info_reference.py --b 10 (README, "Information rate").
func BenchmarkInfoFig5(b *testing.B) {
	out := b.TempDir()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if code := run(context.Background(), []string{"info", "--set", "network.b=10", "--no-plots", "--out", out}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit status %d", code)
		}
	}
}
