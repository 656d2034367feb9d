#!/usr/bin/env python3
"""Runs the PyTorch peer (argv[1], with the remaining arguments) unchanged and adds the
process CPU time per epoch to its output: the peer times its epochs between two calls of
time.perf_counter, and this wrapper records time.process_time at the same two calls.
Prints the peer's lines and then `cpu_seconds_per_epoch X`."""
import runpy, sys, time

peer = sys.argv[1]
wall, cpu = time.perf_counter, time.process_time
marks = []


def perf_counter():
    marks.append(cpu())
    return wall()


time.perf_counter = perf_counter
sys.argv = [peer] + sys.argv[2:]
g = runpy.run_path(peer, run_name="__main__")
if len(marks) < 2:
    sys.exit("torch_cpu: the peer did not time its epochs with time.perf_counter")
print(f"cpu_seconds_per_epoch {(marks[-1] - marks[0]) / g['a'].epochs:.6g}")
