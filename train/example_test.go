package train_test

import (
	"context"
	"fmt"

	"github.com/balnet/balnet/train"
)

// Train a small balanced network to track one OU signal and watch the test loss fall.
func ExampleTrainer_Run() {
	cfg := train.DefaultConfig() // the reference setting of docs/science.md §1.6
	cfg.Network.N = 30
	cfg.Train.Epochs, cfg.Train.TestEvery = 200, 100
	t, err := train.New(cfg)
	if err != nil {
		panic(err)
	}
	var losses []float64
	err = t.Run(context.Background(), func(_ *train.Trainer, ev train.Event) error {
		if ev.Tested {
			losses = append(losses, ev.TestLoss)
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d test evaluations, loss fell more than 2×: %v\n", len(losses), losses[2] < losses[0]/2)
	fmt.Println("diagonal of J is zero:", t.Params().J.At(3, 3) == 0)
	// Output:
	// 3 test evaluations, loss fell more than 2×: true
	// diagonal of J is zero: true
}
