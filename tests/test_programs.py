"""Random little programs run with chainrule and with PyTorch: values, gradients and errors must agree.

They mix what the fast paths special-case: broadcasting, Python numbers, large temporaries (whose buffers
chainrule may reuse, in the forward and in the backward), views, in-place changes (allowed or caught by version
counters), gradients that meet at a tensor and one gradient handed to several nodes.
"""
import random

import numpy as np
import pytest

import chainrule
from chainrule.autograd.graph import HOOKED

torch = pytest.importorskip("torch")

SHAPES = [(3,), (4, 5), (2, 3, 4), (1 << 16,), (256, 256)]  # the large ones pass the reuse threshold


def _step(lib, name, a, b, c):
    if name == "add":
        return a + b
    if name == "mul":
        return a * b
    if name == "sub":
        return a - b
    if name == "div":
        return a / (b * b + 1)
    if name == "tanh":
        return lib.tanh(a)
    if name == "sigmoid":
        return lib.sigmoid(a)
    if name == "relu":
        return lib.relu(a)
    if name == "exp":
        return lib.exp(a * 0.1)
    if name == "numbers":
        return c - a * c + c
    if name == "neg":
        return -a
    if name == "sum":
        return a.sum(0, keepdim=True) + a
    if name == "mean":
        return a - a.mean()
    if name == "reshape":
        return a.reshape(-1).reshape(a.shape) * 2
    if name == "t":
        return (a.t() if a.ndim == 2 else a) + 1
    if name == "temporaries":
        return lib.tanh(a * b) + lib.sigmoid(a - b)
    if name == "chunk":  # a node with several outputs, gradients reaching it through each
        first, *rest = a.chunk(2, -1)
        return lib.cat([*rest, first * 2], -1)
    if name == "max":  # values and indices: only the values carry a gradient
        return a - a.max(-1, keepdim=True)[0]
    if name == "stack":
        return lib.stack([a, a * c]).sum(0)
    if name == "dead_end":  # a consumer no gradient comes from: nothing may wait for it
        a * c
        return a + b
    if name == "fanout":  # one gradient handed to several nodes that may write their results into theirs
        return lib.exp(a * 0.1) + lib.relu(a * b) - (a / (b * b + 1)).neg()
    r = a * 1.0
    if name == "iadd":
        r += b
    elif name == "setitem":
        r[..., 0] = 0.0
    elif name == "view_inplace":
        r.reshape(-1)[:1].mul_(2)
    elif name == "saved_then_changed":  # the product saved r: backward must refuse
        q = r * r
        r.add_(1.0)
        return q
    return r


STEPS = ["add", "mul", "sub", "div", "tanh", "sigmoid", "relu", "exp", "numbers", "neg", "sum", "mean", "reshape",
         "t", "temporaries", "chunk", "max", "stack", "dead_end", "fanout", "iadd", "setitem", "view_inplace",
         "saved_then_changed"]


def _run(lib, program, arrays):
    """(values, gradients of the inputs), or the error's type and message."""
    inputs = [lib.tensor(a.copy(), requires_grad=k % 2 == 0) for k, a in enumerate(arrays)]
    values = list(inputs)
    try:
        for name, i, j, c in program:
            values.append(_step(lib, name, values[i % len(values)], values[j % len(values)], c))
        sum(v.sum() for v in values[len(inputs):]).backward()
    except Exception as e:
        return type(e).__name__, str(e)
    return [v.detach().numpy() for v in values], [None if t.grad is None else t.grad.numpy() for t in inputs]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("walk", ["hook-free", "watched"])
def test_random_programs_agree_with_pytorch(seed, dtype, walk):
    HOOKED[0] = walk == "watched"  # the engine's two walks (engine.py): each must match PyTorch
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    tol = 1e-9 if dtype == np.float64 else 1e-4
    for _ in range(12):
        shape = pick.choice(SHAPES)
        arrays = [(rng.standard_normal(shape if pick.random() < 0.7 else shape[-1:]) * 0.5).astype(dtype)
                  for _ in range(3)]
        program = [(pick.choice(STEPS), pick.randrange(9), pick.randrange(9), pick.choice([0.5, 2, -1.5]))
                   for _ in range(8)]
        expected, got = _run(torch, program, arrays), _run(chainrule, program, arrays)
        if isinstance(expected[0], str):
            assert got == expected, program
            continue
        assert not isinstance(got[0], str), (program, got)
        for kind, want, have in (("value", expected[0], got[0]), ("gradient", expected[1], got[1])):
            for x, y in zip(want, have):
                assert (x is None) == (y is None), (kind, program)
                if x is not None:
                    np.testing.assert_allclose(y, x, rtol=tol, atol=tol * max(1.0, np.abs(x).max()),
                                               err_msg=f"{kind}: {program}")
