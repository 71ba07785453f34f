"""Sweeps of binary ops, and of unary ops and reductions, over operand kinds against PyTorch: result dtype, shape
and values, or the same error (type and message). Type promotion and argument checking live in one dispatcher for
every op, so one table of operand kinds finds what op-by-op samples miss."""
import itertools
import warnings

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch")

OPERANDS = {  # name -> maker(lib)
    "f32": lambda L: L.tensor([1.5, -2.0, 3.0]), "f64": lambda L: L.tensor([1.5, -2.0, 3.0], dtype=L.float64),
    "i64": lambda L: L.tensor([1, -2, 3]), "i32": lambda L: L.tensor([1, -2, 3], dtype=L.int32),
    "u8": lambda L: L.tensor([1, 2, 3], dtype=L.uint8), "bool": lambda L: L.tensor([True, False, True]),
    "f32 0-d": lambda L: L.tensor(2.5), "i64 0-d": lambda L: L.tensor(2),
    "int": lambda L: 2, "float": lambda L: 2.5, "True": lambda L: True,
}
NUMBERS = {"int", "float", "True"}
OPS = {
    "add": lambda L, a, b: L.add(a, b), "sub": lambda L, a, b: L.sub(a, b), "mul": lambda L, a, b: L.mul(a, b),
    "div": lambda L, a, b: L.div(a, b), "true_divide": lambda L, a, b: L.true_divide(a, b),
    "floor_divide": lambda L, a, b: L.floor_divide(a, b), "remainder": lambda L, a, b: L.remainder(a, b),
    "fmod": lambda L, a, b: L.fmod(a, b), "pow": lambda L, a, b: L.pow(a, b),
    "maximum": lambda L, a, b: L.maximum(a, b), "minimum": lambda L, a, b: L.minimum(a, b),
    "atan2": lambda L, a, b: L.atan2(a, b), "hypot": lambda L, a, b: L.hypot(a, b),
    "copysign": lambda L, a, b: L.copysign(a, b), "xlogy": lambda L, a, b: L.xlogy(a, b),
    "logaddexp": lambda L, a, b: L.logaddexp(a, b), "bitwise_and": lambda L, a, b: L.bitwise_and(a, b),
    "eq": lambda L, a, b: L.eq(a, b), "lt": lambda L, a, b: L.lt(a, b), "lerp": lambda L, a, b: L.lerp(a, b, 0.5),
    "where": lambda L, a, b: L.where(L.tensor([True, False, True]), a, b),
    "a + b": lambda L, a, b: a + b, "a - b": lambda L, a, b: a - b, "a * b": lambda L, a, b: a * b,
    "a / b": lambda L, a, b: a / b, "a // b": lambda L, a, b: a // b, "a % b": lambda L, a, b: a % b,
    "a ** b": lambda L, a, b: a ** b,
}
KNOWN = {  # (op, first, second) -> why chainrule differs
    **{(op, a, b): "pow of bool tensors: PyTorch has no kernel (NotImplementedError) or keeps bool; chainrule int8"
       for op in ("pow", "a ** b") for a, b in (("bool", "bool"), ("bool", "True"), ("True", "bool"))},
}


def outcome(lib, op, a, b):
    try:
        out = OPS[op](lib, OPERANDS[a](lib), OPERANDS[b](lib))
    except Exception as e:  # noqa: BLE001 -- the error is the outcome compared
        return type(e).__name__, str(e).split(" (Triggered internally")[0]
    if not isinstance(out, (chainrule.Tensor, torch.Tensor)):
        return "number", out
    return str(out.dtype).replace("torch.", ""), tuple(out.shape), np.asarray(out.tolist(), dtype=np.float64)


def test_binary_ops_promote_and_refuse_as_pytorch():
    mismatches = []
    for op, a, b in itertools.product(OPS, OPERANDS, OPERANDS):
        if a in NUMBERS and b in NUMBERS and op != "where" or (op, a, b) in KNOWN:
            continue
        with np.errstate(all="ignore"):
            got, want = outcome(chainrule, op, a, b), outcome(torch, op, a, b)
        if len(got) == len(want) == 3:  # results: dtype, shape, then values
            same = got[:2] == want[:2] and np.allclose(got[2], want[2], equal_nan=True)
        else:  # an error on either side (or a number): compared whole
            same = len(got) == len(want) and got == want
        if not same:
            mismatches.append(f"{op}({a}, {b}): chainrule {got[:2]}, torch {want[:2]}")
    assert not mismatches, "\n".join(mismatches[:40]) + f"\n({len(mismatches)} in all)"


UNARY_OPERANDS = {
    **{k: OPERANDS[k] for k in ("f32", "f64", "i64", "i32", "u8", "bool", "f32 0-d", "i64 0-d")},
    "c64": lambda L: L.tensor([1 + 1j, -2j, 0j]),
}
UNARY = [  # each called as torch.<name>(x), but for the few given a dim
    "exp", "log", "sqrt", "abs", "neg", "sigmoid", "tanh", "relu", "floor", "ceil", "round", "trunc", "sign", "sin",
    "square", "reciprocal", "rsqrt", "exp2", "log1p", "expm1", "erf", "erfc", "erfinv", "frac", "sgn", "logit",
    "logical_not", "bitwise_not", "isnan", "isinf", "isfinite", "signbit", "nan_to_num", "deg2rad", "rad2deg",
    "positive", "negative", "fix", "sum", "nansum", "mean", "prod", "argmax", "max", "min", "amax", "std", "var",
    "norm", "all", "any", "count_nonzero", "clone", "flatten", "t", "median", "unique", "diff", "sort", "argsort",
    "cumsum", "cumprod", "cummax", "logcumsumexp", "softmax", "log_softmax",
    "cumsum dim", "softmax dim", "log_softmax dim", "logsumexp dim", "flip dim",
]


def unary_outcome(lib, name, kind):
    x = UNARY_OPERANDS[kind](lib)
    try:
        if name.endswith(" dim"):
            name = name[:-4]
            out = lib.flip(x, (0,)) if name == "flip" else getattr(lib, name)(x, 0)
        else:
            out = getattr(lib, name)(x)
    except Exception as e:  # noqa: BLE001 -- the error is the outcome compared
        return type(e).__name__, str(e).split(" (Triggered internally")[0]
    if isinstance(out, tuple):  # (values, indices)
        out = out[0]
    return str(out.dtype).replace("torch.", ""), tuple(out.shape), np.asarray(out.tolist(), dtype=np.complex128)


def test_unary_ops_and_reductions_take_and_refuse_dtypes_as_pytorch():
    mismatches = []
    for name, kind in itertools.product(UNARY, UNARY_OPERANDS):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # std / var of one element warn in both
            got, want = unary_outcome(chainrule, name, kind), unary_outcome(torch, name, kind)
        if len(got) == len(want) == 3:
            same = got[:2] == want[:2] and np.allclose(got[2], want[2], equal_nan=True)
        else:
            same = got == want
        if not same:
            mismatches.append(f"{name}({kind}): chainrule {got[:2]}, torch {want[:2]}")
    assert not mismatches, "\n".join(mismatches[:40]) + f"\n({len(mismatches)} in all)"


NN_OPERANDS = {
    "f32": lambda L: L.tensor([[1.5, -2.0, 0.5], [0.25, 4.0, -1.0]]),
    "f64": lambda L: L.tensor([[1.5, -2.0, 0.5], [0.25, 4.0, -1.0]], dtype=L.float64),
    "f16": lambda L: L.tensor([[1.5, -2.0, 0.5], [0.25, 4.0, -1.0]], dtype=L.float16),
    "i64": lambda L: L.tensor([[1, -2, 0], [3, 4, -1]]),
    "bool": lambda L: L.tensor([[True, False, True], [False, False, True]]),
}
NN = {name: (lambda name: lambda L, x: getattr(L.nn.functional, name)(x))(name) for name in (
    "relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "softsign", "tanhshrink", "hardtanh",
    "hardswish", "hardsigmoid", "leaky_relu", "logsigmoid", "sigmoid", "tanh", "hardshrink", "softshrink")}
NN.update({
    "rrelu": lambda L, x: L.nn.functional.rrelu(x, training=False),
    "threshold": lambda L, x: L.nn.functional.threshold(x, 0.5, -1.0),
    "softmax": lambda L, x: L.nn.functional.softmax(x, 1),
    "log_softmax": lambda L, x: L.nn.functional.log_softmax(x, 1),
    "mse_loss": lambda L, x: L.nn.functional.mse_loss(x, x * 0),
    "l1_loss": lambda L, x: L.nn.functional.l1_loss(x, x * 0),
    "smooth_l1_loss": lambda L, x: L.nn.functional.smooth_l1_loss(x, x * 0),
    "binary_cross_entropy_with_logits": lambda L, x: L.nn.functional.binary_cross_entropy_with_logits(x, x * 0),
    "kl_div": lambda L, x: L.nn.functional.kl_div(x, x * 0 + 0.5, reduction="batchmean"),
    "linear": lambda L, x: L.nn.functional.linear(x, x),
    "layer_norm": lambda L, x: L.nn.functional.layer_norm(x, (3,)),
    "glu": lambda L, x: L.nn.functional.glu(L.cat([x, x], 1)),
    "prelu": lambda L, x: L.nn.functional.prelu(x, L.tensor([0.25], dtype=x.dtype)),
    "pad": lambda L, x: L.nn.functional.pad(x, (1, 1)),
    "embedding": lambda L, x: L.nn.functional.embedding(L.tensor([0, 1]), x),
})


def test_nn_functional_takes_and_refuses_dtypes_as_pytorch():
    mismatches = []
    for name, kind in itertools.product(NN, NN_OPERANDS):
        outcomes = []
        for lib in (chainrule, torch):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    out = NN[name](lib, NN_OPERANDS[kind](lib))
                    values = (out.float() if out.dtype == lib.float16 else out).tolist()
                    outcomes.append((str(out.dtype).replace("torch.", ""), tuple(out.shape), np.asarray(values, float)))
                except Exception as e:  # noqa: BLE001 -- the error is the outcome compared
                    outcomes.append((type(e).__name__, str(e).split(" (Triggered internally")[0]))
        got, want = outcomes
        if len(got) == len(want) == 3:  # float16 results compared to float16's precision
            same = got[:2] == want[:2] and np.allclose(got[2], want[2], rtol=3e-3, atol=1e-3, equal_nan=True)
        else:
            same = got == want
        if not same:
            mismatches.append(f"{name}({kind}): chainrule {got[:2]}, torch {want[:2]}")
    assert not mismatches, "\n".join(mismatches[:40]) + f"\n({len(mismatches)} in all)"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numbers_given_to_small_ufuncs_as_arrays_keep_their_values_and_signs(dtype):
    # NOTE [Numbers as arrays]: the dispatchers cache a 0-d array per number and dtype; zeros are kept by sign
    values = [0, 0.0, -0.0, 2, 0.1, -3.5, 1e-45, 2.0 ** 70, float("inf"), float("nan"), 0.0, -0.0, 0.1]
    x = np.array([1.0, -2.0, 0.0, 3e38], dtype)
    for value in values:
        for op in ("add", "sub", "mul", "div"):
            got, want = (getattr(lib, op)(lib.tensor(x), value).numpy() for lib in (chainrule, torch))
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
            assert got.dtype == want.dtype
