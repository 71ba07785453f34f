"""op_db rows for chainrule.nn.functional: activations, softmax family, linear, dropout, embedding, losses,
convolutions, pooling, padding, resampling, normalization and attention."""
import numpy as np

from op_db import Int, OpInfo, Sample, noncontig, randn

F = "nn.functional."


def away(a, kinks=(0.0,), gap=0.1):
    """Move samples that fall within `gap` of a kink of a piecewise op."""
    a = np.array(a)
    dtype = a.dtype
    for k in kinks:
        near = np.abs(a - k) < gap
        a = np.where(near, k + np.where(a >= k, gap, -gap) * 2, a)
    return a.astype(dtype)


def act(dtype, kinks=(0.0,), scale=1.0, **kwargs):
    r = lambda *s: away(randn(*s, dtype=dtype) * scale, kinks)
    return [
        Sample((r(),), kwargs, note="0-d"),
        Sample((r(5),), kwargs),
        Sample((noncontig(r(3, 4)),), kwargs, note="non-contiguous"),
        Sample((randn(0, 3, dtype=dtype),), kwargs, note="empty"),
    ]


def act_row(name, kinks=(0.0,), scale=1.0, extra=(), **row):
    return OpInfo(F + name, lambda d: act(d, kinks, scale) + [Sample((away(randn(2, 5, dtype=d) * scale, kinks),), k)
                                                              for k in extra], **row)


def losses(dtype, pos=False, **kwargs):
    x = lambda *s, seed=0: (randn(*s, dtype=dtype, seed=seed, low=0.1, high=0.9) if pos
                            else randn(*s, dtype=dtype, seed=seed))
    out = []
    for red in ("mean", "sum", "none"):
        out.append(Sample((x(3, 4), x(3, 4, seed=5)), dict(kwargs, reduction=red)))
    out.append(Sample((x(5), x(5, seed=3)), kwargs))
    out.append(Sample((x(), x(seed=3)), kwargs, note="0-d"))
    return out


def ce(d):
    x = randn(4, 5, dtype=d)
    t = Int(np.array([0, 3, 4, 1]))
    p = randn(4, 5, dtype=d, seed=3, low=0.0, high=1.0)
    p = (p / p.sum(1, keepdims=True)).astype(d)
    w = randn(5, dtype=d, seed=7, low=0.5, high=1.5)
    x3 = randn(2, 3, 4, dtype=d)
    t3 = Int(np.array([[0, 1, 2, 1], [2, 2, 0, 1]]))
    x4 = randn(2, 3, 2, 2, dtype=d)
    t4 = Int(np.array([[[0, 1], [2, 1]], [[2, 2], [0, 1]]]))
    return [
        Sample((x, t)), Sample((x, t), {"reduction": "sum"}), Sample((x, t), {"reduction": "none"}),
        Sample((x, t), {"weight": Int(w)}), Sample((x, t), {"weight": Int(w), "reduction": "none"}),
        Sample((x, Int(np.array([0, -100, 4, 1])))), Sample((x, Int(np.array([0, 2, 4, 1]))), {"ignore_index": 2}),
        Sample((x, t), {"label_smoothing": 0.1}), Sample((x, t), {"label_smoothing": 0.2, "reduction": "none"}),
        Sample((x, Int(np.array([0, 2, 4, 1]))), {"label_smoothing": 0.1, "ignore_index": 2, "weight": Int(w)}),
        Sample((x, p)), Sample((x, p), {"reduction": "sum"}), Sample((x, p), {"reduction": "none"}),
        Sample((x, p), {"label_smoothing": 0.1, "weight": Int(w)}),
        Sample((x3, t3)), Sample((x3, t3), {"reduction": "none"}), Sample((x4, t4)),
        Sample((x4, t4), {"reduction": "none"}),
        Sample((randn(5, dtype=d), Int(np.array(2))), note="unbatched"),
        Sample((noncontig(randn(5, 4, dtype=d)).T, t), note="non-contiguous"),
        Sample((randn(4, 5, dtype=d) * 100, t), note="large logits"),
        Sample((x, Int(np.array([0, 1, 2, 5]))), note="target out of bounds"),
        Sample((x, Int(np.array([0, -2, 2, 1]))), note="negative target"),
        Sample((x, Int(np.array([0, -2, 2, 1]))), {"ignore_index": -2}, note="negative ignore_index"),
        Sample((x4, t4), {"weight": Int(w[:3]), "ignore_index": 1}, note="weighted 2-d, some ignored"),
        Sample((randn(0, 5, dtype=d), Int(np.zeros(0, np.int64))), note="empty batch"),
        Sample((x, Int(np.array([0, 1, 2]))), note="batch mismatch"),
    ]


def nll(d):
    x = randn(4, 5, dtype=d)
    t = Int(np.array([0, 3, 4, 1]))
    w = randn(5, dtype=d, seed=7, low=0.5, high=1.5)
    return [Sample((x, t)), Sample((x, t), {"reduction": "none"}), Sample((x, t), {"weight": Int(w)}),
            Sample((x, Int(np.array([0, 1, -100, 2])))),
            Sample((randn(2, 3, 4, dtype=d), Int(np.array([[0, 1, 2, 1], [2, 2, 0, 1]]))), {"reduction": "none"}),
            Sample((x, Int(np.array([0, 1, 2, 7]))), note="target out of bounds"),
            Sample((x, Int(np.array([0, 1, 2, 3], np.int32))), note="int32 target"),
            Sample((x, Int(np.array([0, 1, 2, 3], np.uint8))), note="uint8 target")]


def conv2d(d):
    x = randn(2, 3, 5, 5, dtype=d)
    w = randn(4, 3, 3, 3, dtype=d, seed=1)
    b = randn(4, dtype=d, seed=2)
    return [
        Sample((x, w)), Sample((x, w, b)), Sample((x, w, b), {"stride": 2, "padding": 1}),
        Sample((x, w), {"padding": "same"}), Sample((x, randn(4, 3, 2, 2, dtype=d, seed=1)), {"padding": "same"}),
        Sample((x, w), {"padding": "valid", "dilation": 2}),
        Sample((randn(1, 4, 4, 4, dtype=d), randn(6, 2, 3, 3, dtype=d, seed=1), randn(6, dtype=d)),
               {"groups": 2, "padding": (1, 0), "stride": (1, 2)}),
        Sample((noncontig(randn(3, 4, 4, dtype=d)), w), note="unbatched, non-contiguous"),
        Sample((randn(2, 5, 5, 5, dtype=d), w), note="channel mismatch"),
        Sample((randn(2, 3, 2, 2, dtype=d), w), note="kernel too large"),
        Sample((x, w), {"stride": 2, "padding": "same"}, note="strided same"),
        Sample((randn(2, 4, 5, 5, dtype=d), randn(4, 2, 3, 3, dtype=d)), {"groups": 3}, note="groups"),
        Sample((x, w.astype(np.float64 if d == np.float32 else np.float32)), note="weight dtype"),
        Sample((x, w, b.astype(np.float64 if d == np.float32 else np.float32)), note="bias dtype"),
        Sample((x, Int(np.ones((4, 3, 3, 3), np.int64))), note="integer weight"),
        Sample((x[:1], Int(np.ones((4, 3, 3, 3), np.int64))), note="integer weight, batch of one"),
        Sample((x, w, Int(np.ones(4, np.int64))), note="integer bias"),
    ]


def conv1d(d):
    x = randn(2, 3, 7, dtype=d)
    return [Sample((x, randn(4, 3, 3, dtype=d, seed=1), randn(4, dtype=d))),
            Sample((x, randn(6, 1, 2, dtype=d, seed=1)), {"groups": 3, "stride": 2, "padding": 1, "dilation": 2}),
            Sample((randn(3, 7, dtype=d), randn(4, 3, 3, dtype=d, seed=1)), note="unbatched")]


def conv3d(d):
    return [Sample((randn(1, 2, 3, 4, 4, dtype=d), randn(3, 2, 2, 2, 2, dtype=d, seed=1), randn(3, dtype=d)),
                   {"padding": 1, "stride": (1, 2, 2)})]


def convt2d(d):
    x = randn(2, 3, 3, 3, dtype=d)
    w = randn(3, 2, 3, 3, dtype=d, seed=1)
    return [Sample((x, w)), Sample((x, w, randn(2, dtype=d)), {"stride": 2, "padding": 1, "output_padding": 1}),
            Sample((randn(1, 4, 3, 3, dtype=d), randn(4, 1, 2, 2, dtype=d, seed=1)),
                   {"groups": 2, "dilation": 2, "stride": (2, 1)}),
            Sample((randn(3, 3, 3, dtype=d), w), note="unbatched"),
            Sample((x, w), {"dilation": 2, "output_padding": 1}, note="output_padding < dilation, stride 1"),
            Sample((x, w), {"output_padding": 1}, note="output_padding too large")]


def convt1d(d):
    return [Sample((randn(2, 3, 5, dtype=d), randn(3, 2, 3, dtype=d, seed=1), randn(2, dtype=d)),
                   {"stride": 2, "padding": 1}),
            Sample((randn(2, 3, 5, dtype=d), randn(3, 2, 3, dtype=d, seed=1)), {"output_padding": 1},
                   note="output_padding too large")]


def distinct(*shape, dtype, seed=0):
    """Values far apart, so that max-type ops have no near ties."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) * 0.1 - n * 0.05).astype(dtype)


def maxpool2d(d):
    x = distinct(2, 2, 5, 5, dtype=d)
    return [Sample((x, 2)), Sample((x, 3), {"stride": 2, "padding": 1}), Sample((x, 2), {"ceil_mode": True}),
            Sample((x, (2, 3)), {"stride": 1, "dilation": (2, 1), "return_indices": True}),
            Sample((x, 3), {"stride": 2, "ceil_mode": True, "padding": 1, "return_indices": True}),
            Sample((distinct(3, 6, 6, dtype=d), 2), note="unbatched"),
            Sample((x, 3), {"padding": 2}, note="padding too large"),
            Sample((x, (3, 1)), {"stride": 3, "dilation": (2, 1)}, note="output too small")]


def avgpool2d(d):
    x = randn(2, 2, 5, 5, dtype=d)
    return [Sample((x, 2)), Sample((x, 3), {"stride": 2, "padding": 1}),
            Sample((x, 3), {"stride": 2, "padding": 1, "count_include_pad": False}),
            Sample((x, 2), {"ceil_mode": True}), Sample((x, 3), {"stride": 2, "padding": 1, "ceil_mode": True,
                                                               "count_include_pad": False}),
            Sample((x, 2), {"divisor_override": 3}), Sample((randn(3, 4, 4, dtype=d), (2, 1)), note="unbatched")]


def bn(d, training):
    x = randn(4, 3, 2, dtype=d)
    rm, rv = Int(randn(3, dtype=d, seed=3)), Int(randn(3, dtype=d, seed=4, low=0.5, high=2))
    w, b = randn(3, dtype=d, seed=5), randn(3, dtype=d, seed=6)
    out = [Sample((x, rm, rv), {"training": training}), Sample((x, rm, rv, w, b), {"training": training}),
           Sample((randn(5, 3, dtype=d), rm, rv, w, b), {"training": training, "momentum": 0.3, "eps": 1e-3}),
           Sample((randn(2, 3, 2, 2, dtype=d), rm, rv, w), {"training": training})]
    if training:
        out += [Sample((x, None, None, w, b), {"training": True}),
                Sample((randn(1, 3, dtype=d), rm, rv), {"training": True}, note="one value per channel"),
                Sample((x, randn(3, dtype=d), rv), {"training": True}, note="running_mean requires grad"),
                Sample((x, rm, Int(np.ones(4, d))), {"training": True}, note="running_var size"),
                Sample((x, rm, rv, randn(2, dtype=d)), {"training": True}, note="weight size")]
    return out


def mha(d):
    q, k, v = randn(2, 2, 4, dtype=d), randn(3, 2, 4, dtype=d, seed=1), randn(3, 2, 4, dtype=d, seed=2)
    wi, bi = randn(12, 4, dtype=d, seed=3) * 0.5, randn(12, dtype=d, seed=4)
    wo, bo = randn(4, 4, dtype=d, seed=5) * 0.5, randn(4, dtype=d, seed=6)
    args = lambda q, k, v, b=bi: (q, k, v, 4, 2, wi, b, None, None, False, 0.0, wo, bo)
    return [Sample(args(q, k, v)), Sample(args(q, k, v), {"attn_mask": Int(randn(2, 3, dtype=d, seed=7))}),
            Sample(args(q, k, v), {"key_padding_mask": Int(np.array([[False, True, False], [False, False, True]])),
                                   "average_attn_weights": False}),
            Sample(args(q[:, 0], k[:, 0], v[:, 0]), note="unbatched"),
            Sample(args(q, k, v), {"attn_mask": Int(randn(3, 3, dtype=d))}, note="bad mask shape")]


def mha_fused(d):
    q, k, v = randn(2, 2, 4, dtype=d), randn(3, 2, 4, dtype=d, seed=1), randn(3, 2, 4, dtype=d, seed=2)
    args = (q, k, v, 4, 2, randn(12, 4, dtype=d, seed=3) * 0.5, None, None, None, False, 0.0,
            randn(4, 4, dtype=d, seed=5) * 0.5, randn(4, dtype=d, seed=6))
    return [Sample(args, {"need_weights": False}),
            Sample(args, {"attn_mask": Int(np.triu(np.ones((2, 3), bool), 1)), "need_weights": False})]


def ctc(d):
    x = randn(6, 2, 4, dtype=d)
    lp = (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(d)
    tg, il, tl = Int(np.array([[1, 2, 2], [3, 1, 0]])), Int(np.array([6, 5])), Int(np.array([3, 2]))
    return [Sample((lp, tg, il, tl)), Sample((lp, tg, il, tl), {"reduction": "sum"}),
            Sample((lp, tg, il, tl), {"reduction": "none"}),
            Sample((lp, Int(np.array([1, 2, 2, 3, 1])), il, tl), note="concatenated targets"),
            Sample((lp, Int(np.array([[1, 1, 1], [3, 3, 3]])), Int(np.array([2, 3])), Int(np.array([3, 2]))),
                   {"zero_infinity": True, "reduction": "none"}, note="impossible alignments"),
            Sample((lp[:, 0], Int(np.array([1, 2])), Int(np.array(6)), Int(np.array(2))), note="unbatched"),
            Sample((lp, tg, Int(np.array([7, 5])), tl), note="input length too long")]


def sdpa(d):
    q, k, v = randn(2, 3, 4, dtype=d), randn(2, 5, 4, dtype=d, seed=1), randn(2, 5, 2, dtype=d, seed=2)
    q3 = randn(2, 4, 4, dtype=d, seed=3)
    mask = Int(np.array([[1, 1, 0, 1, 0], [1, 0, 1, 1, 1], [0, 1, 1, 1, 1]], bool))
    return [Sample((q, k, v)), Sample((q3, q3, q3), {"is_causal": True}), Sample((q, k, v), {"attn_mask": mask}),
            Sample((q, k, v), {"attn_mask": Int(randn(3, 5, dtype=d, seed=9))}), Sample((q, k, v), {"scale": 0.3}),
            Sample((q[0], k[0], v[0]), note="2-d"),
            Sample((q[None], k[None], v[None]), note="4-d, head sizes differ: math path"),
            Sample((randn(2, 2, 3, 4, dtype=d, seed=5), k[None], k[None]), note="4-d, batch broadcast: math path"),
            Sample((randn(2, 2, 3, 4, dtype=d, seed=5), k[None], k[None]), {"attn_mask": Int(np.zeros((2, 1, 3, 5), d))})]


def sdpa_fused(d):
    q, k = randn(1, 2, 3, 4, dtype=d), randn(1, 2, 5, 4, dtype=d, seed=1)
    mask = Int(np.array([[1, 1, 0, 1, 0], [1, 0, 1, 1, 1], [0, 1, 1, 1, 1]], bool))
    return [Sample((q, k, k)), Sample((randn(1, 2, 4, 3, dtype=d, seed=4),) * 3, {"is_causal": True}),
            Sample((q, k, k), {"attn_mask": Int(randn(3, 5, dtype=d, seed=9))}), Sample((q, k, k), {"attn_mask": mask}),
            Sample((randn(1, 4, 3, 2, dtype=d, seed=6), randn(1, 2, 3, 2, dtype=d, seed=7), randn(1, 2, 3, 2, dtype=d)),
                   {"enable_gqa": True}, note="grouped-query attention")]


OPS = [
    # ---- activations
    act_row("relu6", kinks=(0.0, 6.0), scale=4),
    act_row("hardtanh", kinks=(-1.0, 1.0), extra=({"min_val": -0.5, "max_val": 0.2},)),
    act_row("leaky_relu", extra=({"negative_slope": 0.2},)),
    act_row("elu", extra=({"alpha": 0.5},)),
    act_row("selu"),
    act_row("celu", extra=({"alpha": 2.0},)),
    act_row("gelu", scale=2, extra=({"approximate": "tanh"},)),
    OpInfo(F + "gelu", lambda d: [Sample((randn(6, dtype=d) * 3,), {"approximate": "tanh"}),
                                  Sample((np.array([-6.0, -4.0, -3.2, 3.5, 5.0, 8.0], d),))]),
    act_row("silu", scale=3),
    act_row("mish", scale=3),
    act_row("softplus", scale=3, extra=({"beta": 2.0, "threshold": 1.5},)),
    OpInfo(F + "softplus", lambda d: [Sample((np.array([-50.0, -3.0, 25.0, 30.0], d),))]),
    act_row("softsign", scale=2),
    act_row("hardsigmoid", kinks=(-3.0, 3.0), scale=4, gradgrad=False),
    act_row("hardswish", kinks=(-3.0, 3.0), scale=4),
    act_row("logsigmoid", scale=3),
    OpInfo(F + "logsigmoid", lambda d: [Sample((np.array([-100.0, -20.0, 20.0, 100.0], d),))]),
    act_row("tanhshrink"),
    act_row("softshrink", kinks=(-0.5, 0.5), extra=({"lambd": 1.0},)),
    OpInfo(F + "softmax", lambda d: [Sample((Int(np.ones((2, 3), np.int32)), 1), note="integer input")]),
    act_row("hardshrink", kinks=(-0.5, 0.5), extra=({"lambd": 1.0},)),
    OpInfo(F + "celu", lambda d: [Sample((randn(3, dtype=d), 0.0), note="alpha 0")]),
    OpInfo(F + "softshrink", lambda d: [Sample((randn(3, dtype=d), -1.0), note="negative lambda")]),
    OpInfo(F + "threshold", lambda d: [Sample((away(randn(3, 4, dtype=d), (0.1,)), 0.1, 20.0)),
                                       Sample((away(randn(5, dtype=d), (-0.5,)), -0.5, -2.0))]),
    OpInfo(F + "glu", lambda d: [Sample((randn(4, 6, dtype=d),)), Sample((randn(4, 6, dtype=d), 0)),
                                 Sample((randn(4, 5, dtype=d), 1), note="odd dimension")]),
    OpInfo(F + "relu", lambda d: act(d)),
    *[OpInfo(F + name, lambda d, pts=pts, kw=kw: [Sample((np.array(pts, d),), kw)], skip_fd=True,
             note="exactly at the kinks: PyTorch's one-sided choices")
      for name, pts, kw in [("relu", [0.0, 1.0], {}), ("relu6", [0.0, 6.0, 3.0], {}), ("hardtanh", [-1.0, 1.0], {}),
                            ("leaky_relu", [0.0], {}), ("elu", [0.0], {}), ("celu", [0.0], {}), ("selu", [0.0], {}),
                            ("hardswish", [-3.0, 3.0, 0.0], {}), ("softshrink", [-0.5, 0.5], {}),
                            ("hardshrink", [-0.5, 0.5], {}), ("threshold", [0.1, 0.3], {"threshold": 0.1, "value": 2.0})]],
    OpInfo(F + "hardsigmoid", lambda d: [Sample((np.array([-3.0, 3.0, 0.0], d),))], skip_fd=True, gradgrad=False,
           note="exactly at the kinks: PyTorch's one-sided choices"),
    *[OpInfo(F + name, lambda d, kw=kw: [Sample((randn(3, 4, dtype=d),), dict(kw, inplace=True)),
                                         Sample((randn(5, dtype=d) * 4,), dict(kw, inplace=True))], grad=False)
      for name, kw in [("relu", {}), ("relu6", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}),
                       ("leaky_relu", {}), ("hardtanh", {}), ("silu", {}), ("mish", {}), ("hardswish", {}),
                       ("hardsigmoid", {}), ("threshold", {"threshold": 0.1, "value": 2.0})]],
    *[OpInfo(F + name, lambda d, args=args: [Sample((randn(3, 4, dtype=d),) + args)], grad=False)
      for name, args in [("relu_", ()), ("elu_", (0.5,)), ("selu_", ()), ("celu_", ()), ("leaky_relu_", (0.2,)),
                         ("hardtanh_", (-0.5, 0.5)), ("threshold_", (0.1, 2.0))]],
    OpInfo(F + "elu_", lambda d: [Sample((randn(3, 4, dtype=d),), note="a leaf that requires grad")]),
    OpInfo(F + "sigmoid", lambda d: act(d)),
    OpInfo(F + "tanh", lambda d: act(d)),
    # ---- softmax family
    OpInfo("softmax", lambda d: [Sample((randn(3, 4, dtype=d), 1)), Sample((randn(3, 4, dtype=d), 0)),
                                 Sample((randn(2, 3, 4, dtype=d), -1)), Sample((randn(5, dtype=d), 0)),
                                 Sample((randn(dtype=d), 0), note="0-d"), Sample((randn(0, 3, dtype=d), 1)),
                                 Sample((noncontig(randn(3, 4, dtype=d)), 1)),
                                 Sample((randn(3, 4, dtype=d) * 1000, 1), note="large"),
                                 Sample((randn(3, 4, dtype=d), 2), note="bad dim")],
           method="softmax"),
    OpInfo("log_softmax", lambda d: [Sample((randn(3, 4, dtype=d), 1)), Sample((randn(2, 3, 4, dtype=d), 0)),
                                     Sample((randn(5, dtype=d), 0)), Sample((randn(dtype=d), 0), note="0-d"),
                                     Sample((randn(0, 3, dtype=d), 1)),
                                     Sample((randn(3, 4, dtype=d) * 1000, 1), note="large: stable")],
           method="log_softmax"),
    OpInfo(F + "softmax", lambda d: [Sample((randn(3, 4, dtype=d), 1)), Sample((randn(3, 4, dtype=d),), {"dim": 0}),
                                     Sample((randn(2, 3, 4, dtype=d),), {"dim": -1})]),
    OpInfo(F + "log_softmax", lambda d: [Sample((randn(3, 4, dtype=d), 1)),
                                         Sample((randn(3, 4, dtype=d) * 1000,), {"dim": 0})]),
    OpInfo(F + "softmin", lambda d: [Sample((randn(3, 4, dtype=d), 1)), Sample((randn(2, 3, 4, dtype=d), 0))]),
    # ---- linear layers
    OpInfo(F + "linear", lambda d: [Sample((randn(*s, dtype=d), randn(3, 5, dtype=d, seed=1)) + b)
                                    for s in [(5,), (2, 5), (2, 4, 5), (2, 2, 1, 5)]
                                    for b in [(), (randn(3, dtype=d, seed=2),)]]
           + [Sample((noncontig(randn(5, 2, 4, dtype=d)).transpose(1, 0, 2), randn(3, 4, dtype=d, seed=1),
                      randn(3, dtype=d, seed=2)), note="non-contiguous 3-d"),
              Sample((randn(2, 5, dtype=d), randn(3, 4, dtype=d)), note="shape mismatch"),
              Sample((randn(5, dtype=d), randn(3, 4, dtype=d), randn(3, dtype=d)), note="shape mismatch, 1-d"),
              Sample((randn(2, 5, dtype=d), randn(3, 5, dtype=np.float64 if d == np.float32 else np.float32)),
                     note="dtype mismatch"),
              Sample((randn(2, 5, dtype=d), randn(3, 5, dtype=d),
                      randn(3, dtype=np.float64 if d == np.float32 else np.float32)), note="bias dtype mismatch"),
              Sample((randn(2, 5, dtype=d), Int(np.ones((3, 5), np.int64))), note="integer weight")]),
    OpInfo(F + "bilinear", lambda d: [Sample((randn(4, 3, dtype=d), randn(4, 2, dtype=d, seed=1),
                                              randn(5, 3, 2, dtype=d, seed=2), randn(5, dtype=d, seed=3)))]),
    OpInfo(F + "dropout", lambda d: [Sample((randn(3, 4, dtype=d),), {"p": 0.0}),
                                     Sample((randn(3, 4, dtype=d),), {"p": 1.0}),
                                     Sample((randn(3, 4, dtype=d),), {"p": 0.5, "training": False}),
                                     Sample((randn(3, 4, dtype=d),), {"p": 1.5}, note="bad p")]),
    OpInfo(F + "dropout", lambda d: [Sample((np.zeros((3, 4), d),), {"p": 0.5}), Sample((np.zeros((2, 3), d), 0.3))],
           grad=False,
           note="random masks: zero inputs check shape and dtype only (reproducibility: see the report)"),
    OpInfo(F + "embedding", lambda d: [
        Sample((Int(np.array([[1, 2, 4], [4, 3, 9]])), randn(10, 3, dtype=d))),
        Sample((Int(np.array(3)), randn(5, 3, dtype=d)), note="0-d index"),
        Sample((Int(np.array([1, 12])), randn(10, 3, dtype=d)), note="out of range"),
        Sample((Int(np.array([1.0, 2.0])), randn(10, 3, dtype=d)), note="float indices")]),
    OpInfo(F + "embedding", lambda d: [
        Sample((Int(np.array([1, 2, 1, 0])), randn(5, 3, dtype=d)), {"padding_idx": 1}),
        Sample((Int(np.array([1, 2, 4, 4])), randn(5, 3, dtype=d)), {"padding_idx": -1}),
        Sample((Int(np.array([[1, 2, 1], [1, 3, 2]])), randn(5, 3, dtype=d)), {"scale_grad_by_freq": True})],
        skip_fd=True, note="padding rows get no gradient and scale_grad_by_freq rescales it: not what finite "
                           "differences see"),
    OpInfo(F + "embedding_bag", lambda d: [
        Sample((Int(np.array([1, 2, 4, 5, 4, 3])), randn(7, 3, dtype=d), Int(np.array([0, 2, 4])))),
        Sample((Int(np.array([1, 2, 4, 5, 4, 3])), randn(7, 3, dtype=d), Int(np.array([0, 2, 2, 4]))),
               {"mode": "sum"}, note="an empty bag"),
        Sample((Int(np.array([[1, 2, 4], [5, 4, 3]])), randn(7, 3, dtype=d)), {"mode": "max"}),
        Sample((Int(np.array([1, 2, 4, 5, 4, 3])), distinct(7, 3, dtype=d), Int(np.array([0, 2, 2, 4]))),
               {"mode": "max"}),
        Sample((Int(np.array([1, 2, 4, 5, 4, 3])), randn(7, 3, dtype=d), Int(np.array([0, 3]))),
               {"padding_idx": 4}),
        Sample((Int(np.array([1, 2, 4, 5, 4, 3])), randn(7, 3, dtype=d), Int(np.array([0, 3]))),
               {"mode": "mean", "per_sample_weights": randn(6, dtype=d)}, note="weights need mode sum")]),
    OpInfo(F + "embedding_bag", lambda d: [
        Sample((Int(np.array([1, 2, 4, 5, 4, 3])), randn(7, 3, dtype=d), Int(np.array([0, 2, 6]))),
               {"mode": "sum", "per_sample_weights": randn(6, dtype=d, seed=3), "include_last_offset": True})],
           gradgrad=False, note="PyTorch has no double backward for per_sample_weights"),
    OpInfo(F + "one_hot", lambda d: [Sample((Int(np.array([0, 2, 1])),)), Sample((Int(np.array([[0, 2], [1, 1]])), 4)),
                                     Sample((Int(np.array([1, 5])), 3), note="too large"),
                                     Sample((Int(np.array([1, -1])), 3), note="negative")], grad=False),
    # ---- distances
    OpInfo(F + "normalize", lambda d: [Sample((randn(3, 4, dtype=d),)), Sample((randn(3, 4, dtype=d),), {"dim": 0}),
                                       Sample((randn(2, 3, 4, dtype=d),), {"p": 1.0, "dim": -1}),
                                       Sample((randn(5, dtype=d),), {"dim": 0})]),
    OpInfo(F + "cosine_similarity", lambda d: [Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1))),
                                               Sample((randn(3, 4, dtype=d), randn(4, dtype=d, seed=1)), {"dim": -1}),
                                               Sample((randn(2, 3, 4, dtype=d), randn(2, 3, 4, dtype=d, seed=2)), {"dim": 0})]),
    OpInfo(F + "pairwise_distance", lambda d: [Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1))),
                                               Sample((randn(3, 4, dtype=d), randn(4, dtype=d, seed=1)), {"p": 1.0}),
                                               Sample((randn(5, dtype=d), randn(5, dtype=d, seed=1)), {"keepdim": True}),
                                               Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1)), {"p": 3.0})]),
    OpInfo("cdist", gradgrad=False, note="PyTorch has no double backward for cdist", samples=lambda d: [Sample((randn(3, 4, dtype=d), randn(5, 4, dtype=d, seed=1))),
                               Sample((randn(2, 3, 4, dtype=d), randn(2, 2, 4, dtype=d, seed=1)), {"p": 1.0}),
                               Sample((randn(3, 4, dtype=d), randn(2, 4, dtype=d, seed=1)), {"p": 3.0}),
                               Sample((randn(3, 4, dtype=d), randn(2, 3, dtype=d, seed=1)), note="columns")]),
    # ---- losses
    OpInfo(F + "mse_loss", lambda d: losses(d) + [Sample((randn(3, 4, dtype=d), randn(4, dtype=d)))]),
    OpInfo(F + "l1_loss", lambda d: losses(d)),
    OpInfo(F + "smooth_l1_loss", lambda d: losses(d) + losses(d, beta=0.5) + losses(d, beta=0.0)[:1]),
    OpInfo(F + "huber_loss", lambda d: losses(d) + losses(d, delta=0.3)),
    OpInfo(F + "binary_cross_entropy", lambda d: losses(d, pos=True) + [
        Sample((randn(3, 4, dtype=d, low=0.1, high=0.9), randn(3, 4, dtype=d, seed=2, low=0, high=1)),
               {"weight": Int(randn(4, dtype=d, seed=3, low=0.5, high=1.5))}),
        Sample((np.array([0.5, 1.5], d), np.array([0.5, 1.0], d)), note="input out of range"),
        Sample((np.array([0.5, 0.5], d), np.array([0.5, 1.0, 1.0], d)), note="size mismatch")]),
    OpInfo(F + "binary_cross_entropy_with_logits", lambda d: losses(d)),
    OpInfo(F + "cross_entropy", ce),
    OpInfo(F + "nll_loss", nll),
    OpInfo(F + "nll_loss", lambda d: [Sample((randn(2, 5, dtype=d), Int(np.array([-100, -100])))),
                                      Sample((randn(2, 5, dtype=d), Int(np.array([-100, -100]))), {"reduction": "sum"})],
           skip_fd=True, note="every target ignored: the mean is nan (no finite differences) but the gradient 0"),
    OpInfo(F + "kl_div", lambda d: [s for s in losses(d, pos=True) if s.kwargs.get("reduction") != "mean"] + [
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, low=0.1, high=1.0)), {"reduction": "batchmean"}),
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=2)), {"reduction": "sum", "log_target": True}),
        Sample((randn(3, 4, dtype=d), np.array([[0.0, 0.5, 0.2, 0.3]] * 3, d)), {"reduction": "none"})]),
    OpInfo(F + "poisson_nll_loss", lambda d: losses(d) + [
        Sample((randn(3, 4, dtype=d, low=0.5, high=2), randn(3, 4, dtype=d, seed=1, low=0, high=3)),
               {"log_input": False, "reduction": "none"}),
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1, low=0.5, high=3)), {"full": True})]),
    OpInfo(F + "margin_ranking_loss", lambda d: [
        Sample((randn(6, dtype=d), randn(6, dtype=d, seed=1), np.array([1, -1, 1, 1, -1, -1], d)), {"reduction": r})
        for r in ("mean", "sum", "none")] + [
        Sample((randn(6, dtype=d), randn(6, dtype=d, seed=1), np.array([1, -1, 1, 1, -1, -1], d)), {"margin": 0.5})],
        skip_fd=True, note="kinks of clamp_min may fall near samples"),
    OpInfo(F + "hinge_embedding_loss", lambda d: [
        Sample((away(randn(6, dtype=d), (1.0,)), Int(np.array([1, -1, 1, 1, -1, -1], d))), {"reduction": r})
        for r in ("mean", "sum", "none")]),
    OpInfo(F + "cosine_embedding_loss", lambda d: [
        Sample((randn(4, 3, dtype=d), randn(4, 3, dtype=d, seed=1), Int(np.array([1, -1, 1, -1]))), {"reduction": r})
        for r in ("mean", "sum", "none")] + [
        Sample((randn(3, dtype=d), randn(3, dtype=d, seed=1), Int(np.array(1)))),
        Sample((randn(4, 3, dtype=d), randn(4, 3, dtype=d, seed=1), Int(np.array(1))), note="dims")]),
    OpInfo(F + "triplet_margin_loss", lambda d: [
        Sample((randn(4, 3, dtype=d), randn(4, 3, dtype=d, seed=1), randn(4, 3, dtype=d, seed=2)), {"reduction": r})
        for r in ("mean", "sum", "none")] + [
        Sample((randn(4, 3, dtype=d), randn(4, 3, dtype=d, seed=1), randn(4, 3, dtype=d, seed=2)),
               {"swap": True, "p": 1, "margin": 2.0})]),
    # ---- convolution
    OpInfo(F + "conv2d", conv2d, atol=1e-5, rtol=1e-5),
    OpInfo(F + "conv1d", conv1d),
    OpInfo(F + "conv3d", conv3d),
    OpInfo(F + "conv_transpose2d", convt2d),
    OpInfo(F + "conv_transpose1d", convt1d),
    OpInfo(F + "unfold", lambda d: [Sample((randn(2, 2, 4, 4, dtype=d), 2)),
                                    Sample((randn(1, 2, 5, 4, dtype=d), (2, 3)), {"padding": 1, "stride": 2,
                                                                                 "dilation": (1, 2)}),
                                    Sample((randn(2, 3, 3, dtype=d), 2), note="unbatched"),
                                    Sample((randn(1, 2, 4, 5, dtype=d), (3, 1)), {"dilation": (2, 1)}, note="no blocks")]),
    OpInfo(F + "fold", lambda d: [Sample((randn(2, 8, 9, dtype=d), (4, 4), 2)),
                                  Sample((randn(1, 12, 3, dtype=d), (5, 4), (2, 3)), {"padding": 1, "stride": 2,
                                                                                     "dilation": (1, 2)}),
                                  Sample((randn(12, 4, dtype=d), (3, 3), 2), note="unbatched"),
                                  Sample((randn(1, 12, 6, dtype=d), (5, 4), (2, 3)), {"padding": 1, "stride": 2,
                                                                                     "dilation": (1, 2)},
                                         note="wrong number of blocks"),
                                  Sample((randn(1, 10, 4, dtype=d), (3, 3), 2), note="channels not divisible")]),
    # ---- pooling
    OpInfo(F + "max_pool2d", maxpool2d, output_index=0),
    OpInfo(F + "max_pool1d", lambda d: [Sample((distinct(2, 3, 7, dtype=d), 2)),
                                        Sample((distinct(2, 3, 7, dtype=d), 3), {"stride": 2, "padding": 1,
                                                                                 "return_indices": True}),
                                        Sample((distinct(3, 7, dtype=d), 2), {"ceil_mode": True})], output_index=0),
    OpInfo(F + "avg_pool2d", avgpool2d),
    OpInfo(F + "max_pool3d", lambda d: [Sample((distinct(1, 2, 3, 4, 4, dtype=d), 2)),
                                        Sample((distinct(1, 2, 3, 4, 5, dtype=d), (2, 3, 2)),
                                               {"stride": (1, 2, 2), "padding": (1, 1, 0), "ceil_mode": True,
                                                "return_indices": True}),
                                        Sample((distinct(2, 3, 4, 4, dtype=d), 2), {"dilation": (1, 2, 1)}),
                                        Sample((distinct(2, 3, 2, 2, 2, dtype=d), (3, 1, 1), 3), note="too small")],
           output_index=0),
    OpInfo(F + "avg_pool3d", lambda d: [Sample((randn(1, 2, 3, 4, 4, dtype=d), 2)),
                                        Sample((randn(1, 2, 3, 4, 5, dtype=d), (2, 3, 2)),
                                               {"stride": (1, 2, 2), "padding": (1, 1, 0), "ceil_mode": True,
                                                "count_include_pad": False}),
                                        Sample((randn(2, 3, 4, 4, dtype=d), 2), {"divisor_override": 5}),
                                        Sample((randn(2, 3, 2, 2, 2, dtype=d), (3, 1, 1)), note="too small")]),
    OpInfo(F + "avg_pool1d", lambda d: [Sample((randn(2, 3, 7, dtype=d), 2)),
                                        Sample((randn(2, 3, 7, dtype=d), 3), {"stride": 2, "padding": 1,
                                                                              "count_include_pad": False}),
                                        Sample((randn(3, 7, dtype=d), 2), {"ceil_mode": True})]),
    OpInfo(F + "adaptive_avg_pool2d", lambda d: [Sample((randn(2, 2, 5, 7, dtype=d), 3)),
                                                 Sample((randn(2, 5, 4, dtype=d), (2, None))),
                                                 Sample((randn(2, 2, 5, 7, dtype=d), 1)),
                                                 Sample((randn(1, 2, 3, 3, dtype=d), (5, 4)))]),
    OpInfo(F + "adaptive_avg_pool1d", lambda d: [Sample((randn(2, 3, 7, dtype=d), 3)),
                                                 Sample((randn(3, 7, dtype=d), 1))]),
    OpInfo(F + "adaptive_max_pool2d", lambda d: [Sample((distinct(2, 2, 5, 7, dtype=d), 3)),
                                                 Sample((distinct(2, 5, 4, dtype=d), (2, None)), {"return_indices": True}),
                                                 Sample((distinct(1, 2, 3, 3, dtype=d), (5, 4))),
                                                 Sample((distinct(2, 3, dtype=d), 2), note="2-d input")],
           output_index=0),
    # ---- padding and resampling
    OpInfo(F + "pad", lambda d: [
        Sample((randn(2, 3, 4, dtype=d), (1, 2))), Sample((randn(2, 3, 4, dtype=d), (1, 0, 2, 1)), {"value": 1.5}),
        Sample((randn(2, 3, 4, dtype=d), (-1, 1, 0, 0, 1, 1))), Sample((randn(4, dtype=d), (0, 0))),
        *[Sample((randn(1, 2, 3, 4, dtype=d), p), {"mode": m}) for m in ("reflect", "replicate", "circular")
          for p in [(1, 2), (2, 1, 1, 2)]],
        Sample((randn(2, 3, 4, dtype=d), (1, 2)), {"mode": "reflect"}),
        Sample((randn(1, 2, 3, 3, 3, dtype=d), (1, 1, 2, 0, 0, 1)), {"mode": "replicate"}),
        Sample((randn(1, 2, 3, 3, 3, dtype=d), (1, 1, 2, 0, 0, 1)), {"mode": "reflect"}),
        Sample((randn(1, 2, 3, 3, dtype=d), (3, 3)), {"mode": "reflect"}, note="pad too large"),
        Sample((randn(1, 2, 3, 3, dtype=d), (1, 1, 1)), note="odd length"),
        Sample((randn(2, 3, 3, 3, dtype=d), (1, 1)), {"mode": "replicate"}, note="unsupported")]),
    OpInfo(F + "interpolate", lambda d: [
        Sample((randn(2, 2, 3, 4, dtype=d),), {"scale_factor": 2}),
        Sample((randn(2, 2, 3, 4, dtype=d),), {"size": (5, 3)}),
        Sample((randn(1, 2, 5, dtype=d),), {"scale_factor": 1.7}),
        Sample((randn(1, 2, 2, 2, 3, dtype=d),), {"size": (3, 4, 5)}),
        Sample((randn(2, 2, 3, 4, dtype=d),), {"scale_factor": 2, "mode": "bilinear"}),
        Sample((randn(2, 2, 3, 4, dtype=d),), {"size": (5, 7), "mode": "bilinear", "align_corners": True}),
        Sample((randn(2, 2, 4, 4, dtype=d),), {"size": (3, 2), "mode": "bilinear"}),
        Sample((randn(1, 2, 5, dtype=d),), {"scale_factor": 1.5, "mode": "linear"}),
        Sample((randn(1, 2, 5, dtype=d),), {"size": 8, "mode": "linear", "align_corners": True})]),
    OpInfo(F + "pixel_shuffle", lambda d: [Sample((randn(1, 8, 2, 3, dtype=d), 2)), Sample((randn(9, 2, 2, dtype=d), 3)),
                                           Sample((randn(1, 5, 2, 2, dtype=d), 2), note="not divisible")]),
    # ---- normalization
    OpInfo(F + "layer_norm", lambda d: [
        Sample((randn(4, 5, dtype=d), (5,))),
        Sample((randn(4, 5, dtype=d), (5,), randn(5, dtype=d, seed=1), randn(5, dtype=d, seed=2))),
        Sample((randn(2, 3, 4, dtype=d), (3, 4), randn(3, 4, dtype=d, seed=1), randn(3, 4, dtype=d, seed=2))),
        Sample((randn(3, 4, dtype=d), [3, 4]), {"eps": 1e-3}),
        Sample((noncontig(randn(4, 5, dtype=d)), 5, randn(5, dtype=d, seed=1))),
        Sample((randn(4, 5, dtype=d), (6,)), note="shape mismatch"),
        Sample((randn(4, 5, dtype=d), (5,), randn(4, dtype=d)), note="weight shape"),
        Sample((randn(4, 5, dtype=d), (5,), None, randn(1, 5, dtype=d)), note="bias shape")]),
    OpInfo(F + "batch_norm", lambda d: bn(d, True) + bn(d, False), atol=1e-4),
    OpInfo(F + "group_norm", lambda d: [
        Sample((randn(2, 4, 3, dtype=d), 2)),
        Sample((randn(2, 6, 2, 2, dtype=d), 3, randn(6, dtype=d, seed=1), randn(6, dtype=d, seed=2))),
        Sample((randn(2, 3, 4, dtype=d), 2), note="not divisible"),
        Sample((randn(2, 4, 3, dtype=d), 2, randn(3, dtype=d)), note="weight size")]),
    OpInfo(F + "instance_norm", lambda d: [
        Sample((randn(2, 3, 4, dtype=d),)),
        Sample((randn(2, 3, 2, 3, dtype=d), Int(randn(3, dtype=d, seed=3)), Int(randn(3, dtype=d, seed=4, low=0.5, high=2)),
                randn(3, dtype=d, seed=1), randn(3, dtype=d, seed=2)))]),
    # ---- more activations, dropouts, losses, norms
    OpInfo(F + "prelu", lambda d: [Sample((away(randn(2, 3, 4, dtype=d)), randn(3, dtype=d, seed=1))),
                                   Sample((away(randn(2, 3, dtype=d)), randn(1, dtype=d, seed=1))),
                                   Sample((away(randn(5, dtype=d)), randn(1, dtype=d, seed=1))),
                                   Sample((away(randn(2, 3, 2, 2, dtype=d)), randn(3, dtype=d, seed=1))),
                                   Sample((randn(2, 4, 3, dtype=d), randn(3, dtype=d, seed=1)), note="mismatch")]),
    OpInfo(F + "rrelu", lambda d: [Sample((away(randn(3, 4, dtype=d)),)),
                                   Sample((away(randn(5, dtype=d)), 0.1, 0.3))]),
    OpInfo(F + "rrelu_", lambda d: [Sample((randn(3, 4, dtype=d),))], grad=False),
    *[OpInfo(F + name, lambda d, shape=shape: [Sample((randn(*shape, dtype=d),), {"p": 0.0}),
                                               Sample((randn(*shape, dtype=d),), {"p": 1.0}),
                                               Sample((randn(*shape, dtype=d),), {"p": 0.5, "training": False}),
                                               Sample((randn(*shape, dtype=d),), {"p": -0.1})])
      for name, shape in [("dropout1d", (2, 3, 4)), ("dropout1d", (3, 4)), ("dropout2d", (2, 3, 2, 2)),
                          ("dropout3d", (2, 3, 2, 2, 1)), ("dropout3d", (3, 2, 2, 1))]],
    OpInfo(F + "dropout1d", lambda d: [Sample((randn(2, 3, 4, 5, dtype=d),), note="4-d")]),
    OpInfo(F + "alpha_dropout", lambda d: [Sample((randn(3, 4, dtype=d),)), Sample((randn(3, 4, dtype=d), 0.0, True)),
                                           Sample((randn(3, 4, dtype=d), 1.0, True)),
                                           Sample((randn(3, 4, dtype=d), 2.0, True))]),
    OpInfo(F + "feature_alpha_dropout", lambda d: [Sample((randn(2, 3, 4, dtype=d),)),
                                                   Sample((randn(2, 3, 4, dtype=d), 0.0, True))]),
    OpInfo(F + "soft_margin_loss", lambda d: [Sample((randn(3, 4, dtype=d), Int(np.sign(randn(3, 4, dtype=d, seed=1)))),
                                                     {"reduction": r}) for r in ("mean", "sum", "none")]
           + [Sample((randn(5, dtype=d), Int(randn(5, dtype=d, seed=2)))),
              Sample((randn(5, dtype=d), randn(5, dtype=d, seed=2)), note="target requires grad")]),
    OpInfo(F + "multilabel_soft_margin_loss", lambda d: [
        Sample((randn(3, 4, dtype=d), Int((randn(3, 4, seed=1) > 0).astype(d))), {"reduction": r})
        for r in ("mean", "sum", "none")] + [
        Sample((randn(3, 4, dtype=d), Int((randn(3, 4, seed=1) > 0).astype(d))),
               {"weight": Int(randn(4, dtype=d, seed=3, low=0.5, high=1.5))})]),
    OpInfo(F + "gaussian_nll_loss", lambda d: [
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1), randn(3, 4, dtype=d, seed=2, low=0.2, high=2)),
               {"reduction": r}) for r in ("mean", "sum", "none")] + [
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1), randn(3, dtype=d, seed=2, low=0.2, high=2)),
               {"full": True}),
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1), randn(3, 1, dtype=d, seed=2, low=0.2, high=2))),
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1), randn(2, dtype=d, seed=2, low=0.2, high=2)),
               note="bad var size"),
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1), -randn(3, 4, dtype=d, seed=2, low=0.2, high=2)),
               note="negative var")]),
    OpInfo(F + "multi_margin_loss", lambda d: [
        Sample((randn(4, 5, dtype=d), Int(np.array([0, 3, 4, 1]))), {"reduction": r}) for r in ("mean", "sum", "none")]
        + [Sample((randn(4, 5, dtype=d), Int(np.array([0, 3, 4, 1]))), {"p": 2, "margin": 0.5}),
           Sample((randn(4, 5, dtype=d), Int(np.array([0, 3, 4, 1]))),
                  {"weight": Int(randn(5, dtype=d, seed=2, low=0.5, high=1.5))}),
           Sample((randn(5, dtype=d), Int(np.array([2]))), {"reduction": "none"}),
           Sample((randn(4, 5, dtype=d), Int(np.array([0, 3, 4, 1]))), {"p": 3}, note="bad p")],
        skip_fd=True, gradgrad=False, note="hinge kinks may fall near random samples; PyTorch has no double backward"),
    OpInfo(F + "multilabel_margin_loss", lambda d: [
        Sample((randn(3, 4, dtype=d), Int(np.array([[3, 0, -1, 1], [1, 1, -1, 0], [-1, 0, 0, 0]]))), {"reduction": r})
        for r in ("mean", "sum", "none")] + [
        Sample((randn(4, dtype=d), Int(np.array([2, -1, 0, 0]))), {"reduction": "none"}),
        Sample((randn(3, 4, dtype=d), Int(np.array([[5, 0, -1, 1], [1, 1, -1, 0], [-1, 0, 0, 0]]))), note="range")],
        gradgrad=False, skip_fd=True, note="PyTorch has no double backward; hinge kinks may be near samples"),
    OpInfo(F + "lp_pool3d", lambda d: [Sample((randn(1, 2, 2, 4, 4, dtype=d, low=0.2, high=2), 2, 2))]),
    OpInfo(F + "rms_norm", lambda d: [Sample((randn(4, 5, dtype=d), (5,))),
                                      Sample((randn(2, 3, 4, dtype=d), (3, 4), randn(3, 4, dtype=d, seed=1))),
                                      Sample((randn(2, 3, dtype=d), [3]), {"eps": 1e-3}),
                                      Sample((randn(2, 3, dtype=d), (4,)), note="shape mismatch")]),
    OpInfo(F + "local_response_norm", lambda d: [Sample((randn(2, 5, 3, dtype=d), 3)),
                                                 Sample((randn(2, 4, 2, 3, dtype=d), 2), {"alpha": 0.1, "beta": 0.5, "k": 2.0})]),
    OpInfo(F + "pdist", lambda d: [Sample((randn(4, 3, dtype=d),)), Sample((randn(5, 2, dtype=d), 1)),
                                   Sample((randn(4, 3, dtype=d), 3)), Sample((randn(3, 4, 2, dtype=d),), note="3-d")],
           gradgrad=False, note="PyTorch has no double backward for pdist"),
    OpInfo(F + "pixel_unshuffle", lambda d: [Sample((randn(1, 2, 4, 6, dtype=d), 2)), Sample((randn(2, 3, 3, dtype=d), 3)),
                                             Sample((randn(1, 2, 3, 4, dtype=d), 2), note="not divisible")]),
    OpInfo(F + "adaptive_max_pool1d", lambda d: [Sample((distinct(2, 3, 7, dtype=d), 3)),
                                                 Sample((distinct(3, 7, dtype=d), 4), {"return_indices": True})],
           output_index=0),
    OpInfo(F + "adaptive_max_pool3d", lambda d: [Sample((distinct(1, 2, 3, 4, 5, dtype=d), 2)),
                                                 Sample((distinct(2, 3, 4, 5, dtype=d), (2, None, 3)),
                                                        {"return_indices": True}),
                                                 Sample((distinct(1, 1, 2, 3, 3, dtype=d), (3, 4, 5))),
                                                 Sample((distinct(2, 3, 4, dtype=d), 2), note="3-d input")],
           output_index=0),
    OpInfo(F + "fractional_max_pool2d", lambda d: [
        Sample((distinct(2, 2, 7, 6, dtype=d), 2), {"output_size": (3, 4), "_random_samples": Int(randn(2, 2, 2, dtype=d,
                                                                                                       low=0, high=1))}),
        Sample((distinct(2, 7, 6, dtype=d), (3, 2)), {"output_ratio": (0.5, 0.5), "return_indices": True,
                                                      "_random_samples": Int(randn(1, 2, 2, dtype=d, low=0, high=1))}),
        Sample((distinct(2, 7, 6, dtype=d), (3, 2)), {"output_ratio": 0.5}, note="PyTorch needs a tuple ratio"),
        Sample((distinct(1, 1, 4, 4, dtype=d), 2), {"output_size": 4, "_random_samples": Int(np.full((1, 1, 2), 0.5, d))},
               note="pool too large")], output_index=0),
    OpInfo(F + "fractional_max_pool3d", lambda d: [
        Sample((distinct(1, 2, 5, 4, 6, dtype=d), 2), {"output_size": (3, 2, 1),
                                                       "_random_samples": Int(randn(1, 2, 3, dtype=d, low=0, high=1))})],
           output_index=0),
    OpInfo(F + "adaptive_avg_pool3d", lambda d: [Sample((randn(1, 2, 3, 4, 5, dtype=d), 2)),
                                                 Sample((randn(2, 3, 4, 5, dtype=d), (2, None, 3))),
                                                 Sample((randn(1, 2, 3, 4, 5, dtype=d), 1))]),
    OpInfo(F + "conv_transpose3d", lambda d: [Sample((randn(1, 2, 2, 3, 3, dtype=d), randn(2, 3, 2, 2, 2, dtype=d, seed=1),
                                                      randn(3, dtype=d)), {"stride": (1, 2, 2), "padding": 1})]),
    OpInfo(F + "interpolate", lambda d: [
        Sample((randn(1, 2, 3, 4, dtype=d),), {"scale_factor": 1.6, "mode": "nearest-exact"}),
        Sample((randn(1, 2, 5, dtype=d),), {"size": 3, "mode": "nearest-exact"}),
        Sample((randn(1, 2, 6, 5, dtype=d),), {"size": (4, 2), "mode": "area"}),
        Sample((randn(1, 2, 6, dtype=d),), {"size": 4, "mode": "area"}),
        Sample((randn(1, 1, 2, 3, 4, dtype=d),), {"scale_factor": 1.5, "mode": "trilinear"}),
        Sample((randn(1, 1, 2, 3, 4, dtype=d),), {"size": (3, 2, 5), "mode": "trilinear", "align_corners": True}),
        Sample((randn(1, 2, 3, 4, dtype=d),), {"scale_factor": 2, "mode": "bicubic"}),
        Sample((randn(1, 2, 4, 4, dtype=d),), {"size": (3, 6), "mode": "bicubic", "align_corners": True}),
        Sample((randn(1, 2, 5, 4, dtype=d),), {"size": (2, 3), "mode": "bicubic"})]),
    OpInfo(F + "max_unpool2d", lambda d: [
        Sample((randn(1, 2, 2, 2, dtype=d), Int(np.array([[[[0, 3], [9, 14]], [[5, 2], [8, 15]]]])), 2)),
        Sample((randn(1, 2, 2, 2, dtype=d), Int(np.array([[[[0, 3], [9, 14]], [[5, 2], [8, 15]]]])), 2),
               {"output_size": (5, 5)}),
        Sample((randn(1, 2, 2, 2, dtype=d), Int(np.array([[[[0, 3], [9, 14]], [[5, 2], [8, 15]]]])), 2),
               {"output_size": (7, 5)}, note="bad output_size")]),
    OpInfo(F + "max_unpool1d", lambda d: [Sample((randn(2, 3, dtype=d), Int(np.array([[1, 2, 5], [0, 3, 4]])), 2))]),
    OpInfo(F + "max_unpool3d", lambda d: [Sample((randn(1, 1, 1, 1, 2, dtype=d), Int(np.array([[[[[3, 9]]]]])), 2))]),
    OpInfo(F + "lp_pool2d", lambda d: [Sample((randn(1, 2, 4, 4, dtype=d, low=0.2, high=2), 2, 2)),
                                       Sample((randn(1, 2, 5, 4, dtype=d, low=0.2, high=2), 3.0, (2, 3), 1))]),
    OpInfo(F + "lp_pool1d", lambda d: [Sample((randn(2, 3, 6, dtype=d, low=0.2, high=2), 2, 3))]),
    OpInfo(F + "channel_shuffle", lambda d: [Sample((randn(1, 6, 2, 2, dtype=d), 3)), Sample((randn(2, 4, 3, dtype=d), 2)),
                                             Sample((randn(1, 5, 2, 2, dtype=d), 2), note="not divisible")]),
    OpInfo(F + "affine_grid", lambda d: [Sample((randn(2, 2, 3, dtype=d), (2, 3, 4, 5)), {"align_corners": False}),
                                         Sample((randn(1, 2, 3, dtype=d), (1, 1, 1, 3)), {"align_corners": True}),
                                         Sample((randn(2, 3, 4, dtype=d), (2, 1, 2, 3, 4)), {"align_corners": False}),
                                         Sample((randn(2, 2, 3, dtype=d), (2, 3, 4)), {"align_corners": False},
                                                note="3-d size")]),
    OpInfo(F + "grid_sample", lambda d: [
        Sample((randn(2, 2, 3, 4, dtype=d), randn(2, 3, 2, 2, dtype=d, seed=1, low=-1.2, high=1.2)),
               {"align_corners": ac, "padding_mode": pm})
        for ac in (False, True) for pm in ("zeros", "border", "reflection")] + [
        Sample((randn(2, 2, 3, 4, dtype=d), randn(2, 3, 2, 2, dtype=d, seed=2, low=-3.5, high=3.5)),
               {"align_corners": ac, "padding_mode": "reflection"}) for ac in (False, True)] + [
        Sample((randn(1, 2, 3, 4, dtype=d), randn(1, 3, 2, 2, dtype=d, seed=1, low=-0.9, high=0.9)),
               {"mode": "nearest", "align_corners": False}),
        Sample((randn(1, 2, 3, 4, dtype=d), randn(2, 3, 2, 2, dtype=d, seed=1)), {"align_corners": False},
               note="batch mismatch"),
        Sample((randn(1, 2, 3, 4, dtype=d), randn(1, 3, 2, 2, dtype=d, seed=1)), {"mode": "foo"}, note="bad mode")],
        note="bilinear weights have kinks at integer pixel coordinates, away from these samples"),
    OpInfo(F + "upsample", lambda d: [Sample((randn(1, 2, 3, 3, dtype=d),), {"scale_factor": 2})]),
    OpInfo(F + "upsample_nearest", lambda d: [Sample((randn(1, 2, 3, 3, dtype=d),), {"size": 5})]),
    OpInfo(F + "upsample_bilinear", lambda d: [Sample((randn(1, 2, 3, 3, dtype=d),), {"scale_factor": 2})]),
    OpInfo(F + "triplet_margin_with_distance_loss", lambda d: [
        Sample((randn(4, 3, dtype=d), randn(4, 3, dtype=d, seed=1), randn(4, 3, dtype=d, seed=2))),
        Sample((randn(4, 3, dtype=d), randn(4, 3, dtype=d, seed=1), randn(4, 3, dtype=d, seed=2)),
               {"swap": True, "margin": 2.0, "reduction": "none"})]),
    OpInfo(F + "ctc_loss", ctc, gradgrad=False, skip_fd=True,
           note="PyTorch's CTC gradient assumes log_softmax inputs (it folds in the softmax term), so it is not the "
                "derivative finite differences see; no double backward in PyTorch"),
    OpInfo(F + "multi_head_attention_forward", mha),
    OpInfo(F + "multi_head_attention_forward", mha_fused, gradgrad=False,
           note="need_weights=False takes the fused attention kernel: no double backward in PyTorch"),
    OpInfo(F + "scaled_dot_product_attention", sdpa),
    OpInfo(F + "scaled_dot_product_attention", sdpa_fused, gradgrad=False,
           note="4-d inputs take PyTorch's fused CPU kernel, which has no double backward"),
]
