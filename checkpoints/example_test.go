package checkpoints_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/balnet/balnet/checkpoints"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "balnet-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	var f checkpoints.File
	f.PutString("config", "network: {n: 2}\n")
	f.PutFloat64s("J", []float64{0, 0.5, -0.5, 0}, 2, 2)
	f.PutInt("epoch", 1000)
	path := filepath.Join(dir, "state.ckpt")
	if err := checkpoints.WriteFile(path, &f); err != nil {
		log.Fatal(err)
	}

	g, err := checkpoints.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	j, shape, err := g.Float64s("J")
	if err != nil {
		log.Fatal(err)
	}
	epoch, err := g.Int("epoch")
	if err != nil {
		log.Fatal(err)
	}
	config, err := g.String("config")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Names())
	fmt.Println(shape, j)
	fmt.Println(epoch)
	fmt.Print(config)
	// Output:
	// [config J epoch]
	// [2 2] [0 0.5 -0.5 0]
	// 1000
	// network: {n: 2}
}

func ExampleLatest() {
	runDir, err := os.MkdirTemp("", "balnet-run")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(runDir)
	dir := checkpoints.Dir(runDir)

	for epoch := 1000; epoch <= 4000; epoch += 1000 {
		var f checkpoints.File
		f.PutInt("epoch", int64(epoch))
		if _, err := checkpoints.WriteEpoch(dir, epoch, &f); err != nil {
			log.Fatal(err)
		}
		if _, err := checkpoints.Prune(dir, 2); err != nil {
			log.Fatal(err)
		}
	}
	epochs, err := checkpoints.List(dir)
	if err != nil {
		log.Fatal(err)
	}
	latest, err := checkpoints.Latest(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(epochs)
	fmt.Println(filepath.Base(latest.Path), latest.Epoch)
	// Output:
	// [3000 4000]
	// epoch-00004000.ckpt 4000
}

func ExampleWriteNPZ() {
	var buf bytes.Buffer
	err := checkpoints.WriteNPZ(&buf, []checkpoints.NamedArray{
		{Name: "J", Shape: []int{2, 2}, Data: []float64{0, 0.5, -0.5, 0}},
		{Name: "w_out", Data: []float32{1, 2}},
	})
	if err != nil {
		log.Fatal(err)
	}
	// In Python: numpy.load("export.npz")["J"] is a 2×2 float64 array.
	arrays, err := checkpoints.ReadNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range arrays {
		fmt.Println(a.Name, a.Shape, a.Data)
	}
	// Output:
	// J [2 2] [0 0.5 -0.5 0]
	// w_out [2] [1 2]
}
