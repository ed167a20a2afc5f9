"""Benchmark: bpcore forward + backward against PyTorch CPU autograd and numpy's matmul rate.

Not a test: run ``python3 benchmarks/bench_network.py`` (optionally ``--depth 8 --width 1024
--batch 256 --repeats 15 --activation tanh|relu|sigmoid``). PyTorch is a benchmark-only
dependency (``pip install torch==2.13.0``); without it the script still times bpcore and numpy
and says so. The candidates are timed round-robin (best and median reported) because a shared
VM's speed drifts by tens of per cent between runs.

bpcore is float64 only (``bpcore.backprop.delta_step`` converts its inputs to float64), so
the float32 row is PyTorch's alone, for reference.

FLOP model for an MLP with widths s_1, …, s_{n_l} and batch m: the forward pass costs
≈ 2·m·Σ s_l s_{l+1} FLOPs (one GEMM per layer); the backward pass ≈ twice that (one GEMM for
δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) and one for ∂J/∂W^(l) per layer; δ^(1) of the input
layer is skipped, so it is slightly less).

Introduced in chapter 2 (Backprop is a linear recurrence with changing coefficients).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bpcore._validate import check_real_array
from bpcore.network import MLP, relative_error

THREADS = 2


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """Best wall-clock time of ``repeats`` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def interleaved(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Time each function ``repeats`` times, round-robin, after one warm-up call each."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def torch_step(torch, Ws, bs, X, Y, act):  # type: ignore[no-untyped-def]
    """Forward + backward of the same network and cost with torch autograd."""
    for p in (*Ws, *bs):
        p.grad = None
    a = _torch_forward(torch, Ws, bs, X, act)
    r = a - Y
    J = 0.5 * (r * r).sum() / X.shape[0]
    J.backward()
    return J


def main() -> int:
    """Run the benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=8, help="number of weight matrices")
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--activation", choices=["tanh", "relu", "sigmoid"], default="tanh")
    args = parser.parse_args()
    depth, width, m, reps, act = args.depth, args.width, args.batch, args.repeats, args.activation

    sizes = [width] * (depth + 1)
    net = MLP.random(sizes, act, bias_scale=0.1, seed=0)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((m, width))
    Y = rng.standard_normal((m, width))
    fwd_flops = 2.0 * m * sum(a * b for a, b in itertools.pairwise(sizes))
    total_flops = 3.0 * fwd_flops
    print(f"depth={depth} width={width} batch={m} activation={act}: {net}")
    print(f"threads: torch.set_num_threads({THREADS}); numpy/OpenBLAS uses {os.cpu_count()} cores")
    print(f"FLOPs: forward {fwd_flops / 1e9:.2f} G, forward+backward ≈ {total_flops / 1e9:.2f} G")

    A = rng.standard_normal((1024, 1024))
    B = rng.standard_normal((1024, 256))
    Bt = np.ascontiguousarray(B.T)
    mm_flops = 2.0 * 1024 * 1024 * 256
    cands: dict[str, Callable[[], object]] = {
        "numpy matmul": lambda: A @ B,
        "numpy B.T@A.T": lambda: Bt @ A.T,
        "bpcore fwd": lambda: net.forward(X),
        "bpcore fwd+bwd": lambda: net.backward(X, Y),
    }
    flops = {
        "numpy matmul": mm_flops,
        "numpy B.T@A.T": mm_flops,
        "bpcore fwd": fwd_flops,
        "bpcore fwd+bwd": total_flops,
    }

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(THREADS)
        tensors = {}
        for dtype in (torch.float64, torch.float32):
            tensors[dtype] = (
                [torch.tensor(W, dtype=dtype, requires_grad=True) for W in net.weights],
                [torch.tensor(b, dtype=dtype, requires_grad=True) for b in net.biases],
                torch.tensor(X, dtype=dtype),
                torch.tensor(Y, dtype=dtype),
            )
        t64, t32 = tensors[torch.float64], tensors[torch.float32]

        def torch_forward64() -> object:
            with torch.no_grad():
                return _torch_forward(torch, t64[0], t64[1], t64[2], act)

        cands |= {
            "torch fwd": torch_forward64,
            "torch fwd+bwd": lambda: torch_step(torch, *t64, act),
            "torch32 fwd+bwd": lambda: torch_step(torch, *t32, act),
        }
        flops |= {"torch fwd": fwd_flops, "torch fwd+bwd": total_flops}
        flops["torch32 fwd+bwd"] = total_flops

    # Interleave the candidates so that a noisy machine (a shared VM) hurts them alike.
    times = interleaved(cands, reps)
    print(f"\nfloat64 unless marked; interleaved runs, best (median) of {reps}:")
    for name, ts in times.items():
        best, med = min(ts), float(np.median(ts))
        print(
            f"  {name:17s} {best * 1e3:8.1f} ms ({med * 1e3:7.1f} ms)  "
            f"{flops[name] / best / 1e9:5.1f} GFLOP/s"
        )
    mm_rate = mm_flops / min(times["numpy matmul"])
    t_bp = min(times["bpcore fwd+bwd"])
    mm_rate_net = mm_flops / min(times["numpy B.T@A.T"])
    print(
        f"bpcore fwd+bwd achieves {total_flops / t_bp / mm_rate:.0%} of numpy's 1024×1024 @ "
        f"1024×256 rate and {total_flops / t_bp / mm_rate_net:.0%} of the rate of the same "
        "product in the network's layout (256×1024 @ 1024×1024ᵀ)"
    )

    # the cost of the finiteness checks that delta_step repeats on every call
    W0, D0 = net.weights[0], np.ones((m, width))
    t_chk_W = best_time(lambda: check_real_array(W0, "W", ndim=2), reps)
    t_chk_D = best_time(lambda: check_real_array(D0, "D"), reps)
    n_steps = depth - 1
    t_chk = n_steps * (t_chk_W + 2 * t_chk_D) + t_chk_D
    print(
        f"check_real_array inside delta_recursion: W {t_chk_W * 1e3:.2f} ms, δ/f' "
        f"{t_chk_D * 1e3:.2f} ms each; ≈ {t_chk * 1e3:.1f} ms per backward "
        f"({t_chk / t_bp:.1%} of it)"
    )

    if torch is None:
        print("\nPyTorch is not installed (pip install torch==2.13.0): skipping the comparison.")
        return 0
    ratio = min(times["torch fwd+bwd"]) / t_bp
    ratio_med = float(np.median(times["torch fwd+bwd"]) / np.median(times["bpcore fwd+bwd"]))
    ratio_fwd = min(times["torch fwd"]) / min(times["bpcore fwd"])
    print(
        f"bpcore / torch throughput (float64): forward+backward {ratio:.2f}× best, "
        f"{ratio_med:.2f}× median; forward alone {ratio_fwd:.2f}× (goal ≥ 0.90×)"
    )
    Ws, bs = t64[0], t64[1]

    # correctness: same gradients as torch autograd in float64
    torch_step(torch, Ws, bs, torch.tensor(X), torch.tensor(Y), act)
    g = net.backward(X, Y)
    errs = [relative_error(gw, W.grad.numpy()) for gw, W in zip(g.grad_W, Ws, strict=True)]
    errs += [relative_error(gb, b.grad.numpy()) for gb, b in zip(g.grad_b, bs, strict=True)]
    worst = max(errs)
    status = "OK" if worst < 1e-8 else "MISMATCH"
    print(f"max relative gradient difference vs torch (float64): {worst:.2e} [{status}, tol 1e-8]")
    return 0 if worst < 1e-8 else 1


def _torch_forward(torch, Ws, bs, X, act):  # type: ignore[no-untyped-def]
    f = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}[act]
    a = X
    for W, b in zip(Ws, bs, strict=True):
        a = f(torch.addmm(b, a, W.t()))
    return a


if __name__ == "__main__":
    sys.exit(main())
