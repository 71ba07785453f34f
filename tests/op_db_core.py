"""op_db rows for the foundation ops (issue 2): arithmetic, the tutorial's functions, reductions, matmul, shape."""
import numpy as np

from op_db import Int, OpInfo, Sample, noncontig, randn


def unary(dtype, low=None, high=None):
    return [
        Sample((randn(dtype=dtype, low=low, high=high),), note="0-d"),
        Sample((randn(5, dtype=dtype, low=low, high=high),)),
        Sample((noncontig(randn(3, 4, dtype=dtype, low=low, high=high)),), note="non-contiguous"),
        Sample((randn(0, 3, dtype=dtype, low=low, high=high),), note="empty"),
    ]


def binary(dtype, low=None, high=None, **kwargs):
    a = lambda *s: randn(*s, dtype=dtype, low=low, high=high)
    return [
        Sample((a(4), a(4)), kwargs),
        Sample((a(2, 3), a(3)), kwargs, note="broadcast"),
        Sample((a(2, 1), a(1, 3)), kwargs, note="broadcast both"),
        Sample((a(), a(3)), kwargs, note="0-d with 1-d"),
        Sample((a(3), 2.5), kwargs, note="python scalar"),
        Sample((noncontig(a(3, 2)), a(3, 2)), kwargs),
    ]


def positive(dtype):
    return unary(dtype, 0.5, 2.0)


def away_from_zero(dtype):
    x = randn(3, 4, dtype=dtype)
    return [Sample((np.where(np.abs(x) < 0.1, 0.5, x).astype(dtype),)), Sample((np.array(1.5, dtype),))]


OPS = [
    OpInfo("add", binary, method="add", aliases=("__add__",)),
    OpInfo("add", lambda d: binary(d, alpha=2)),
    OpInfo("sub", binary, method="sub"),
    OpInfo("sub", lambda d: binary(d, alpha=-0.5)),
    OpInfo("mul", binary, method="mul"),
    OpInfo("div", lambda d: binary(d, 0.5, 2.0), method="div", aliases=("divide", "true_divide")),
    OpInfo("div", lambda d: [Sample((randn(5, dtype=d) * 4, randn(5, dtype=d, low=0.5, high=2)),
                                    {"rounding_mode": m}) for m in ("floor", "trunc")], grad=False),
    OpInfo("neg", unary, method="neg", aliases=("negative",)),
    OpInfo("pow", lambda d: [Sample((randn(4, dtype=d, low=0.5, high=2), e)) for e in (2, 0.5, -1.5, 0, 3)]
           + [Sample((randn(4, dtype=d, low=0.5, high=2), randn(4, dtype=d))),
              Sample((randn(2, 3, dtype=d, low=0.5, high=2), randn(3, dtype=d)), note="broadcast")],
           method="pow"),
    OpInfo("exp", unary, method="exp"),
    OpInfo("bernoulli", lambda d: [Sample((np.array([0.0, 1.0, 1.0, 0.0], d),))], method="bernoulli", skip_fd=True,
           note="probabilities 0 and 1 only, so that the draw is certain; a step function: no finite differences"),
    OpInfo("log", positive, method="log"),
    OpInfo("sqrt", positive, method="sqrt"),
    OpInfo("reciprocal", positive, method="reciprocal"),
    OpInfo("sigmoid", unary, method="sigmoid"),
    OpInfo("tanh", unary, method="tanh"),
    OpInfo("relu", away_from_zero, method="relu"),
    OpInfo("abs", away_from_zero, method="abs"),
    OpInfo("sign", unary, method="sign"),
    OpInfo("where", lambda d: [Sample((Int(randn(3, 4) > 0), randn(3, 4, dtype=d), randn(4, dtype=d))),
                               Sample((Int(randn(3) > 0), randn(3, dtype=d), 0.0)),
                               Sample((Int(randn(3) > 0), 0.0, randn(3, dtype=d)), note="a number first"),
                               Sample((Int(randn(3) > 0), 2, randn(3, dtype=d)), note="an int first"),
                               Sample((Int(randn(2, 3) > 0), randn(3, dtype=d), randn(2, 1, dtype=d)),
                                      note="the condition broadcasts"),
                               Sample((Int(randn(3) > 0), randn(3, dtype=d),
                                       randn(3, dtype=np.float64 if d == np.float32 else np.float32)),
                                      note="mixed dtypes: promotion"),
                               Sample((Int(randn(3) > 0), 1.0, 2.0), note="numbers only: the default float dtype"),
                               Sample((Int(randn(3) > 0), 1, 2.5), note="numbers only: int and float")]),
    OpInfo("clamp", lambda d: [Sample((randn(3, 4, dtype=d), -0.5, 0.5)), Sample((randn(5, dtype=d),), {"min": 0.1}),
                               Sample((randn(5, dtype=d),), {"max": 0.1})], method="clamp", aliases=("clip",)),
    *[OpInfo(n, lambda d: binary(d), grad=False, method=n) for n in ("eq", "ne", "lt", "le", "gt", "ge")],
    OpInfo("sum", lambda d: unary(d) + [Sample((randn(2, 3, 4, dtype=d), 1)), Sample((randn(2, 3, 4, dtype=d), (0, 2), True)),
                                        Sample((randn(2, 3, dtype=d), -1))], method="sum"),
    OpInfo("mean", lambda d: unary(d)[:3] + [Sample((randn(2, 3, 4, dtype=d), 1)),
                                             Sample((randn(2, 3, 4, dtype=d),), {"dim": (0, 2), "keepdim": True})],
           method="mean"),
    OpInfo("norm", lambda d: [Sample((away_from_zero(d)[0].args[0],)), Sample((randn(3, 4, dtype=d), 1)),
                              Sample((randn(5, dtype=d), 3)), Sample((randn(3, 4, dtype=d), 2, 1)),
                              Sample((randn(3, 4, dtype=d), float("inf"))), Sample((randn(3, 4, dtype=d), 2, (0, 1), True))],
           method="norm"),
    OpInfo("dot", lambda d: [Sample((randn(4, dtype=d), randn(4, dtype=d)))], method="dot"),
    OpInfo("mv", lambda d: [Sample((randn(3, 4, dtype=d), randn(4, dtype=d)))], method="mv"),
    OpInfo("mm", lambda d: [Sample((randn(3, 4, dtype=d), randn(4, 2, dtype=d))),
                            Sample((randn(1, 3, dtype=d), randn(5, 3, dtype=d)), note="shape error")], method="mm"),
    OpInfo("bmm", lambda d: [Sample((randn(2, 3, 4, dtype=d), randn(2, 4, 2, dtype=d)))], method="bmm"),
    OpInfo("matmul", lambda d: [Sample((randn(*a, dtype=d), randn(*b, dtype=d))) for a, b in [
        ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 2)), ((3, 4), (4, 2)), ((2, 3, 4), (4, 2)), ((2, 3, 4), (4,)),
        ((4,), (2, 4, 3)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3,), (4,)), ((2, 3), (4,)),
        ((5,), (2, 3)), ((2, 3), (2, 3))]], method="matmul", aliases=("__matmul__",)),
    OpInfo("t", lambda d: [Sample((randn(3, 4, dtype=d),)), Sample((randn(3, dtype=d),))], method="t"),
    OpInfo("transpose", lambda d: [Sample((randn(2, 3, 4, dtype=d), 0, 2)), Sample((randn(2, 3, dtype=d), -1, 0))],
           method="transpose", aliases=("swapaxes",)),
    OpInfo("permute", lambda d: [Sample((randn(2, 3, 4, dtype=d), (2, 0, 1)))], method="permute"),
    OpInfo("reshape", lambda d: [Sample((randn(2, 3, 4, dtype=d), (6, -1))), Sample((noncontig(randn(3, 4, dtype=d)), (12,))),
                                 Sample((randn(3, dtype=d), (2, 2)), note="bad shape")], method="reshape",
           aliases=("view", "view_as", "reshape_as")),
    OpInfo("Tensor.view", lambda d: [Sample((randn(2, 3, 4, dtype=d), 6, 4)), Sample((randn(3, 4, dtype=d).T.copy().T, 12))]),
    OpInfo("Tensor.expand", lambda d: [Sample((randn(3, 1, dtype=d), 2, 3, 4)), Sample((randn(3, dtype=d), 2, 3)),
                                       Sample((randn(3, 1, dtype=d), -1, 4)),
                                       Sample((randn(2, 3, dtype=d), 3), note="fewer sizes than dims: error")],
           aliases=("expand_as",)),
    OpInfo("unsqueeze", lambda d: [Sample((randn(3, 4, dtype=d), 1)), Sample((randn(3, dtype=d), -1))], method="unsqueeze"),
    OpInfo("squeeze", lambda d: [Sample((randn(3, 1, 4, 1, dtype=d),)), Sample((randn(3, 1, dtype=d), 1)),
                                 Sample((randn(1, 3, 1, dtype=d), (0, 2)))], method="squeeze"),
    OpInfo("clone", unary, method="clone"),
    OpInfo("unbind", lambda d: [Sample((randn(3, 4, dtype=d), 1))], method="unbind", output_index=0),
    OpInfo("stack", lambda d: [Sample(([randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=2)], 1)),
                               Sample(([randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=2), randn(3, 4, dtype=d)],)),
                               Sample(([randn(2, 3, dtype=d), randn(2, 3, dtype=d, seed=3)], -1))]),
    OpInfo("cat", lambda d: [Sample(([randn(2, 4, dtype=d), randn(3, 4, dtype=d)],)),
                             Sample(([randn(2, 3, dtype=d), randn(2, 1, dtype=d)], -1)),
                             Sample(([randn(2, 3, dtype=d), np.zeros(0, d), randn(1, 3, dtype=d)],),
                                    note="a legacy empty 1-d input")], aliases=("concat", "concatenate")),
    OpInfo("select", lambda d: [Sample((randn(3, 4, dtype=d), 1, 2)), Sample((randn(3, 4, dtype=d), 0, 5))], method="select"),
    OpInfo("nonzero", lambda d: [Sample((Int(randn(3, 4) > 0),)), Sample((Int(np.array(2.0)),)),
                                 Sample((Int(np.array(0)),)), Sample((Int(randn(3, 4) > 0),), {"as_tuple": True}),
                                 Sample((Int(np.array(2.0)),), {"as_tuple": True})], grad=False),
]

OPS += [
    OpInfo("sum", lambda d: [Sample((randn(2, 3, dtype=d), ())), Sample((randn(2, 3, dtype=d), []), {"keepdim": True})],
           note="empty dim lists"),
    OpInfo("mean", lambda d: [Sample((randn(2, 3, dtype=d), ())), Sample((randn(2, 3, dtype=d), [], True))]),
    OpInfo("sign", lambda d: [Sample((np.array([np.nan, -0.0, 2.0, -3.0], d),))], grad=False),
]

OPS += [
    OpInfo("matmul", lambda d: [Sample((randn(2, 0, 3, dtype=d), randn(2, 3, 0, dtype=d))),
                                Sample((randn(0, 3, 4, dtype=d), randn(4, 2, dtype=d)))], note="zero-sized batches"),
    OpInfo("norm", lambda d: [Sample((randn(3, 4, dtype=d), "nuc")), Sample((randn(3, 4, dtype=d), "fro"))]),
]

OPS += [
    OpInfo("mm", lambda d: [Sample((randn(2, 3, dtype=np.float32), randn(3, 2, dtype=np.float64)))], note="dtypes"),
    OpInfo("bmm", lambda d: [Sample((randn(1, 2, 3, dtype=np.float32), randn(1, 3, 2, dtype=np.float64)))]),
    OpInfo("mv", lambda d: [Sample((randn(2, 3, dtype=np.float32), randn(3, dtype=np.float64)))]),
    OpInfo("dot", lambda d: [Sample((randn(3, dtype=np.float32), randn(3, dtype=np.float64)))]),
    OpInfo("sum", lambda d: [Sample((randn(dtype=d), 0)), Sample((randn(dtype=d), -1, True)), Sample((randn(dtype=d), (0, -1)))],
           note="0-d"),
    OpInfo("mean", lambda d: [Sample((randn(dtype=d), 0))]),
]
