"""op_db rows for shape, joining and indexing ops (autograd/shape_ops.py) and for Tensor.__getitem__."""
import numpy as np

from op_db import Int, OpInfo, Sample, noncontig, randn


def idx(*values):
    return Int(np.array(values, dtype=np.int64))


def long(a):
    return Int(np.asarray(a, dtype=np.int64))


def perm_index(shape, dim, seed=0, take=None):
    """An index for scatter without duplicates along `dim` (each slice a permutation, cropped to `take`)."""
    r = np.random.default_rng(seed)
    n = shape[dim]
    a = np.argsort(r.random(shape), axis=dim)
    if take is not None:
        a = np.take(a, np.arange(take), axis=dim)
    return long(a % n)


def rand_index(shape, high, seed=0):
    return long(np.random.default_rng(seed).integers(0, high, size=shape))


def flatten_samples(d):
    return [
        Sample((randn(2, 3, 4, dtype=d),)),
        Sample((randn(2, 3, 4, dtype=d), 1)),
        Sample((randn(2, 3, 4, 2, dtype=d), 1, 2)),
        Sample((randn(2, 3, 4, dtype=d), 1, 1), note="no-op returns self"),
        Sample((randn(dtype=d),), note="0-d -> 1-d"),
        Sample((noncontig(randn(3, 4, dtype=d)),), note="non-contiguous: a copy (UnsafeViewBackward0)"),
        Sample((randn(0, 3, dtype=d),), note="empty"),
        Sample((randn(2, 3, 4, dtype=d),), {"start_dim": -2, "end_dim": -1}),
        Sample((randn(2, 3, 4, dtype=d), 2, 1), note="error: start after end"),
        Sample((randn(2, 3, dtype=d), 5), note="error: dim out of range"),
    ]


def unflatten_samples(d):
    return [
        Sample((randn(2, 6, dtype=d), 1, (2, 3))),
        Sample((randn(2, 6, dtype=d), -1, (3, -1))),
        Sample((noncontig(randn(6, 4, dtype=d)), 0, (2, 3)), note="non-contiguous"),
        Sample((randn(2, 6, dtype=d), 1, (4, 2)), note="error: sizes"),
        Sample((randn(2, 6, dtype=d), 1, ()), note="error: empty sizes"),
    ]


def movedim_samples(d):
    return [
        Sample((randn(2, 3, 4, dtype=d), 0, 2)),
        Sample((randn(2, 3, 4, dtype=d), (0, 1), (2, 0))),
        Sample((randn(2, 3, 4, dtype=d), -1, 0)),
        Sample((randn(3, dtype=d), 0, 0), note="no-op is still a permute"),
        Sample((randn(2, 3, 4, dtype=d), (0, 1), (2,)), note="error: lengths"),
        Sample((randn(2, 3, 4, dtype=d), (0, 0), (1, 2)), note="error: repeated source"),
        Sample((randn(2, 3, 4, dtype=d), (0, 1), (1, 1)), note="error: repeated destination"),
    ]


def broadcast_to_samples(d):
    return [
        Sample((randn(3, dtype=d), (2, 3))),
        Sample((randn(3, 1, dtype=d), (2, 3, 4))),
        Sample((randn(3, dtype=d), (3,)), note="same shape: still ExpandBackward0"),
        Sample((randn(dtype=d), (2, 2)), note="0-d"),
        Sample((randn(3, 1, dtype=d), (-1, 2))),
        Sample((randn(6, dtype=d), (2, 3)), note="error"),
    ]


def repeat_samples(d):
    return [
        Sample((randn(2, 3, dtype=d), 2, 1)),
        Sample((randn(2, 3, dtype=d), 2, 1, 3), note="new leading dim"),
        Sample((randn(dtype=d), 3), note="0-d"),
        Sample((noncontig(randn(3, 2, dtype=d)), (1, 2))),
        Sample((randn(2, 3, dtype=d), 0, 2), note="zero repeats"),
        Sample((randn(2, 3, dtype=d), 2), note="error: fewer sizes than dims"),
        Sample((randn(2, 3, dtype=d), 2, -1), note="error: negative"),
    ]


def tile_samples(d):
    return [
        Sample((randn(2, 3, dtype=d), (2,))),
        Sample((randn(2, 3, dtype=d), (2, 1, 2))),
        Sample((randn(3, dtype=d), (1,)), note="no-op is still RepeatBackward0"),
        Sample((randn(2, 3, dtype=d), (-1,)), note="error: negative"),
    ]


def repeat_interleave_samples(d):
    return [
        Sample((randn(2, 3, dtype=d), 2)),
        Sample((randn(2, 3, dtype=d), 2, 1)),
        Sample((randn(2, 3, dtype=d), 3), {"dim": -2}),
        Sample((randn(dtype=d), 2), note="0-d"),
        Sample((noncontig(randn(3, 2, dtype=d)), 2, 0)),
        Sample((randn(2, 3, dtype=d), 0, 1), note="zero repeats"),
        Sample((randn(2, 3, dtype=d), idx(1, 0, 2), 1), note="tensor repeats"),
        Sample((randn(2, 3, dtype=d), idx(2)), note="one-element tensor repeats, flattened"),
        Sample((randn(4, dtype=d), Int(np.array(3, np.int64))), note="0-d tensor repeats"),
        Sample((randn(2, 3, dtype=d), -1), note="error: negative"),
        Sample((randn(3, dtype=d), idx(1, -1, 1)), note="error: negative tensor"),
        Sample((randn(3, dtype=d), idx(1, 1)), note="error: size"),
        Sample((randn(3, dtype=d), long(np.ones((2, 2)))), note="error: 2-d repeats"),
    ]


def stack_like(d):
    a = lambda *s, seed=0: randn(*s, dtype=d, seed=seed)
    return [
        Sample(([a(3), a(3, seed=1)],)),
        Sample(([a(2, 3), a(2, 1, seed=1)],)),
        Sample(([a(2, 3), a(2, 3, seed=1), noncontig(a(3, 2, seed=2)).T],), note="three, one non-contiguous"),
        Sample(([a(), a(seed=1)],), note="0-d"),
        Sample(([a(2, 3, 4), a(2, 3, 4, seed=1)],), note="3-d"),
        Sample(([],), note="error: empty list"),
    ]


def vstack_samples(d):
    a = lambda *s, seed=0: randn(*s, dtype=d, seed=seed)
    return [
        Sample(([a(3), a(3, seed=1)],)),
        Sample(([a(2, 3), a(1, 3, seed=1)],)),
        Sample(([a(3), a(2, 3, seed=1)],), note="1-d with 2-d"),
        Sample(([a(), a(seed=1)],), note="0-d"),
        Sample(([],), note="error: empty list"),
    ]


def dstack_samples(d):
    a = lambda *s, seed=0: randn(*s, dtype=d, seed=seed)
    return [
        Sample(([a(3), a(3, seed=1)],)),
        Sample(([a(2, 3), a(2, 3, seed=1)],)),
        Sample(([a(2, 3, 1), a(2, 3, 2, seed=1)],)),
        Sample(([a(), a(seed=1)],), note="0-d"),
        Sample(([],), note="error: empty list"),
    ]


def column_stack_samples(d):
    a = lambda *s, seed=0: randn(*s, dtype=d, seed=seed)
    return [
        Sample(([a(3), a(3, seed=1)],)),
        Sample(([a(3), a(3, 2, seed=1)],)),
        Sample(([a(), a(seed=1)],), note="0-d"),
        Sample(([],), note="error: empty list"),
    ]


def split_samples(d):
    return [
        Sample((randn(5, 3, dtype=d), 2)),
        Sample((randn(2, 5, dtype=d), 2, 1)),
        Sample((randn(2, 5, dtype=d), 5, -1), note="one piece"),
        Sample((randn(2, 4, dtype=d), [1, 3], 1)),
        Sample((randn(4, 2, dtype=d), (0, 4))),
        Sample((noncontig(randn(4, 3, dtype=d)), 3)),
        Sample((randn(0, 3, dtype=d), 2), note="empty"),
        Sample((randn(2, 3, dtype=d), 0, 1), note="error: split size 0"),
        Sample((randn(2, 3, dtype=d), [1, 1], 1), note="error: sizes don't sum"),
        Sample((randn(2, 3, dtype=d), [4, -1], 1), note="error: negative size"),
    ]


def chunk_samples(d):
    return [
        Sample((randn(5, 3, dtype=d), 2)),
        Sample((randn(2, 6, dtype=d), 3, 1)),
        Sample((randn(2, 6, dtype=d), 4, -1), note="fewer pieces than asked"),
        Sample((randn(0, 3, dtype=d), 2), note="empty: SplitWithSizesBackward0"),
        Sample((randn(2, 3, dtype=d), 0, 1), note="error: chunks 0"),
    ]


def narrow_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 1, 1, 2)),
        Sample((randn(3, 4, dtype=d), 0, -2, 2)),
        Sample((randn(3, 4, dtype=d), -1, 4, 0), note="empty at the end"),
        Sample((noncontig(randn(3, 4, dtype=d)), 1, 0, 3)),
        Sample((randn(3, 4, dtype=d), 1, 5, 1), note="error: start"),
        Sample((randn(3, 4, dtype=d), 1, 3, 2), note="error: length"),
        Sample((randn(3, 4, dtype=d), 1, 0, -1), note="error: negative length"),
        Sample((randn(dtype=d), 0, 0, 1), note="error: 0-d"),
    ]


def flip_samples(d):
    return [
        Sample((randn(2, 3, 4, dtype=d), (0,))),
        Sample((randn(2, 3, 4, dtype=d), (0, 2))),
        Sample((randn(2, 3, 4, dtype=d), [-1])),
        Sample((noncontig(randn(3, 4, dtype=d)), (1,))),
        Sample((randn(0, 3, dtype=d), (0,)), note="empty"),
        Sample((randn(2, 3, dtype=d), (0, 0)), note="error: repeated dim"),
        Sample((randn(2, 3, dtype=d), (2,)), note="error: dim out of range"),
    ]


def roll_samples(d):
    return [
        Sample((randn(2, 3, 4, dtype=d), 1, 0)),
        Sample((randn(2, 3, 4, dtype=d), 5)),
        Sample((randn(2, 3, 4, dtype=d), (1, -2), (0, 2))),
        Sample((randn(3, 4, dtype=d), -1, -1)),
        Sample((noncontig(randn(3, 4, dtype=d)), 2, 1)),
        Sample((randn(0, 3, dtype=d), 1, 1), note="empty"),
        Sample((randn(2, 3, dtype=d), (1, 2), (0,)), note="error: shifts and dims"),
        Sample((randn(2, 3, dtype=d), (), ()), note="error: no shifts"),
        Sample((randn(dtype=d), 1), note="0-d"),
        Sample((randn(dtype=d), 1, 0), note="error: a dim of a 0-d tensor"),
    ]


def meshgrid_samples(d):
    return [
        Sample((randn(3, dtype=d), randn(4, dtype=d, seed=1)), {"indexing": "ij"}),
        Sample((randn(3, dtype=d), randn(4, dtype=d, seed=1)), {"indexing": "xy"}),
        Sample((randn(2, dtype=d), randn(dtype=d, seed=1), randn(3, dtype=d, seed=2)), {"indexing": "xy"}),
        Sample(([randn(2, dtype=d), randn(3, dtype=d, seed=1)],), {"indexing": "ij"}, note="a list"),
        Sample((randn(3, dtype=d),), {"indexing": "xy"}, note="one tensor"),
        Sample((randn(3, dtype=d), randn(4, dtype=d, seed=1)), {"indexing": "foo"}, note="error: indexing"),
        # NOTE: the error for a 2-d tensor prints it in ATen's legacy format; not reproduced, no sample.
        Sample((randn(3, dtype=d), randn(4, dtype=np.float16, seed=1)), {"indexing": "ij"}, note="error: dtypes"),
    ]


def index_select_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 0, idx(0, 2, 2))),
        Sample((randn(3, 4, dtype=d), 1, idx(3, 0))),
        Sample((randn(2, 3, 4, dtype=d), -1, idx(1))),
        Sample((randn(3, 4, dtype=d), 0, Int(np.array(1, np.int64))), note="0-d index"),
        Sample((randn(3, 4, dtype=d), 1, Int(np.array([1, 2], np.int32))), note="int32 index"),
        Sample((noncontig(randn(3, 4, dtype=d)), 1, idx(1, 1, 0))),
        Sample((randn(3, 4, dtype=d), 0, Int(np.zeros(0, np.int64))), note="empty index"),
        Sample((randn(3, 4, dtype=d), 0, idx(5)), note="error: out of range"),
        Sample((randn(3, 4, dtype=d), 1, idx(-1)), note="error: negative"),
        Sample((randn(2, 3, 4, dtype=d), 2, idx(4)), note="error: out of range, last dim"),
        Sample((randn(3, 4, dtype=d), 0, long(np.zeros((2, 2)))), note="error: not a vector"),
        Sample((randn(3, 4, dtype=d), 0, Int(np.zeros(2, np.float32))), note="error: float index"),
        Sample((randn(dtype=d), 0, idx(0)), note="0-d self"),
        Sample((randn(dtype=d), 0, idx(0, 0)), note="error: 0-d self, two indices"),
    ]


def gather_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 1, rand_index((3, 4), 4))),
        Sample((randn(3, 4, dtype=d), 0, rand_index((2, 4), 3)), note="index smaller than self"),
        Sample((randn(2, 3, 4, dtype=d), -1, rand_index((2, 2, 5), 4)), note="longer along dim"),
        Sample((noncontig(randn(3, 4, dtype=d)), 1, rand_index((3, 2), 4))),
        Sample((randn(3, 4, dtype=d), 1, Int(np.zeros((3, 0), np.int64))), note="empty index"),
        Sample((randn(3, 4, dtype=d), 1, long(np.full((3, 4), 4))), note="error: index out of range"),
        Sample((randn(3, 4, dtype=d), 1, long(np.full((3, 4), -1))), note="error: negative index"),
        Sample((randn(3, 4, dtype=d), 1, long(np.zeros((3,)))), note="error: dims"),
        Sample((randn(3, 4, dtype=d), 1, long(np.zeros((4, 4)))), note="error: index larger than self"),
        Sample((randn(3, 4, dtype=d), 2, long(np.zeros((3, 4)))), note="error: dim"),
    ]


def scatter_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 1, perm_index((3, 4), 1), randn(3, 4, dtype=d, seed=1))),
        Sample((randn(3, 4, dtype=d), 0, perm_index((3, 4), 0, take=2), randn(2, 4, dtype=d, seed=1)),
               note="fewer rows"),
        Sample((randn(3, 4, dtype=d), 0, perm_index((3, 2), 0, take=2), randn(2, 2, dtype=d, seed=1)),
               note="index smaller than self"),
        Sample((randn(3, 4, dtype=d), 1, perm_index((3, 4), 1, take=2), 1.5), note="value"),
        Sample((randn(3, 4, dtype=d), 1, perm_index((3, 4), 1, take=2)), {"value": -2.0}, note="value kwarg"),
        Sample((noncontig(randn(3, 4, dtype=d)), 1, perm_index((3, 4), 1), noncontig(randn(3, 4, dtype=d, seed=2)))),
        Sample((randn(3, 4, dtype=d), 1, long(np.full((3, 4), 4)), randn(3, 4, dtype=d, seed=1)),
               note="error: index out of range"),
        Sample((randn(3, 4, dtype=d), 1, long(np.zeros((3, 4))), randn(3, 2, dtype=d, seed=1)),
               note="error: index larger than src"),
        Sample((randn(3, 4, dtype=d), 1, long(np.zeros((4, 4))), randn(4, 4, dtype=d, seed=1)),
               note="error: index larger than self"),
        Sample((randn(3, 4, dtype=d), 1, long(np.zeros(3)), randn(3, 4, dtype=d, seed=1)), note="error: dims"),
        Sample((randn(3, 4, dtype=d), 1, long(np.zeros((3, 4))), randn(3, 4, dtype=np.float16, seed=1)),
               note="error: src dtype"),
    ]


def scatter_reduce_kw_samples(d):
    # reduce= of scatter: no derivative in PyTorch (grad=False rows)
    return [
        Sample((randn(3, 4, dtype=d), 1, rand_index((3, 4), 4), randn(3, 4, dtype=d, seed=1)), {"reduce": "add"}),
        Sample((randn(3, 4, dtype=d), 0, rand_index((3, 4), 3), randn(3, 4, dtype=d, seed=1)),
               {"reduce": "multiply"}),
        Sample((randn(3, 4, dtype=d), 1, rand_index((3, 4), 4), 2.0), {"reduce": "multiply"}),
        Sample((randn(3, 4, dtype=d), 1, rand_index((3, 4), 4), randn(3, 4, dtype=d, seed=1)), {"reduce": "max"},
               note="error: reduce"),
    ]


def scatter_add_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 1, rand_index((3, 4), 4), randn(3, 4, dtype=d, seed=1)), note="duplicates"),
        Sample((randn(3, 4, dtype=d), 0, rand_index((5, 2), 3), randn(5, 2, dtype=d, seed=1)),
               note="index longer along dim"),
        Sample((randn(5, dtype=d), 0, rand_index((8,), 5), randn(8, dtype=d, seed=1)), note="1-d"),
        Sample((randn(3, 4, dtype=d), 1, long(np.full((3, 4), 4)), randn(3, 4, dtype=d, seed=1)),
               note="error: index out of range"),
    ]


def scatter_reduce_samples(d):
    out = []
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            x = randn(3, 4, dtype=d, seed=3)
            src = randn(5, 4, dtype=d, seed=4)
            if reduce == "prod":
                x, src = x + np.sign(x) * 0.5, src + np.sign(src) * 0.5  # away from zero
            out.append(Sample((x, 0, rand_index((5, 4), 3, seed=5), src, reduce), {"include_self": include_self}))
    out += [
        Sample((randn(4, dtype=d), 0, rand_index((6,), 4, seed=1), randn(6, dtype=d, seed=2), "amax")),
        Sample((randn(3, 4, dtype=d), 1, rand_index((3, 4), 4), randn(3, 4, dtype=d, seed=1), "foo"),
               note="error: reduce"),
        Sample((randn(3, 4, dtype=d), 1, long(np.full((3, 4), 7)), randn(3, 4, dtype=d, seed=1), "sum"),
               note="error: index out of range"),
    ]
    return out


def index_add_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 0, idx(0, 2, 0), randn(3, 4, dtype=d, seed=1)), note="duplicates"),
        Sample((randn(3, 4, dtype=d), 1, idx(3, 1), randn(3, 2, dtype=d, seed=1)), {"alpha": 2.5}),
        Sample((randn(3, 4, dtype=d), -1, idx(3, 1), randn(3, 2, dtype=d, seed=1))),
        Sample((noncontig(randn(4, 3, dtype=d)), 1, idx(2), noncontig(randn(4, 1, dtype=d, seed=1)))),
        Sample((randn(3, 4, dtype=d), 1, idx(5), randn(3, 1, dtype=d, seed=1)), note="error: out of range"),
        Sample((randn(2, 3, 4, dtype=d), 1, idx(-4), randn(2, 1, 4, dtype=d, seed=1)), note="error: out of range"),
        Sample((randn(5, dtype=d), 0, idx(5), randn(1, dtype=d, seed=1)), note="error: out of range, 1-d"),
        Sample((randn(3, 4, dtype=d), 1, idx(0), randn(3, 2, dtype=d, seed=1)), note="error: sizes"),
        Sample((randn(3, 4, dtype=d), 1, long([[0]]), randn(3, 1, dtype=d, seed=1)), note="error: 2-d index"),
        Sample((randn(3, 4, dtype=d), 1, Int(np.zeros(1)), randn(3, 1, dtype=d, seed=1)), note="error: float index"),
    ]


def index_copy_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 0, idx(2, 0), randn(2, 4, dtype=d, seed=1))),
        Sample((randn(3, 4, dtype=d), -1, idx(3, 1, 0), randn(3, 3, dtype=d, seed=1))),
        Sample((noncontig(randn(4, 3, dtype=d)), 1, idx(2), noncontig(randn(4, 1, dtype=d, seed=1)))),
        Sample((randn(3, 4, dtype=d), 1, idx(5), randn(3, 1, dtype=d, seed=1)), note="error: out of range"),
        Sample((randn(3, 4, dtype=d), 1, idx(0), randn(3, 2, dtype=d, seed=1)), note="error: sizes"),
        Sample((randn(3, 4, dtype=d), 1, long([[0]]), randn(3, 1, dtype=d, seed=1)), note="error: 2-d index"),
        Sample((randn(3, 4, dtype=d), 1, Int(np.zeros(1)), randn(3, 1, dtype=d, seed=1)), note="error: float index"),
    ]


def index_fill_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 0, idx(0, 2), 1.5)),
        Sample((randn(3, 4, dtype=d), 1, idx(3, -1), -2)),
        Sample((randn(3, 4, dtype=d), 1, idx(1, 2), randn(dtype=d, seed=1)), note="0-d tensor value"),
        Sample((noncontig(randn(4, 3, dtype=d)), 1, idx(2), 0.0)),
        Sample((randn(3, 4, dtype=d), 1, idx(5), 1.0), note="error: out of range"),
        Sample((randn(3, 4, dtype=d), 1, idx(0), randn(1, dtype=d, seed=1)), note="error: 1-d value"),
        Sample((randn(3, 4, dtype=d), 1, long([[0]]), 1.0), note="error: 2-d index"),
        Sample((randn(3, 4, dtype=d), 1, Int(np.zeros(1)), 1.0), note="error: float index"),
    ]


def masked_fill_samples(d):
    x = randn(3, 4, dtype=d)
    return [
        Sample((x, Int(x > 0), 0.5)),
        Sample((randn(3, 4, dtype=d), Int(randn(4, seed=3) > 0), -1), note="broadcast mask"),
        Sample((randn(4, dtype=d), Int(randn(3, 4, seed=3) > 0), 2.0), note="mask broadcasts self"),
        Sample((randn(3, 4, dtype=d), Int(randn(3, 4, seed=3) > 0), randn(dtype=d, seed=1)), note="0-d tensor value"),
        Sample((randn(3, 4, dtype=d), Int(randn(4, seed=3) > 0), randn(dtype=d, seed=1)),
               note="0-d tensor value, broadcast mask"),
        Sample((randn(dtype=d), Int(np.array(True)), 3.0), note="0-d"),
        Sample((noncontig(randn(3, 4, dtype=d)), Int(randn(3, 4, seed=3) > 0), 0.0)),
        Sample((randn(0, 4, dtype=d), Int(np.zeros((0, 4), bool)), 1.0), note="empty"),
        Sample((randn(3, 4, dtype=d), long(np.ones(4)), 1.0), note="error: long mask"),
        Sample((randn(3, 4, dtype=d), Int(np.ones(3, bool)), 1.0), note="error: mask does not broadcast"),
        Sample((randn(2, 3, dtype=d), Int(np.ones((4, 5), bool)), 1.0), note="error: two dims do not broadcast"),
        Sample((randn(3, 4, dtype=d), Int(randn(3, 4, seed=3) > 0), randn(1, dtype=d, seed=1)),
               note="error: 1-d value"),
    ]


def masked_scatter_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), Int(randn(3, 4, seed=3) > 0), randn(12, dtype=d, seed=1))),
        Sample((randn(3, 4, dtype=d), Int(randn(4, seed=3) > 0), randn(4, 4, dtype=d, seed=1)), note="broadcast mask"),
        Sample((randn(4, dtype=d), Int(randn(3, 4, seed=3) > 0), randn(3, 5, dtype=d, seed=1)),
               note="mask broadcasts self"),
        Sample((noncontig(randn(3, 4, dtype=d)), Int(randn(3, 4, seed=3) > 0), noncontig(randn(4, 3, dtype=d)))),
        Sample((randn(3, 4, dtype=d), Int(np.ones((3, 4), bool)), randn(5, dtype=d, seed=1)),
               note="error: source too small"),
        Sample((randn(3, 4, dtype=d), Int(np.ones(3, bool)), randn(12, dtype=d, seed=1)),
               note="error: mask does not broadcast"),
        Sample((randn(2, 3, dtype=d), Int(np.ones((4, 5), bool)), randn(20, dtype=d, seed=1)),
               note="error: two dims do not broadcast"),
        Sample((randn(3, 4, dtype=d), Int(randn(3, 4, seed=3) > 0), randn(12, dtype=np.float16, seed=1)),
               note="error: dtype"),
    ]


def masked_select_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), Int(randn(3, 4, seed=3) > 0))),
        Sample((randn(3, 4, dtype=d), Int(randn(4, seed=3) > 0)), note="broadcast mask"),
        Sample((randn(4, dtype=d), Int(randn(3, 4, seed=3) > 0)), note="mask broadcasts self"),
        Sample((noncontig(randn(3, 4, dtype=d)), Int(randn(3, 4, seed=3) > 0))),
        Sample((randn(dtype=d), Int(np.array(True))), note="0-d"),
        Sample((randn(3, 4, dtype=d), long(np.ones(4))), note="error: long mask"),
        Sample((randn(3, 4, dtype=d), Int(np.ones(3, bool))), note="error: mask does not broadcast"),
        Sample((randn(2, 3, dtype=d), Int(np.ones((4, 5), bool))), note="error: two dims do not broadcast"),
    ]


def take_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), idx(0, 5, 11, 5))),
        Sample((randn(3, 4, dtype=d), long([[1, -1], [-12, 3]])), note="2-d index, negatives"),
        Sample((randn(dtype=d), Int(np.array(0, np.int64))), note="0-d"),
        Sample((noncontig(randn(3, 4, dtype=d)), idx(1, 2, 7))),
        Sample((randn(3, 4, dtype=d), Int(np.zeros(0, np.int64))), note="empty index"),
        Sample((randn(3, 4, dtype=d), idx(12)), note="error: out of range"),
        Sample((randn(3, 4, dtype=d), idx(-13)), note="error: negative out of range"),
        Sample((randn(3, 4, dtype=d), Int(np.array([1], np.int32))), note="error: int32"),
    ]


def take_along_dim_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), rand_index((3, 2), 4), 1)),
        Sample((randn(3, 4, dtype=d), rand_index((1, 4), 3), 0), note="broadcast indices"),
        Sample((randn(3, 1, dtype=d), rand_index((3, 2), 1), 1), note="self broadcast... along dim only"),
        Sample((randn(1, 4, dtype=d), rand_index((3, 2), 4), -1), note="self broadcast"),
        Sample((randn(3, 4, dtype=d), rand_index((5,), 12)), note="dim None: flattened"),
        Sample((randn(3, 4, dtype=d), rand_index((2,), 4), 1), note="error: dims"),
        Sample((randn(3, 4, dtype=d), Int(np.zeros((3, 1), np.int32)), 1), note="error: int32"),
    ]


def unique_samples(d):
    x = np.array([3.0, 1.0, 2.0, 1.0, 3.0, -1.5], dtype=d)
    m = np.array([[1.0, 2.0], [0.5, 1.0], [1.0, 2.0]], dtype=d)
    return [
        Sample((x,)),
        Sample((x.reshape(2, 3),), {"return_inverse": True}),
        Sample((x,), {"return_counts": True}),
        Sample((x.reshape(3, 2), False, True, True), note="sorted=False sorts on CPU too"),
        Sample((m,), {"dim": 0, "return_inverse": True, "return_counts": True}),
        Sample((m,), {"dim": 1}),
        Sample((np.zeros(0, d),), {"return_counts": True}, note="empty"),
        Sample((np.array(2.0, d),), {"return_inverse": True}, note="0-d"),
        Sample((Int(np.array([3, 1, 3, 0])),), {"return_inverse": True}, note="integers"),
        Sample((np.array([1.0, np.nan, 1.0, np.nan], d),), {"return_counts": True}, note="every NaN is unique"),
        Sample((np.array(2.0, d),), {"dim": 0}, note="error: dim of a 0-d tensor"),
    ]


def bucketize_samples(d):
    b = np.array([-1.0, 0.0, 0.5, 1.0], dtype=d)
    x = np.array([[-2.0, -1.0, 0.25], [0.5, 1.0, 3.0]], dtype=d)
    return [
        Sample((x, b)),
        Sample((x, b), {"right": True}),
        Sample((x, b), {"out_int32": True}),
        Sample((0.5, b), note="python scalar"),
        Sample((x, b.reshape(2, 2)), note="error: 2-d boundaries"),
    ]


def searchsorted_samples(d):
    s = np.array([-1.0, 0.0, 0.5, 1.0], dtype=d)
    x = np.array([[-2.0, -1.0, 0.25], [0.5, 1.0, 3.0]], dtype=d)
    rows = np.array([[-1.0, 0.0, 0.5], [0.0, 1.0, 2.0]], dtype=d)
    return [
        Sample((s, x)),
        Sample((s, x), {"right": True}),
        Sample((s, x), {"side": "right"}),
        Sample((s, x), {"side": "left", "out_int32": True}),
        Sample((rows, x), note="batched rows"),
        Sample((rows, x), {"right": True}),
        Sample((s, 0.5), note="python scalar"),
        Sample((np.array([1.0, -1.0, 0.5, 0.0], d), x), {"sorter": idx(1, 3, 2, 0)}),
        Sample((s, x), {"side": "left", "right": True}, note="error: opposites"),
        Sample((s, x), {"side": "middle"}, note="error: side"),
        Sample((rows, x.T.copy()), note="error: shapes"),
        Sample((np.array(1.0, d), x), note="error: 0-d boundaries"),
    ]


def unsafe_split_samples(d):
    return [
        Sample((randn(5, 3, dtype=d), 2)),
        Sample((randn(2, 5, dtype=d), 2, 1)),
        Sample((noncontig(randn(4, 3, dtype=d)), 3)),
        Sample((randn(2, 3, dtype=d), 0, 1), note="error: split size 0"),
    ]


def split_with_sizes_samples(d):
    return [
        Sample((randn(2, 4, dtype=d), [1, 3], 1)),
        Sample((randn(4, 2, dtype=d), (0, 4))),
        Sample((randn(2, 3, dtype=d), [1, 1], 1), note="error: sizes don't sum"),
    ]


def tensor_split_samples(d):
    return [
        Sample((randn(7, 2, dtype=d), 3)),
        Sample((randn(2, 6, dtype=d), 4, 1), note="some pieces smaller"),
        Sample((randn(2, 6, dtype=d), [3, 1, 9], 1), note="indices: decreasing and past the end"),
        Sample((randn(6, dtype=d), [-2, 10]), note="negative indices count from the end"),
        Sample((randn(5, dtype=d), (1, 3))),
        Sample((randn(2, 6, dtype=d), idx(2, 4), -1), note="tensor of indices"),
        Sample((randn(6, 2, dtype=d), Int(np.array(2, np.int64))), note="0-d tensor: sections"),
        Sample((noncontig(randn(4, 3, dtype=d)), 2)),
        Sample((randn(dtype=d), 2), note="error: 0-d"),
        Sample((randn(4, dtype=d), 0), note="error: 0 sections"),
        Sample((randn(4, dtype=d), Int(np.array([1.0, 2.0], np.float32))), note="error: float tensor"),
        Sample((randn(4, dtype=d), long(np.ones((2, 2)))), note="error: 2-d tensor"),
    ]


def hsplit_samples(d):
    return [
        Sample((randn(3, 6, dtype=d), 2)),
        Sample((randn(6, dtype=d), [1, 4]), note="1-d: along dim 0"),
        Sample((randn(2, 6, 2, dtype=d), (2,))),
        Sample((randn(dtype=d), 2), note="error: 0-d"),
        Sample((randn(3, 6, dtype=d), 4), note="error: not divisible"),
    ]


def vsplit_samples(d):
    return [
        Sample((randn(6, 3, dtype=d), 3)),
        Sample((randn(6, 3, dtype=d), [2])),
        Sample((randn(6, dtype=d), 2), note="error: 1-d"),
        Sample((randn(6, 3, dtype=d), 4), note="error: not divisible"),
    ]


def dsplit_samples(d):
    return [
        Sample((randn(2, 3, 4, dtype=d), 2)),
        Sample((randn(2, 3, 4, dtype=d), [1, 3])),
        Sample((randn(3, 4, dtype=d), 2), note="error: 2-d"),
    ]


def atleast_samples(d):
    return [
        Sample((randn(dtype=d),), note="0-d"),
        Sample((randn(3, dtype=d),)),
        Sample((randn(2, 3, dtype=d),)),
        Sample((randn(2, 3, 2, dtype=d),)),
        Sample((randn(dtype=d), randn(3, dtype=d, seed=1)), note="several: a tuple"),
        Sample(([randn(dtype=d), randn(2, 3, dtype=d, seed=1)],), note="a list: a tuple"),
    ]


def unfold_samples(d):
    return [
        Sample((randn(5, 6, dtype=d), 1, 2, 2)),
        Sample((randn(5, 6, dtype=d), 0, 3, 1), note="overlapping windows"),
        Sample((randn(7, dtype=d), -1, 2, 3), note="windows skip elements"),
        Sample((randn(2, 3, 4, dtype=d), 1, 3, 1)),
        Sample((noncontig(randn(4, 5, dtype=d)), 1, 2, 1)),
        Sample((randn(dtype=d), 0, 1, 1), note="0-d"),
        Sample((randn(5, 6, dtype=d), 1, 7, 1), note="error: size"),
        Sample((randn(5, 6, dtype=d), 1, 2, 0), note="error: step"),
    ]


def unique_consecutive_samples(d):
    x = np.array([1.0, 1.0, 2.0, 2.0, 1.0, 3.0], dtype=d)
    m = np.array([[1.0, 2.0], [1.0, 2.0], [0.5, 1.0], [1.0, 2.0]], dtype=d)
    return [
        Sample((x,)),
        Sample((x.reshape(2, 3),), {"return_inverse": True, "return_counts": True}),
        Sample((m,), {"dim": 0, "return_inverse": True, "return_counts": True}),
        Sample((m.T.copy(),), {"dim": 1, "return_counts": True}),
        Sample((np.zeros(0, d),), {"return_counts": True}, note="empty"),
    ]


def integer_samples(d):
    """Integer and bool tensors through the indexing ops (values and dtypes only)."""
    a = Int(np.arange(12, dtype=np.int64).reshape(3, 4) - 5)
    i32 = Int(np.arange(12, dtype=np.int32).reshape(3, 4))
    b = Int(np.arange(12).reshape(3, 4) % 3 == 0)
    return {
        "masked_fill": [Sample((a, Int(a.array > 0), 2.7)), Sample((b, Int(a.array > 0), True)),
                        Sample((i32, Int(a.array > 0), -3))],
        "index_add": [Sample((a, 0, idx(0, 2, 0), Int(np.ones((3, 4), np.int64))), {"alpha": 3})],
        "scatter_reduce": [Sample((a, 1, rand_index((3, 4), 4), Int(np.arange(12).reshape(3, 4)), r),
                                  {"include_self": inc})
                           for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)],
        "gather": [Sample((b, 1, rand_index((3, 2), 4)))],
        "take": [Sample((i32, idx(0, -1, 5)))],
        "flip": [Sample((b, (0, 1)))],
        "roll": [Sample((a, 2, 1))],
        "index_fill": [Sample((i32, 1, idx(0, 3), 7))],
        "masked_select": [Sample((a, Int(a.array > 0)))],
        "repeat_interleave": [Sample((i32, 2, 0))],
        "hstack": [Sample(([a, i32],), note="int64 with int32: promoted")],
        "unique": [Sample((b,), {"return_counts": True})],
    }


def rot90_samples(d):
    return [
        Sample((randn(3, 4, dtype=d),)),
        Sample((randn(3, 4, dtype=d), 2)),
        Sample((randn(3, 4, dtype=d), -1)),
        Sample((randn(3, 4, dtype=d), 0), note="k=0 is still Rot90Backward0"),
        Sample((randn(2, 3, 4, dtype=d), 1, (2, 0))),
        Sample((randn(2, 3, 4, dtype=d), 3, [-1, 1])),
        Sample((randn(3, 4, dtype=d), 1, (0,)), note="error: one dim"),
        Sample((randn(3, dtype=d),), note="error: 1-d"),
        Sample((randn(3, 4, dtype=d), 1, (0, -2)), note="error: same dim"),
        Sample((randn(3, 4, dtype=d), 1, (0, 2)), note="error: dim out of range"),
    ]


def narrow_copy_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), 1, 1, 2)),
        Sample((noncontig(randn(3, 4, dtype=d)), -1, 0, 3)),
        Sample((randn(3, 4, dtype=d), 1, 3, 2), note="error: length"),
    ]


def select_scatter_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), randn(4, dtype=d, seed=1), 0, 1)),
        Sample((randn(3, 4, dtype=d), randn(3, dtype=d, seed=1), -1, -1)),
        Sample((randn(2, 3, 4, dtype=d), randn(2, 4, dtype=d, seed=1), 1, 2)),
        Sample((randn(3, 4, dtype=d), randn(3, dtype=d, seed=1), 0, 1), note="error: src size"),
        Sample((randn(3, 4, dtype=d), randn(4, dtype=d, seed=1), 0, 5), note="error: index"),
    ]


def slice_scatter_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), randn(3, 2, dtype=d, seed=1), 1, 0, 4, 2)),
        Sample((randn(3, 4, dtype=d), randn(1, 4, dtype=d, seed=1)), {"start": 2}),
        Sample((randn(3, 4, dtype=d), randn(3, 2, dtype=d, seed=1), 1, -2)),
        Sample((randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1)), note="whole tensor"),
        Sample((randn(3, 4, dtype=d), randn(3, 3, dtype=d, seed=1), 1, 0, 4, 2), note="error: src size"),
        Sample((randn(3, 4, dtype=d), randn(3, 2, dtype=d, seed=1), 1, 0, 4, 0), note="error: step"),
    ]


def put_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), idx(0, 5, 11), randn(3, dtype=d, seed=1))),
        Sample((randn(3, 4, dtype=d), long([[1, -1], [1, 2]]), randn(2, 2, dtype=d, seed=1), True),
               note="accumulate, duplicates, negative"),
        Sample((randn(3, 4, dtype=d), idx(0, 5), randn(2, dtype=d, seed=1)), {"accumulate": True}),
        Sample((randn(3, 4, dtype=d), idx(0, 5), randn(3, dtype=d, seed=1)), note="error: sizes"),
        Sample((randn(3, 4, dtype=d), idx(0, 15), randn(2, dtype=d, seed=1)), note="error: out of range"),
        Sample((randn(3, 4, dtype=d), Int(np.array([0], np.int32)), randn(1, dtype=d, seed=1)), note="error: int32"),
        Sample((randn(3, 4, dtype=d), idx(0), randn(1, dtype=np.float16, seed=1)), note="error: dtype"),
    ]


def index_put_samples(d):
    return [
        Sample((randn(3, 4, dtype=d), (idx(0, 2),), randn(4, dtype=d, seed=1))),
        Sample((randn(3, 4, dtype=d), (idx(0, 2), idx(3, 1)), randn(2, dtype=d, seed=1))),
        Sample((randn(3, 4, dtype=d), (idx(0, 0, 2),), randn(3, 4, dtype=d, seed=1), True), note="accumulate"),
        Sample((randn(3, 4, dtype=d), (Int(randn(3, 4, seed=5) > 0),), randn(dtype=d, seed=1)), note="mask, 0-d value"),
        Sample((randn(3, 4, dtype=d), [idx(1)], randn(1, 4, dtype=d, seed=1)), note="a list of indices"),
        Sample((randn(3, 4, dtype=d), (idx(0, 2),), randn(3, dtype=d, seed=1)), note="error: shape"),
        Sample((randn(3, 4, dtype=d), (idx(0, 5),), randn(4, dtype=d, seed=1)), note="error: out of range"),
        Sample((randn(3, 4, dtype=d), (idx(0),), randn(4, dtype=np.float16, seed=1)), note="error: dtype"),
        Sample((randn(3, 4, dtype=d), (Int(np.zeros(1, np.float32)),), randn(4, dtype=d, seed=1)),
               note="error: float index"),
    ]


def block_diag_samples(d):
    return [
        Sample((randn(2, 2, dtype=d), randn(1, 3, dtype=d, seed=1))),
        Sample((randn(dtype=d), randn(2, dtype=d, seed=1), randn(2, 1, dtype=d, seed=2)), note="0-d, 1-d, 2-d"),
        Sample((randn(2, 2, dtype=d), randn(0, 3, dtype=d, seed=1)), note="empty block"),
        Sample((randn(2, 2, dtype=d), Int(np.ones((1, 1), np.int64))), note="with an integer block"),
        Sample((randn(2, 2, 2, dtype=d),), note="error: 3-d"),
    ]


def cartesian_prod_samples(d):
    return [
        Sample((randn(3, dtype=d), randn(2, dtype=d, seed=1))),
        Sample((randn(2, dtype=d), randn(2, dtype=d, seed=1), randn(3, dtype=d, seed=2))),
        Sample((randn(3, dtype=d),), note="one tensor: itself"),
        Sample((randn(2, 2, dtype=d),), note="error: 2-d"),
    ]


def combinations_samples(d):
    return [
        Sample((randn(4, dtype=d),)),
        Sample((randn(4, dtype=d), 3)),
        Sample((randn(3, dtype=d),), {"with_replacement": True}),
        Sample((randn(3, dtype=d), 4), note="r > n: empty"),
        Sample((randn(2, 2, dtype=d),), note="error: 2-d"),
        Sample((randn(3, dtype=d), -1), note="error: negative r"),
    ]


def unravel_index_samples(d):
    return [
        Sample((idx(5, 7, 0), (2, 4))),
        Sample((long([[8, -1], [-9, 3]]), (2, 4)), note="wraps out-of-range indices like PyTorch"),
        Sample((Int(np.array(11, np.int64)), (3, 2, 2)), note="0-d"),
        Sample((Int(np.array([1, 2], np.int32)), 5), note="int shape"),
        Sample((Int(np.array([1.0], np.float32)), (2, 4)), note="error: float"),
        Sample((idx(1), (2, -4)), note="error: negative shape"),
    ]


def index_reduce_samples(d):
    out = []
    for reduce in ("prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            x = randn(3, 4, dtype=d, seed=3)
            src = randn(3, 5, dtype=d, seed=4)
            if reduce == "prod":
                x, src = x + np.sign(x) * 0.5, src + np.sign(src) * 0.5
            out.append(Sample((x, 1, idx(0, 2, 0, 3, 0), src, reduce), {"include_self": include_self}))
    return out + [
        Sample((randn(4, dtype=d), 0, idx(1, 1, 3), randn(3, dtype=d, seed=1), "amin")),
        Sample((randn(3, 4, dtype=d), 0, idx(0), randn(1, 4, dtype=d, seed=1), "sum"), note="error: reduce"),
        Sample((randn(3, 4, dtype=d), 0, idx(5), randn(1, 4, dtype=d, seed=1), "prod"), note="error: out of range"),
        Sample((randn(3, 4, dtype=d), 0, idx(0, 1), randn(1, 4, dtype=d, seed=1), "prod"), note="error: sizes"),
        Sample((randn(3, 4, dtype=d), 0, long([[0]]), randn(1, 4, dtype=d, seed=1), "prod"), note="error: 2-d index"),
        Sample((randn(3, 4, dtype=d), 0, Int(np.zeros(1)), randn(1, 4, dtype=d, seed=1), "prod"),
               note="error: float index"),
    ]


# ---- Tensor.__getitem__: basic keys become select/slice/unsqueeze chains, anything else IndexBackward0 ------
def getitem_samples(d):
    x = randn(3, 4, 5, dtype=d)
    v = randn(6, dtype=d)
    return [
        Sample((v, 2), note="int"),
        Sample((v, -1), note="negative int"),
        Sample((x, (1, -2)), note="two ints"),
        Sample((x, slice(1, None)), note="slice"),
        Sample((v, slice(None, None, 2)), note="step"),
        Sample((x, (slice(None), slice(0, 4, 3))), note="step 3"),
        Sample((v, slice(-4, -1)), note="negative bounds"),
        Sample((v, slice(4, 2)), note="empty slice"),
        Sample((v, slice(-100, 100)), note="clamped bounds"),
        Sample((x, slice(None)), note="full slice"),
        Sample((x, (slice(None), slice(None))), note="full slices: alias"),
        Sample((x, None), note="None"),
        Sample((x, (None, 1, None, slice(1, 3))), note="None, int, None, slice"),
        Sample((x, Ellipsis), note="Ellipsis"),
        Sample((x, (Ellipsis, 1)), note="Ellipsis, int"),
        Sample((x, (1, Ellipsis, slice(None, None, 2))), note="int, Ellipsis, step"),
        Sample((x, (Ellipsis, None)), note="Ellipsis, None"),
        Sample((randn(dtype=d), None), note="0-d, None"),
        Sample((randn(dtype=d), Ellipsis), note="0-d, Ellipsis"),
        Sample((noncontig(randn(4, 3, dtype=d)), (slice(1, 3), 0)), note="non-contiguous"),
        Sample((v, [0, 2, 2, -1]), note="integer list, duplicates"),
        Sample((x, ([0, 2], [1, 3])), note="two integer lists"),
        Sample((x, (slice(None), [3, 0])), note="slice, integer list"),
        Sample((x, (1, slice(None), [0, 4])), note="int, slice, integer list"),
        Sample((x, ([0, 1], slice(None), [4, 0])), note="separated advanced indices"),
        Sample((x, (Ellipsis, [1, 1])), note="Ellipsis, integer list"),
        Sample((x, (None, [1, 2])), note="None, integer list"),
        Sample((x, [True, False, True]), note="bool list"),
        Sample((v, idx(5, 0, 0)), note="Int index"),
        Sample((x, long([[0, 1], [2, 2]])), note="2-d Int index"),
        Sample((x, (idx(0, 2), idx(1, 3))), note="two Int indices"),
        Sample((v, Int(v > 0)), note="Int bool mask"),
        Sample((x, Int(x[:, :, 0] > 0)), note="2-d bool mask over the first two dims"),
        Sample((x, Int(x > 0)), note="full bool mask"),
        Sample((x, (Int(np.array([True, False, True])),)), note="bool mask in a tuple"),
        Sample((v, Int(np.zeros(0, np.int64))), note="empty Int index"),
        Sample((randn(dtype=d), True), note="0-d, True"),
        Sample((randn(2, dtype=d), False), note="False"),
        Sample((v, 6), note="error: int out of range"),
        Sample((x, (0, 0, 0, 0)), note="error: too many indices"),
        Sample((v, [0, 7]), note="error: list out of range"),
        Sample((v, idx(-7)), note="error: Int out of range"),
        Sample((v, Int(np.array([0.0, 1.0], np.float32))), note="error: float index"),
        Sample((v, slice(None, None, -1)), note="error: negative step"),
    ]


OPS = [
    OpInfo("flatten", flatten_samples, method="flatten"),
    OpInfo("unflatten", unflatten_samples, method="unflatten"),
    OpInfo("movedim", movedim_samples, method="movedim", aliases=("moveaxis",)),
    OpInfo("moveaxis", lambda d: movedim_samples(d)[:3], method="moveaxis"),
    OpInfo("broadcast_to", broadcast_to_samples, method="broadcast_to"),
    OpInfo("Tensor.repeat", repeat_samples),
    OpInfo("tile", tile_samples, method="tile"),
    OpInfo("repeat_interleave", repeat_interleave_samples, method="repeat_interleave"),
    OpInfo("repeat_interleave", lambda d: [Sample((idx(1, 0, 3),)), Sample((Int(np.array([2, 1], np.int32)),)),
                                           Sample((idx(1, -1),), note="error: negative")], grad=False),
    OpInfo("hstack", stack_like),
    OpInfo("vstack", vstack_samples, aliases=("row_stack",)),
    OpInfo("dstack", dstack_samples),
    OpInfo("column_stack", column_stack_samples),
    OpInfo("split", split_samples, method="split", output_index=0),
    OpInfo("split", split_samples, output_index=-1),
    OpInfo("chunk", chunk_samples, method="chunk", output_index=0),
    OpInfo("chunk", chunk_samples, output_index=-1),
    OpInfo("narrow", narrow_samples, method="narrow"),
    OpInfo("diff", lambda d: [Sample((randn(3, 5, dtype=d),)), Sample((randn(4, 3, dtype=d),), {"n": 2, "dim": 0}),
                              Sample((randn(3, 4, dtype=d),), {"prepend": randn(3, 1, dtype=d, seed=1),
                                                               "append": randn(3, 2, dtype=d, seed=2)}),
                              Sample((randn(2, 3, dtype=d),), {"n": 4}), Sample((randn(2, 3, dtype=d),), {"n": 0})],
           method="diff"),
    OpInfo("flip", flip_samples, method="flip"),
    OpInfo("Tensor.flip", lambda d: [Sample((randn(2, 3, 4, dtype=d), 0, 2))]),
    OpInfo("flip", lambda d: [Sample((randn(2, 3, dtype=d),), {"dims": (0, 1)})], method="flip"),
    OpInfo("tile", lambda d: [Sample((randn(2, 3, dtype=d),), {"dims": (2, 1)})], method="tile"),
    OpInfo("Tensor.tile", lambda d: [Sample((randn(2, 3, dtype=d), 2, 1, 2))]),
    OpInfo("fliplr", lambda d: [Sample((randn(2, 3, dtype=d),)), Sample((randn(2, 3, 2, dtype=d),)),
                                Sample((randn(3, dtype=d),), note="error: 1-d")], method="fliplr"),
    OpInfo("flipud", lambda d: [Sample((randn(2, 3, dtype=d),)), Sample((randn(3, dtype=d),)),
                                Sample((randn(dtype=d),), note="error: 0-d")], method="flipud"),
    OpInfo("roll", roll_samples, method="roll"),
    OpInfo("meshgrid", meshgrid_samples),
    OpInfo("meshgrid", lambda d: meshgrid_samples(d)[:4], output_index=1),
    OpInfo("index_select", index_select_samples, method="index_select"),
    OpInfo("gather", gather_samples, method="gather"),
    OpInfo("scatter", scatter_samples, method="scatter"),
    OpInfo("scatter", scatter_reduce_kw_samples, grad=False),
    OpInfo("scatter_add", scatter_add_samples, method="scatter_add"),
    OpInfo("scatter_reduce", scatter_reduce_samples, method="scatter_reduce"),
    OpInfo("index_add", index_add_samples, method="index_add"),
    OpInfo("index_copy", index_copy_samples, method="index_copy"),
    OpInfo("index_fill", index_fill_samples, method="index_fill"),
    OpInfo("masked_fill", masked_fill_samples, method="masked_fill"),
    OpInfo("masked_scatter", masked_scatter_samples, method="masked_scatter"),
    OpInfo("masked_select", masked_select_samples, method="masked_select"),
    OpInfo("take", take_samples, method="take"),
    OpInfo("take_along_dim", take_along_dim_samples, method="take_along_dim"),
    OpInfo("unique", unique_samples, method="unique", grad=False),
    OpInfo("bucketize", bucketize_samples, grad=False),
    OpInfo("searchsorted", searchsorted_samples, grad=False),
    OpInfo("unsafe_split", unsafe_split_samples, method="unsafe_split", output_index=0),
    OpInfo("unsafe_split_with_sizes", split_with_sizes_samples, method="unsafe_split_with_sizes", output_index=-1),
    OpInfo("split_with_sizes", split_with_sizes_samples, method="split_with_sizes", output_index=0),
    OpInfo("unsafe_chunk", chunk_samples, method="unsafe_chunk", output_index=-1),
    OpInfo("tensor_split", tensor_split_samples, method="tensor_split", output_index=0),
    OpInfo("tensor_split", tensor_split_samples, output_index=-1),
    OpInfo("hsplit", hsplit_samples, method="hsplit", output_index=0),
    OpInfo("vsplit", vsplit_samples, method="vsplit", output_index=-1),
    OpInfo("dsplit", dsplit_samples, method="dsplit", output_index=0),
    OpInfo("atleast_1d", atleast_samples),
    OpInfo("atleast_2d", atleast_samples),
    OpInfo("atleast_3d", atleast_samples),
    OpInfo("swapdims", lambda d: [Sample((randn(2, 3, 4, dtype=d), 0, 2)), Sample((randn(2, 3, dtype=d), -1, 0))],
           method="swapdims"),
    OpInfo("Tensor.unfold", unfold_samples),
    OpInfo("unique_consecutive", unique_consecutive_samples, method="unique_consecutive", grad=False),
    *[OpInfo(name, lambda d, name=name: integer_samples(d)[name], grad=False) for name in integer_samples(None)],
    OpInfo("ravel", lambda d: [Sample((randn(3, 4, dtype=d),)), Sample((noncontig(randn(3, 4, dtype=d)),)),
                               Sample((randn(dtype=d),))], method="ravel"),
    OpInfo("rot90", rot90_samples, method="rot90"),
    OpInfo("adjoint", lambda d: [Sample((randn(3, 4, dtype=d),)), Sample((randn(2, 3, 4, dtype=d),)),
                                 Sample((randn(3, dtype=d),), note="error: 1-d")], method="adjoint"),
    OpInfo("narrow_copy", narrow_copy_samples, method="narrow_copy"),
    # NOTE: PyTorch's NarrowCopyBackward0 fails for a negative start (it does not wrap it): values only.
    OpInfo("narrow_copy", lambda d: [Sample((randn(3, 4, dtype=d), 0, -2, 2))], grad=False),
    OpInfo("select_scatter", select_scatter_samples, method="select_scatter"),
    OpInfo("slice_scatter", slice_scatter_samples, method="slice_scatter"),
    OpInfo("Tensor.put", put_samples, aliases=("put",)),
    OpInfo("index_put", index_put_samples, method="index_put"),
    OpInfo("block_diag", block_diag_samples),
    OpInfo("cartesian_prod", cartesian_prod_samples),
    OpInfo("combinations", combinations_samples),
    OpInfo("unravel_index", unravel_index_samples, grad=False),
    OpInfo("argwhere", lambda d: [Sample((randn(3, 4, dtype=d),)), Sample((Int(randn(5) > 0),)),
                                  Sample((randn(dtype=d),))], method="argwhere", grad=False),
    OpInfo("index_reduce", index_reduce_samples, method="index_reduce"),
    OpInfo("index_reduce", lambda d: [Sample((Int(np.arange(6).reshape(2, 3)), 0, idx(0, 0),
                                              Int(np.full((2, 3), 3)), r), {"include_self": inc})
                                      for r in ("prod", "mean", "amax", "amin") for inc in (True, False)], grad=False),
    OpInfo("Tensor.__getitem__", getitem_samples, aliases=("__getitem__",)),
]
