"""How a table entry becomes a public function, a Tensor method and a grad_fn class.

An entry is a forward written on NumPy arrays plus one backward formula per differentiable input:

    @op("MulBackward0", promote=True,
        self=lambda grad, other: grad * other,
        other=lambda grad, self: grad * self)
    def mul(self, other):
        return np.multiply(self, other)

A formula's parameter names choose what the node saves: `grad` (a tuple `grads` for several outputs),
input or argument names, `result` (`result1`, `result2` ... for further outputs), and `<input>_shape`
for just a shape; as in PyTorch, an input is saved only when some input whose formula uses it requires grad.
Formulas use chainrule ops, so they can be differentiated again; they never mention broadcasting:
`OpNode.apply` sums each gradient back to its input's shape and casts it to its dtype.

A backward that builds no graph (create_graph=False, the common case) may skip the Tensor layer: an op
declared with `raw=True` has formulas that mean the same on NumPy arrays (arithmetic operators only), and
`raw={input: formula}` gives such formulas explicitly. `OpNode.apply_raw` runs them on arrays; ops without
them run their Tensor formulas on wrapped arrays. A raw formula with an `out=None` parameter is handed the
incoming gradient as `out` when it may write its result there (see `only_here`); one with `spent=None`
(an op of one input and one output that saves its result) is handed that saved result, for the same use, when
the pass releases the node and nothing else holds the array.
"""
import math
import sys
import sysconfig

import numpy as np

from . import grad_mode
from .graph import FREED_MESSAGE, AccumulateGrad, Node, _sequence
from .. import _dtype

__all__ = ["op", "joint", "OpNode", "Spec"]

_ndarray = np.ndarray
_state = grad_mode.state
Tensor = None  # set by chainrule._tensor, which imports this module first
PUBLIC = {}  # name -> public function; those whose first parameter is `self` are also Tensor methods
INPLACE = {"add", "sub", "mul", "div", "pow", "clamp", "clip", "exp", "log", "sigmoid", "tanh", "relu", "neg",
           "abs", "sqrt", "reciprocal"}  # methods that also get a `name_` in-place variant


def joint(formula):
    """Mark a formula that returns the gradients of all of an op's differentiable inputs at once, in order
    (their computation shares its work): give it as each of those inputs' formula; the backward calls it once."""
    formula.joint = True
    return formula


def public(fn, name=None):
    PUBLIC[name or fn.__name__] = fn
    return fn


class Spec:
    """Everything the dispatcher needs to know about one op, computed once at import."""
    __slots__ = ("name", "forward", "node_cls", "tensor_pos", "diff_pos", "promote", "float_op",
                 "saved_pos", "saved_for", "save_shapes", "saved_names", "saved_outputs", "formulas", "view",
                 "outputs", "nondiff_out", "listed", "joint", "ufunc", "raw", "check", "promoted")


class OpNode(Node):
    """A recorded op. Subclassed once per op, with the PyTorch grad_fn name; ops that save their outputs
    get a `_result` slot: (array, version counter, version, output number) for each saved output, flat."""
    # _meta: each differentiable input's shape and NumPy dtype, flat (shape0, dtype0, shape1, dtype1, ...), None
    # for an input that was no tensor: what a gradient is conformed to.
    __slots__ = ("_saved", "_versions", "_meta")
    _spec = None

    @property
    def _freed(self):
        return self._versions is None  # release() drops the versions with the saved tensors

    def apply(self, grads, release=False):
        # The first backward through an op compiles its own apply (`_backward_source`) into the class.
        cls = type(self)
        cls.apply = _compile_backward(cls._spec, raw=False)
        return cls.apply(self, grads, release)

    def apply_raw(self, grads, release=False):
        # Gradients as arrays, no graph: the op's raw formulas compiled on first use, else its Tensor formulas.
        cls = type(self)
        cls.apply_raw = Node.apply_raw if cls._spec.raw is None else _compile_backward(cls._spec, raw=True)
        return cls.apply_raw(self, grads, release)

    def _conform(self, k, g):
        """Sum a gradient back to its input's shape and cast it to its dtype; PyTorch's error if it cannot."""
        shape, dt = self._meta[2 * k], self._meta[2 * k + 1]
        arr = g._data
        if arr.shape != shape:
            g = sum_to(g, shape)
            if g._data.shape != shape:
                self._bad_shape(k, arr.shape)
        if g._data.dtype != dt:
            g = g.to(_dtype.FROM_NUMPY[dt])
        return g

    def _conform_raw(self, k, arr):
        """_conform for a gradient given as an array (or a NumPy scalar)."""
        shape, dt = self._meta[2 * k], self._meta[2 * k + 1]
        arr = np.asarray(arr)
        got = arr.shape
        if got != shape:
            arr = sum_to_array(arr, shape)
            if arr.shape != shape:
                self._bad_shape(k, got)
        return arr if arr.dtype == dt else arr.astype(dt)

    def _bad_shape(self, k, got):
        shape = self._meta[2 * k]
        raise RuntimeError(
            f"Function {type(self).__name__} returned an invalid gradient at index {k} - got "
            f"[{', '.join(map(str, got))}] but expected shape compatible with [{', '.join(map(str, shape))}]")

    def _unpack_result(self, j=0):
        arr, vc, version, output_nr = self._result[4 * j:4 * j + 4]
        if vc[0] != version:
            _raise_modified(arr, vc[0], version, self, output_nr)
        t = Tensor._make(arr)
        t._vc = vc
        if _state.enabled:  # create_graph: the result is a function of this node's inputs
            t._requires_grad = True
            t.grad_fn = self
            t._output_nr = output_nr
        return t

    def release(self):
        # Compiled per op on first use from _release_lines, which the generated applies also inline.
        cls = type(self)
        namespace = {"_DROPPED": _DROPPED, "_T": Tensor}
        exec("def release(self):\n" + "".join(f" {line}\n" for line in _release_lines(cls._spec)), namespace)
        cls.release = namespace["release"]
        cls.release(self)

    def _unpack_saved(self, k):
        value = self._saved[k]
        if value is _DROPPED:
            raise RuntimeError(FREED_MESSAGE)
        return value

    def _unpack_saved_result(self, j=0):
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        return self._unpack_result(j)


# Saved arguments PyTorch declares as int64 or int[]; it shows a negative one as unsigned: dim=-1 reads
# 18446744073709551615. Scalars (alpha, min, exponent, ...) keep their sign.
_INT64_NAMES = frozenset(("dim", "dims", "dim0", "dim1", "dim2", "index", "start", "end", "step", "split_size",
                          "shifts", "diagonal", "offset"))


def _as_unsigned(value):
    if type(value) is int:
        return value % (1 << 64)
    if type(value) in (tuple, list) and all(type(v) is int for v in value):
        return tuple(v % (1 << 64) for v in value)
    return value


def as_int_list(value):
    """How PyTorch shows a saved int[] argument given as one int (dim=1 reads (1,)), negatives unsigned."""
    return _as_unsigned((value,) if type(value) is int else value)


DIM_LIST = {"dim": ("dim", as_int_list)}  # `shown` for ops whose dim PyTorch declares as int[]


def _as_wrapped_number(value):
    """A Python number where PyTorch's op takes a Tensor: PyTorch saved it as a 0-d tensor (a wrapped number)."""
    if type(value) in _WRAPPED_DTYPES:
        return Tensor._make(np.asarray(value, _WRAPPED_DTYPES[type(value)]))
    return value


_WRAPPED_DTYPES = {bool: np.bool_, int: np.int64, float: np.float64, complex: np.complex128}


def _saved_properties(spec, shown):
    """PyTorch's names for what a node saved: `_saved_<name>`, a shape as `_saved_<input>_sym_sizes`, and
    `_saved_result` (`_saved_result0`, ... for ops with several outputs). `shown` adds, renames or hides:
    {name: (saved name, how PyTorch shows it)}, or {name: None} for what PyTorch does not show.
    NOTE: properties, not a __getattr__: CPython reads every attribute of a class that has __getattr__ the slow
    way, and nodes are read many times per backward."""
    props = {}
    for k, name in enumerate(spec.saved_names):
        if spec.listed and k < len(spec.saved_pos) and spec.saved_pos[k] == 0:
            continue  # cat's and stack's tensors: PyTorch's node keeps only their sizes
        if k < len(spec.saved_pos) and spec.saved_pos[k] in spec.diff_pos:
            show = _as_wrapped_number
        else:
            show = _as_unsigned if name in _INT64_NAMES else None
        name = name[:-6] + "_sym_sizes" if name.endswith("_shape") else name
        props["_saved_" + name] = _saved_property(k, show)
    for j, n in enumerate(spec.saved_outputs):  # PyTorch numbers the results of ops with several outputs
        props["_saved_result" + (str(n) if spec.outputs > 1 else "")] = property(
            lambda self, j=j: self._unpack_saved_result(j))
    for name, how in shown.items():
        if how is None:
            del props["_saved_" + name]
            continue
        source, show = how
        props["_saved_" + name] = _saved_property(spec.saved_names.index(source), show)
    return props


def _saved_property(k, show):
    if show is None:
        return property(lambda self: self._unpack_saved(k))
    return property(lambda self: show(self._unpack_saved(k)))


_REUSE_MIN = 1 << 15  # elements: below this a fresh buffer is cheap and the checks would not pay
_refcount = sys.getrefcount


# NOTE [Numbers as arrays]: NumPy spends ~3,000 instructions (~0.8 us) fitting a Python number to the other operand's
# dtype on every ufunc call, more than the call itself on a small array; a 0-d array of that dtype costs nothing
# extra and gives the same result (NEP 50 converts the number to that dtype first). The dispatchers take them
# from these caches, by dtype. Zeros stay out of them (-0.0 == 0.0 would find the other's sign): kept by sign.
_NUMBERS = {np.dtype(np.float32): {}, np.dtype(np.float64): {}}
_NUMBERS_MAX = 4096


def read_only(arr):
    """arr, marked read-only: an array shared by caches, which nothing may write into."""
    arr.flags.writeable = False
    return arr


_ZEROS = {dt: (read_only(np.array(0.0, dt)), read_only(np.array(-0.0, dt))) for dt in _NUMBERS}


def _number(value, dtype):
    """`value` (a Python int or float) as a read-only 0-d array of `dtype`, cached."""
    if not value:
        return _ZEROS[dtype][math.copysign(1.0, value) < 0]
    arr = read_only(np.array(value, dtype))
    cache = _NUMBERS[dtype]
    if len(cache) < _NUMBERS_MAX:
        cache[value] = arr
    return arr


def _reusable(t, arr, savers=0):
    """NumPy's temporary elision, for op arguments: whether Tensor `t` is a temporary that only the calling
    expression holds, with a buffer `arr` nothing else reaches (no view, no saved reference, no `.data`),
    so the op may write its result there. Reference counts tell, against the counts `_temporary_counts`
    measured for the way the op was called (a call, or an arithmetic operator). `savers`: references to `arr`
    the caller knows of and allows (a backward root's buffer, saved by its grad_fn)."""
    if not _TEMPORARY or arr.base is not None or not arr.flags.writeable or \
            _refcount(arr) != _TEMPORARY["array"] + savers:
        return False
    if t._requires_grad and t.grad_fn is None:  # a leaf: its AccumulateGrad (grad_fn.next_functions) keeps it
        return False
    caller = sys._getframe(2)
    return _refcount(t) == _TEMPORARY.get(caller.f_code.co_code[caller.f_lasti])


def spent_placeholder(arr):
    """What a backward root that handed its buffer to the pass (_SPENT) holds instead: read-only NaNs of its shape
    and dtype, over one element's bytes."""
    return _ndarray(arr.shape, arr.dtype, np.full((), np.nan, arr.dtype).tobytes(), 0, (0,) * arr.ndim)


# Reference counts tell who else holds an object only on CPython with its GIL (a free-threaded build counts
# differently); the counts that temporary reuse and gradient donation compare with hold for 3.11 to 3.13.
REFCOUNTS_TELL = sys.implementation.name == "cpython" and not sysconfig.get_config_var("Py_GIL_DISABLED")
_REFCOUNTS_CALIBRATED = REFCOUNTS_TELL and (3, 11) <= sys.version_info[:2] < (3, 14)


def _held_once_count():
    """What sys.getrefcount reports, inside only_here, for an array held by one list (a node's gradients) and
    one local variable of its caller. None where reference counts do not tell."""
    if not REFCOUNTS_TELL:
        return None
    held = [np.empty(0)]
    g = held[0]
    return _refcount_in_call(g)


def _refcount_in_call(arr):
    return _refcount(arr)


HELD_ONCE = _held_once_count()


def only_here(arr):
    """Whether a gradient array is a backward pass's alone: its list and the caller's local are the only
    references (no hook kept it, no other edge or saved value shares it, it is not the user's), and it owns its
    memory. The engine then adds into it in place or keeps it as a leaf's `.grad` uncopied, and a raw formula
    may write its result into it (see _DONATED). PyTorch decides the same by use count."""
    return _refcount(arr) == HELD_ONCE and arr.base is None and arr.flags.writeable


def _temporary_counts():
    """The reference counts `_reusable` sees for a temporary, by the instruction the caller is at, measured
    by calling a probe shaped like a generated op in every way an op is called. Empty (no reuse) unless
    every temporary is told apart from a named value: CPython 3.11 to 3.13, whose calls move arguments
    off the caller's stack (an object passed on by C code carries one reference more, and is left alone)."""
    if not _REFCOUNTS_CALIBRATED:
        return {}
    seen = []

    def measure(t, arr):
        caller = sys._getframe(2)
        seen.append((caller.f_code.co_code[caller.f_lasti], _refcount(t), _refcount(arr)))

    namespace = {"measure": measure}
    exec("def probe(self, other=1):\n    _v0 = self._data\n    measure(self, _v0)\n", namespace)
    probe = namespace["probe"]
    probe_class = type("Probe", (), {"__slots__": ("_data",), "__add__": probe, "__radd__": probe, "__neg__": probe,
                                     "method": probe})

    def make():
        t = probe_class()
        t._data = np.empty(1)
        return t

    probe(make())
    make().method()
    make() + 1
    1 + make()
    -make()
    temporaries = seen[:]
    named = make()
    del seen[:]
    probe(named)
    named.method()
    named + 1
    1 + named
    -named
    counts = {"array": temporaries[0][2]}
    for key, t_refs, a_refs in temporaries:
        if counts.setdefault(key, t_refs) != t_refs or a_refs != counts["array"]:
            return {}
    if any(counts.get(key, t_refs) >= t_refs for key, t_refs, _ in seen):
        return {}
    return counts


_TEMPORARY = _temporary_counts()


UNVERSIONED = (0,)  # the version counter of a tensor not yet changed in place nor sharing its counter


def counter(t):
    """t's version counter as the list an in-place change increments and views share, made on first need.
    NOTE: until then every new tensor holds the immutable UNVERSIONED: one list less per op, and an increment
    that forgot to ask here fails (tuples take no assignment) instead of changing every tensor's version."""
    vc = t._vc
    if vc.__class__ is tuple:
        vc = t._vc = [0]
    return vc


def _op_name(node_name):
    """The op a backward node is named after, as PyTorch's messages name it: MulBackward0 -> Mul."""
    return node_name.rstrip("0123456789").removesuffix("Backward")


def _raise_modified(arr, now, expected, producer, output_nr, view_fn=None):
    if isinstance(view_fn, _MultiOutputView):  # (a view of) one of several views: its base was changed in place
        raise RuntimeError(view_fn.message("its base or another view of its base has been modified inplace"))
    torch_type = _dtype.LEGACY_NAMES[arr.dtype.name]
    shape = ", ".join(map(str, arr.shape))
    where = ""
    spec = getattr(producer, "_spec", None)
    if producer is not None and arr.dtype.kind in "fc" and (spec is None or output_nr not in spec.nondiff_out):
        # (PyTorch names the producer only of an output with a gradient: not of max pools' indices)
        where = f", which is output {output_nr} of {_op_name(producer.name())},"
    raise RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[torch.{torch_type}Tensor [{shape}]]{where} is at version {now}; expected version {expected} instead. "
        f"Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
        f"torch.autograd.set_detect_anomaly(True, check_nan=False).")


def broadcast_shapes(*shapes):
    """np.broadcast_shapes with PyTorch's wording for shapes that do not broadcast."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        pass
    a = shapes[0]
    for b in shapes[1:]:
        n = max(len(a), len(b))
        pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
        for i in range(n - 1, -1, -1):
            if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
                raise RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                                   f"non-singleton dimension {i}")
        a = tuple(max(x, y) for x, y in zip(pa, pb))


def _broadcast_dims(got, shape):
    """The dims to sum a gradient of shape `got` over to bring it back to `shape` (the leading ones it gained,
    and those `shape` has as 1), and how many leading ones there are; None if it cannot be brought back."""
    lead = len(got) - len(shape)
    if lead < 0:
        return None
    return tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and got[i + lead] != 1), lead


def sum_to(g, shape):
    """Reduce a broadcast gradient back to `shape` (unchanged if it cannot be: the caller reports it)."""
    found = _broadcast_dims(g.shape, shape)
    if found is None:
        return g
    dims, lead = found
    if dims:
        g = g.sum(dims, keepdim=True)
    return g.reshape(shape) if lead else g


def sum_to_array(arr, shape):
    """sum_to for an array."""
    found = _broadcast_dims(arr.shape, shape)
    if found is None:
        return arr
    dims, lead = found
    if dims:
        arr = np.add.reduce(arr, axis=dims, keepdims=True)
        if lead:
            arr.shape = shape  # in place: the sum is a fresh array, and a view of it would be copied again at a leaf
    return arr


def _wrap(x):
    """An array argument as a Tensor (multi-output gradients: a list of them); anything else as it is."""
    if type(x) is _ndarray:
        return Tensor._make(x)
    if type(x) is list:
        return [_wrap(v) for v in x]
    return x


def _output_number(name):
    """'result' -> 0, 'result2' -> 2; None for any other name."""
    if name.startswith("result") and (name == "result" or name[6:].isdigit()):
        return int(name[6:] or 0)
    return None


_PASSTHROUGH = lambda grad: grad  # noqa: E731  (the formula of inputs that take the gradient as it comes)


def _compile_backward(spec, raw):
    formulas = [r or f for r, f in zip(spec.raw, spec.formulas)] if raw else spec.formulas
    namespace = {"FREED_MESSAGE": FREED_MESSAGE, "_raise_modified": _raise_modified, "_nd": _ndarray,
                 "_wrap": _wrap, "_only_here": only_here, "_DROPPED": _DROPPED, "_T": Tensor,
                 **{f"_f{k}": f for k, f in enumerate(formulas)}}
    where = f"<chainrule {spec.node_cls.__name__}.{'apply_raw' if raw else 'apply'}>"  # for tracebacks, profiles
    exec(compile(_backward_source(spec, raw), where, "exec"), namespace)
    return namespace["apply"]


def _backward_source(spec, raw):
    """An op's apply, unrolled: version checks, then each formula called with its arguments taken straight
    from the saved values, and its gradient conformed to the input's shape and dtype when they differ.
    `raw`: gradients, saved tensors and results are handed over as arrays, and gradients come back as arrays."""
    lines = ["def apply(self, grads, release=False):"]
    if spec.saved_outputs or spec.listed or any(i in spec.tensor_pos for i in spec.saved_pos):
        lines += [" versions = self._versions", " if versions is None:", "  raise RuntimeError(FREED_MESSAGE)",
                  " saved = self._saved", " if versions:"]
        if raw:
            lines += ["  saved = list(saved)"]
        lines += ["  for k, v in versions:", "   t = saved[k]", "   if t._vc[0] != v:",
                  "    _raise_modified(t._data, t._vc[0], v, t.grad_fn, t._output_nr, t._view_fn)"]
        if raw:
            lines += ["   saved[k] = t._data"]
    else:  # numbers, dims and shapes only: no versions to check, and never released (see _release_source)
        lines += [" saved = self._saved"]
    lines += [" grad = grads[0]" if spec.outputs == 1 else " grad = grads", " nf = self._next",
              " meta = self._meta"]
    for j, n in enumerate(spec.saved_outputs):
        if raw:  # the saved output's array, after its version check
            lines += [" rr = self._result", f" if rr[{4 * j + 1}][0] != rr[{4 * j + 2}]:",
                      f"  _raise_modified(rr[{4 * j}], rr[{4 * j + 1}][0], rr[{4 * j + 2}], self, rr[{4 * j + 3}])",
                      f" r{n} = rr[{4 * j}]"]
        else:
            lines.append(f" r{n} = self._unpack_result({j})")
    if spec.joint:  # one formula returning a gradient per input (per tensor of the list for cat, stack)
        args = _formula_args(spec, spec.raw[0] if raw else spec.formulas[0])
        conform = ("(g if type(g) is _nd and g.shape == meta[2 * k] and g.dtype is meta[2 * k + 1] else "
                   "self._conform_raw(k, g))") if raw else "self._conform(k, g)"
        return "\n".join(lines + [f" gs = _f0({', '.join(args)})",
                                   f" gs = [{conform} if g is not None and n is not None else None"
                                   " for k, (g, n) in enumerate(zip(gs, nf))]", *_release_source(spec),
                                   " return gs"]) + "\n"
    used = [formula if not raw or spec.raw[k] is None else spec.raw[k] for k, formula in enumerate(spec.formulas)]
    for k, formula in enumerate(spec.formulas):
        wrapped = raw and spec.raw[k] is None  # no raw formula for this input: its Tensor one, on wrapped arrays
        formula = used[k]
        args = _formula_args(spec, formula)
        donate = []
        if _SPENT in args:
            # the saved result's buffer, when this pass releases the node and nothing else holds it: its tensor is
            # gone (or is a root that handed it over, see Tensor.backward) and no other node saved it
            test = (f"release and r0.size >= {_REUSE_MIN} and r0.shape == meta[{2 * k}] and r0.dtype is "
                    f"meta[{2 * k + 1}] and r0 is not grad and _only_here(r0)")
            donate = [f"  spent{k} = r0 if {test} else None"] if _REFCOUNTS_CALIBRATED else []
            args = [a if a != _SPENT else (f"spent{k}" if donate else "None") for a in args]
        if _DONATED in args and spec.outputs == 1:
            # the formula may write into the incoming gradient when it is large, of the input's shape and dtype (so
            # the result has them too), no later formula reads it and only the pass holds it (only_here); decided
            # before the call, whose arguments would count as holders
            later = [f"nf[{j}] is None" for j in range(k + 1, len(used)) if "grad" in _formula_args(spec, used[j])]
            test = " and ".join(later + [f"grad.size >= {_REUSE_MIN}", "type(grad) is _nd",
                                         f"grad.shape == meta[{2 * k}]", f"grad.dtype is meta[{2 * k + 1}]",
                                         "_only_here(grad)"])
            donate = [f"  out{k} = grad if {test} else None"] if _REFCOUNTS_CALIBRATED else []
            args = [a if a != _DONATED else (f"out{k}" if donate else "None") for a in args]
        call = f"_f{k}({', '.join(f'_wrap({a})' if wrapped else a for a in args)})"
        if formula.__code__.co_code == _PASSTHROUGH.__code__.co_code and args == ["grad"]:
            call = "grad"  # `lambda grad: grad`: no call
        lines += [f" g{k} = None", f" if nf[{k}] is not None:", *donate, f"  g{k} = {call}", f"  if g{k} is not None:"]
        if wrapped:
            lines.append(f"   g{k} = g{k}._data")
        if raw:
            lines += [f"   if type(g{k}) is not _nd or g{k}.shape != meta[{2 * k}]"
                      f" or g{k}.dtype is not meta[{2 * k + 1}]:",
                      f"    g{k} = self._conform_raw({k}, g{k})"]
        else:
            lines += [f"   a = g{k}._data", f"   if a.shape != meta[{2 * k}] or a.dtype is not meta[{2 * k + 1}]:",
                      f"    g{k} = self._conform({k}, g{k})"]
    lines += _release_source(spec)
    lines.append(f" return [{', '.join(f'g{k}' for k in range(len(spec.formulas)))}]")
    return "\n".join(lines) + "\n"


def _release_source(spec):
    """`release` for a pass that keeps no graph (see OpNode.release): once the formulas ran, drop what the node
    saved for them, if it saved any tensor."""
    if spec.saved_outputs or spec.listed and 0 in spec.saved_pos:
        test = "release"
    elif any(i in spec.tensor_pos for i in spec.saved_pos):
        # some argument was saved as a tensor this time, or a number for a differentiable one: PyTorch wraps that
        # number in a tensor, which it frees too (x * 2 cannot run backward twice)
        numbers = [f"saved[{k}] is not None" for k, i in enumerate(spec.saved_pos) if i in spec.diff_pos]
        test = f"release and (versions{''.join(' or ' + n for n in numbers)})"
    else:
        return []  # numbers and shapes only: they stay, and the node can run again
    return [f" if {test}:"] + ["  " + line for line in _release_lines(spec)]


_DROPPED = object()  # in a released node's _saved, where a tensor was: reading it raises


def _release_lines(spec):
    """What OpNode.release does for this op: each saved tensor (cat's and stack's list of them), and each number
    saved for a differentiable input (a wrapped number in PyTorch), becomes _DROPPED, and the saved result goes;
    inputs left unsaved stay None, and other numbers, dims and shapes stay readable, as in PyTorch."""
    values = [f"_s[{k}]" for k in range(len(spec.saved_names))]
    for k, i in enumerate(spec.saved_pos):
        if spec.listed and i == 0:
            values[k] = f"(None if _s[{k}] is None else _DROPPED)"
        elif i in spec.diff_pos:  # a tensor, or a number PyTorch wraps in one: both go
            values[k] = f"(None if _s[{k}] is None else _DROPPED)"
        elif i in spec.tensor_pos:
            values[k] = f"(_DROPPED if isinstance(_s[{k}], _T) else _s[{k}])"
    return (["_s = self._saved", f"self._saved = ({''.join(v + ', ' for v in values)})", "self._versions = None"] +
            (["self._result = None"] if spec.saved_outputs else []))


def _formula_args(spec, formula):
    """The generated apply's expression for each of a formula's parameters: the gradient(s), a saved output
    (r0, r1, ...) or a saved value; `out` stays a name for _backward_source to fill in."""
    return ["grad" if p in ("grad", "grads") else p if p in (_DONATED, _SPENT) else f"r{_output_number(p)}"
            if _output_number(p) is not None else f"saved[{spec.saved_names.index(p)}]" for p in _params(formula)]


def _params(formula):
    """A formula's parameter names: what it reads (see the module docstring)."""
    return formula.__code__.co_varnames[:formula.__code__.co_argcount]


_DONATED = "out"  # a raw formula's parameter for a buffer it may write its result into: the incoming gradient
_SPENT = "spent"  # another: the op's saved result, which it may overwrite (single-input, single-output ops)


def op(grad_fn=None, *, promote=False, float_op=False, nondiff=(), masks=(), view=False, outputs=1,
       nondiff_outputs=(), listed=False, ufunc=None, raw=None, shown=None, check=None, **formulas):
    """Declare an op: see the module docstring. Returns the public function.

    `ufunc`: a NumPy ufunc (or a function taking a ufunc's `out=`) that computes the forward from the
    tensor arguments alone when the other arguments keep their defaults. The dispatcher then calls it
    directly, and writes into a large temporary argument's buffer instead of allocating (see `_reusable`).
    `raw`: True when the formulas mean the same on NumPy arrays, or {input: formula on arrays} (see the
    module docstring); inputs left out run their Tensor formula on wrapped arrays.
    `shown`: saved values PyTorch names or shows otherwise, {name: (saved name, function)} (see _saved_properties).
    `check`: called with the arguments as given (Tensors, numbers) to raise PyTorch's error for a combination the
    op refuses; only the generic path runs it, so it may only refuse what the generated one never takes (bools,
    integer tensors).
    `masks`: non-differentiable boolean tensor arguments (where's condition) that take no part in type promotion:
    passed on as they are, whatever the other arguments' dtype."""
    def declare(forward):
        code = forward.__code__
        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        spec = Spec()
        spec.name = forward.__name__
        spec.check = check
        # The dispatcher passes every argument by position; keyword-only ones included.
        spec.forward = _all_positional(forward)
        spec.diff_pos = tuple(i for i, n in enumerate(names) if n in formulas)
        spec.tensor_pos = tuple(i for i, n in enumerate(names) if n in formulas or n in nondiff)
        spec.promoted = tuple(i for i in spec.tensor_pos if names[i] not in masks)  # dtypes that must agree
        if masks and (ufunc is not None or view or listed or set(masks) - set(nondiff)
                      or max(i for i in spec.tensor_pos if names[i] in masks) > spec.promoted[0]):
            raise TypeError(f"{forward.__name__}: masks are leading non-differentiable arguments of plain ops")
        spec.promote = promote
        spec.float_op = float_op
        spec.view = view
        spec.outputs = outputs
        spec.nondiff_out = nondiff_outputs
        spec.listed = listed  # the first parameter is a sequence of tensors (cat, stack)
        spec.joint = listed or all(getattr(f, "joint", False) for f in formulas.values())
        spec.ufunc = ufunc
        raw_formulas = formulas if raw is True else raw or {}
        used = set()
        for f in (*formulas.values(), *raw_formulas.values()):
            used.update(_params(f))
        used.difference_update((_DONATED, _SPENT))
        if any(_SPENT in _params(f) for f in raw_formulas.values()) and (len(formulas) != 1 or outputs != 1):
            raise TypeError(f"{grad_fn}: only an op of one input and one output may overwrite its saved result")
        spec.saved_outputs = tuple(sorted({_output_number(n) for n in used} - {None}))
        # alphabetical, as PyTorch's generated nodes keep them: their versions are checked in this order, so that
        # of several tensors changed in place the same one is named
        saved_names = sorted(n for n in names if n in used)
        spec.save_shapes = tuple(names.index(n[:-6]) for n in sorted(used)
                                 if n.endswith("_shape") and n[:-6] in names)
        saved_names += [names[i] + "_shape" for i in spec.save_shapes]
        spec.saved_pos = tuple(names.index(n) for n in saved_names if n in names)
        spec.saved_names = tuple(saved_names)
        spec.formulas = tuple(formulas[names[i]] for i in spec.diff_pos)
        # a joint formula (cat, stack) runs on arrays only when given so explicitly
        spec.raw = tuple(raw_formulas.get(names[i]) for i in spec.diff_pos) \
            if raw_formulas and not (spec.joint and raw is True) else None
        spec.saved_for = _saved_for(spec, names)
        if grad_fn is not None:
            slots = ("_result",) if spec.saved_outputs else ()
            wrapped = tuple(k for k, i in enumerate(spec.saved_pos) if i in spec.diff_pos and not listed)
            spec.node_cls = type(grad_fn, (OpNode,), {"__slots__": slots, "_spec": spec,
                                                      "_listed": listed and 0 in spec.saved_pos,  # its tensors saved
                                                      "_wrapped": wrapped, **_saved_properties(spec, shown or {})})
        else:
            spec.node_cls = None
        return _public_function(forward, spec, names)
    return declare


def _saved_for(spec, names):
    """For each saved input, the differentiable inputs (by their index in diff_pos) whose formulas, Tensor
    or raw, use it: it is saved only if one of them requires grad. None where every one of them uses it, and
    for arguments that are never tensors (dims, scalars, options), which PyTorch saves as they are."""
    uses = [set(_params(f)) for f in spec.formulas]
    for k, f in enumerate(spec.raw or ()):
        if f is not None:
            uses[k].update(_params(f))
    users = [tuple(k for k, used in enumerate(uses) if names[i] in used) for i in spec.saved_pos]
    return tuple(None if spec.joint or len(u) == len(uses) or i not in spec.tensor_pos else u
                 for i, u in zip(spec.saved_pos, users))


def _all_positional(fn):
    code = fn.__code__
    if not code.co_kwonlyargcount:
        return fn
    code = code.replace(co_argcount=code.co_argcount + code.co_kwonlyargcount, co_kwonlyargcount=0)
    return type(fn)(code, fn.__globals__, fn.__name__, None, fn.__closure__)


def _public_function(forward, spec, names):
    """Build a function with the forward's exact signature. Its first call compiles the op's own
    dispatcher (`_fast_source`) into it; ops never called cost no compile time at import."""
    code = forward.__code__
    positional = names[:code.co_argcount]
    defaults = dict(zip(positional[len(positional) - len(forward.__defaults__ or ()):], forward.__defaults__ or ()))
    defaults.update(forward.__kwdefaults__ or {})
    params = [n + "=_d_" + n if n in defaults else n for n in positional]
    if code.co_kwonlyargcount:
        params.append("*")
        params += [n + "=_d_" + n if n in defaults else n for n in names[code.co_argcount:]]
    head = f"def {forward.__name__}({', '.join(params)}):\n"
    call = f"apply(spec, ({', '.join(names)},))"
    namespace = {"__name__": forward.__module__, "apply": apply, "spec": spec,
                 **{"_d_" + k: v for k, v in defaults.items()}}  # __name__: NumPy's warnings name the op's module
    exec(head + f"    _specialize(spec)\n    return {call}\n", namespace)
    fn = namespace[forward.__name__]
    namespace["_specialize"] = lambda spec: _specialize(fn, head + _fast_source(spec, names, call))
    fn.__doc__ = forward.__doc__
    fn.__module__ = "chainrule"
    fn.__qualname__ = forward.__name__
    fn._spec = spec
    fn.on_arrays = forward  # the op on NumPy arrays alone: what raw formulas call
    if not fn.__name__.startswith("_") and "<locals>" not in forward.__qualname__:
        public(fn)  # module-level entries only: ops made inside a factory function stay private
    return fn


def _specialize(fn, source):
    namespace = fn.__globals__
    spec = namespace["spec"]
    namespace.update(_T=Tensor, _f32=np.dtype(np.float32), _f64=np.dtype(np.float64), _nd=_ndarray,
                     _asarray=np.asarray, _new=object.__new__, _state=_state, _acc=AccumulateGrad.of,
                     _next_seq=_sequence.__next__, _fwd=spec.forward, _node=spec.node_cls,
                     _track_view=_track_view, _no_grad_view=_no_grad_view, _uf=spec.ufunc, _reusable=_reusable,
                     _counter=counter, _UNV=UNVERSIONED, _nums=_NUMBERS, _number=_number,
                     _views=_multi_output_views(spec), _apply_listed=_apply_listed)
    exec(compile(source, f"<chainrule {spec.name}>", "exec"), namespace)
    fn.__code__ = namespace[fn.__name__].__code__


def _fast_source(spec, names, call):
    """The body of an op's own dispatcher: `apply` unrolled for this op's arguments, taken when every
    tensor argument is a Tensor of one float dtype (those after the first may also be Python numbers or
    None; a non-differentiable one of an op that neither promotes nor checks may have any dtype, or be a NumPy
    array). Ops with several outputs get one too, unless they are ufuncs or views of a fixed number; ops that give
    a varying number (outputs=-1: split, unbind) unless they save them or record no node. Ops on a list of tensors
    that save none of them (cat, stack) go to `_apply_listed`. Anything else goes through `apply`, which also words
    the errors."""
    tp = spec.tensor_pos
    if _lean_listed(spec):
        return f"    return _apply_listed(spec, ({', '.join(names)},))\n"
    if _apply_only(spec):
        return f"    return {call}\n"
    if spec.promoted == tp:  # the first tensor argument must be a Tensor, and the others match its dtype
        anchor = tp[0]
        first = names[anchor]
        lines = [f"if type({first}) is _T:", f" _v{anchor} = {first}._data", f" _dt = _v{anchor}.dtype"]
    else:  # with masks (where(condition, 0.0, grad)): the first Tensor among the others sets the dtype
        anchor, first = None, names[tp[0]]
        pick = names[spec.promoted[-1]]
        for i in spec.promoted[-2::-1]:
            pick = f"({names[i]} if type({names[i]}) is _T else {pick})"
        lines = [f"_a = {pick}", "if type(_a) is _T:", " _dt = _a._data.dtype"]
    lines.append(" if _dt is _f32 or _dt is _f64:")
    ind = "  "
    tested = []  # arguments that may be a Tensor or a number: whether each is a Tensor, kept in _t<i>
    for i in tp:
        n = names[i]
        if i == anchor:
            continue
        if i not in spec.promoted:  # a mask: a Tensor of its own dtype (the code below takes tp[0] for a Tensor)
            lines += [f"{ind}if type({n}) is not _T:", f"{ind} return {call}", f"{ind}_v{i} = {n}._data"]
            continue
        tested.append(i)
        lines += [f"{ind}if type({n}) is _T:", f"{ind} _v{i} = {n}._data", f"{ind} _t{i} = True"]
        if spec.promote or i in spec.diff_pos or spec.check is not None:
            lines += [f"{ind} if _v{i}.dtype is not _dt:", f"{ind}  return {call}"]
        elif spec.ufunc is None:  # an index, mask or target of any dtype: `apply` would pass it on as it is too,
            lines += [f"{ind}elif type({n}) is _nd:", f"{ind} _v{i} = {n}", f"{ind} _t{i} = False"]  # or an array
        lines += [f"{ind}elif {n} is None or type({n}) is float or type({n}) is int:", f"{ind} _v{i} = {n}",
                  f"{ind} _t{i} = False", f"{ind}else:", f"{ind} return {call}"]
    dispatched = len(lines)
    args = ", ".join(f"_v{i}" if i in tp else n for i, n in enumerate(names))
    lines += [f"{ind}try:"]
    if spec.ufunc is None:
        lines += [f"{ind} _out = _fwd({args})"]
    else:
        lines += _ufunc_source(spec, names, ind + " ", args)
    lines += [f"{ind}except ValueError:", f"{ind} return {call}"]
    needed = " or ".join(_when_tensor(names[i], i, tp, f"{names[i]}._requires_grad") for i in spec.diff_pos)
    if spec.outputs < 1:  # (-1: as many as it gives; split, unbind) the node first, then a Tensor per output
        lines += _varying_outputs_source(spec, names, ind, needed)
    elif spec.outputs != 1:  # a Tensor per output, plain; the recording then links the floating-point ones
        results = f"({''.join(f'_r{j}, ' for j in range(spec.outputs))})"
        for j in range(spec.outputs):
            lines += [f"{ind}_o{j} = _out[{j}]", f"{ind}if type(_o{j}) is not _nd:", f"{ind} _o{j} = _asarray(_o{j})",
                      f"{ind}_r{j} = _new(_T)", f"{ind}_r{j}._data = _o{j}", f"{ind}_r{j}._vc = _UNV",
                      f"{ind}_r{j}._output_nr = 0", f"{ind}_r{j}._requires_grad = False", f"{ind}_r{j}.grad_fn = None"]
        if spec.node_cls is not None:
            lines += [f"{ind}if ({needed}) and _state.enabled:"] + _record_source(spec, names, ind + " ")
        lines.append(f"{ind}return {results}")
    else:
        lines += [f"{ind}if type(_out) is not _nd:", f"{ind} _out = _asarray(_out)",
                  f"{ind}_r = _new(_T)", f"{ind}_r._data = _out",
                  f"{ind}_r._vc = {f'_counter({first})' if spec.view else '_UNV'}",
                  f"{ind}_r._output_nr = 0"]
        if spec.view:  # a view shares its source's version counter, and in grad mode remembers how it was cut
            lines += [f"{ind}if _state.enabled:", f"{ind} _track_view(_r, {first}, spec, ({', '.join(names)},))",
                      f"{ind}else:", f"{ind} return _no_grad_view(_r, {first})"]
        if spec.node_cls is not None:  # the graph flags are set once: by the recording, or plain
            lines += [f"{ind}if ({needed}) and _state.enabled and (_out.dtype is _dt or _out.dtype.kind in 'fc'):"]
            lines += _record_source(spec, names, ind + " ") + [f"{ind} return _r"]
        lines += [f"{ind}_r._requires_grad = False", f"{ind}_r.grad_fn = None", f"{ind}return _r"]
    for i in tested:  # past the dispatch, the test is a local's load (type() and a global cost ~140 instructions)
        n = names[i]
        lines[dispatched:] = [line.replace(f"type({n}) is not _T", f"not _t{i}").replace(f"type({n}) is _T", f"_t{i}")
                              for line in lines[dispatched:]]
    return "".join(f"    {line}\n" for line in lines) + f"    return {call}\n"


def _apply_only(spec):
    """Whether an op has no generated dispatcher: `apply` serves it."""
    return (spec.listed or not spec.promoted
            or spec.outputs != 1 and spec.ufunc is not None  # ufuncs of several outputs
            or spec.outputs > 1 and spec.view  # views of a fixed number of outputs
            or spec.outputs < 1 and (spec.saved_outputs or spec.node_cls is None))  # of a varying number: see below


def _varying_outputs_source(spec, names, ind, needed):
    """The results of an op that gives as many outputs as it finds (the forward's `_out`), each linked to the node
    when one is recorded (in the fast path every output has the float dtype _dt); a view's share its source's
    version counter and, in grad mode, its base, with a view function that refuses in-place changes (see apply)."""
    first = names[spec.tensor_pos[0]]
    lines = ["_en = _state.enabled", f"_rec = _en and ({needed})", "if _rec:"]
    lines += _record_source(spec, names, " ")  # (which links no output of these: the loop below does)
    if spec.view:
        lines += [f"_vc = _counter({first})", f"_b = {first} if {first}._base is None else {first}._base"]
    else:
        lines.append("_vc = _UNV")
    lines += ["_rs = []", "_k = 0", "for _o in _out:", " if type(_o) is not _nd:", "  _o = _asarray(_o)",
              " _r = _new(_T)", " _r._data = _o", " _r._vc = _vc", " if _rec:", "  _r._requires_grad = True",
              "  _r.grad_fn = _n", "  _r._output_nr = _k", " else:", "  _r._requires_grad = False",
              "  _r.grad_fn = None", "  _r._output_nr = 0"]
    if spec.view:
        lines += [" if _en:", "  _r._base = _b", "  _r._view_fn = _views[_k]",
                  " else:", f"  _no_grad_view(_r, {first})"]
    lines += [" _rs.append(_r)", " _k += 1", "return tuple(_rs)"]
    return [ind + line for line in lines]


def _ufunc_source(spec, names, ind, args):
    """The forward of a `ufunc` op: the ufunc itself, into a temporary argument's buffer when one may be reused
    (considered when the first tensor argument is large). An argument the op saves for backward may only give
    its buffer when no graph is recorded."""
    tp = spec.tensor_pos
    operands = ", ".join(f"_v{i}" for i in tp)
    lines = [f"if _v{tp[0]}.size < {_REUSE_MIN}:"]
    if spec.promoted == tp:  # numbers as 0-d arrays of the op's dtype (NOTE [Numbers as arrays])
        for i in tp[1:]:
            lines += [f" if not _t{i} and _v{i} is not None:", f"  _c = _nums[_dt].get(_v{i})",
                      f"  _v{i} = _c if _c is not None else _number(_v{i}, _dt)"]
    lines.append(f" _out = _uf({operands})")
    for i in tp:
        n = names[i]
        test = [] if i == tp[0] else [f"type({n}) is _T"]
        if i in spec.saved_pos:  # saved when a graph is recorded and an input whose formula reads it requires grad
            users = spec.saved_for[spec.saved_pos.index(i)]
            readers = spec.diff_pos if users is None else [spec.diff_pos[k] for k in users]
            wanted = " or ".join(_when_tensor(names[j], j, tp, names[j] + "._requires_grad") for j in readers)
            test.append(f"(not _state.enabled or not ({wanted}))")
        test += [f"_v{j}.ndim <= _v{i}.ndim" if j == tp[0] else
                 f"(type({names[j]}) is not _T or _v{j}.ndim <= _v{i}.ndim)"
                 for j in tp if j != i]  # the result has this argument's shape: nothing broadcasts it wider
        test.append(f"_reusable({n}, _v{i})")
        lines += [f"elif {' and '.join(test)}:", f" _out = _uf({operands}, out=_v{i})"]
    lines += ["else:", f" _out = _uf({operands})"]
    others = [n for i, n in enumerate(names) if i not in tp]
    if others:  # the ufunc computes the op only with the other arguments at their defaults
        lines = [f"if {' and '.join(f'{n} is _d_{n}' for n in others)}:"] + [" " + line for line in lines] + \
                ["else:", f" _out = _fwd({args})"]
    return [ind + line for line in lines]


def _when_tensor(name, i, tp, expr):
    """`expr`, guarded by a test that argument `name` is a Tensor unless it is the first, checked already."""
    if i == tp[0]:
        return expr
    return f"(type({name}) is _T and {expr})" if i in tp else f"(isinstance({name}, _T) and {expr})"


def _record_source(spec, names, ind):
    """`_record` unrolled: the node, its edges, saved values, versions, input metadata and the result's link."""
    tp = spec.tensor_pos
    single = len(spec.diff_pos) == 1  # recording at all means its one differentiable input requires grad
    lines = ["_n = _node()"]
    nodes, nrs = [], []
    for k, i in enumerate(spec.diff_pos):
        n = names[i]
        if single:
            nodes.append(f"({n}.grad_fn or _acc({n}))")
        else:  # _g<k>: whether input k requires grad, tested once for the edges and what is saved
            lines.append(f"_g{k} = {_when_tensor(n, i, tp, n + '._requires_grad')}")
            nodes.append(f"(({n}.grad_fn or _acc({n})) if _g{k} else None)")
        nrs.append(f"{n}._output_nr" if i == tp[0] else f"({n}._output_nr if type({n}) is _T else 0)")
    # a saved input is kept when a formula that reads it will run: when one of its users requires grad
    needs = [None if users is None else " or ".join(f"_g{k}" for k in users) for users in spec.saved_for]
    saved = [names[i] if need is None else f"({names[i]} if {need} else None)"
             for i, need in zip(spec.saved_pos, needs)]
    saved += [f"({names[i]}._data.shape if {_when_tensor(names[i], i, tp, 'True')} else ())" for i in spec.save_shapes]
    lines += [f"_n._next = ({''.join(e + ', ' for e in nodes)})", f"_n._nrs = ({''.join(e + ', ' for e in nrs)})",
              "_n._seq = _next_seq()", f"_n._saved = ({''.join(s + ', ' for s in saved)})"]
    checks = []  # (version entry, the test of its tensor being saved or None: surely), in the saved values' order
    for k, (i, need) in enumerate(zip(spec.saved_pos, needs)):
        if i not in tp:
            continue  # dims, scalars and options: never tensors (see _release_lines)
        tests = [] if need is None else [need if " or " not in need else f"({need})"]
        if i != tp[0]:
            tests.append(f"type({names[i]}) is _T")
        checks.append((f"({k}, {names[i]}._vc[0])", " and ".join(tests) or None))
    if sum(test is not None for _, test in checks) <= 3:  # one expression: nested conditionals, one level per test
        lines.append(f"_n._versions = {_versions_expr([], checks)}")
    else:
        lines.append("_vs = []")
        for entry, test in checks:
            lines += [f"_vs.append({entry})"] if test is None else [f"if {test}:", f" _vs.append({entry})"]
        lines.append("_n._versions = tuple(_vs)")
    meta = [f"_v{i}.shape, _dt" if i == tp[0] else f"(_v{i}.shape if type({names[i]}) is _T else None), _dt"
            for i in spec.diff_pos]  # in the fast path every tensor has the dtype _dt
    lines.append(f"_n._meta = ({', '.join(meta)},)")
    if spec.outputs != 1:  # (see _fast_source) each floating-point output not declared non-differentiable
        for j in range(spec.outputs):
            if j not in spec.nondiff_out:
                lines += [f"if _o{j}.dtype.kind in 'fc':", f" _r{j}._requires_grad = True", f" _r{j}.grad_fn = _n",
                          f" _r{j}._output_nr = {j}"]
        if spec.saved_outputs:  # each with a counter of its own, at 0
            lines += [f"_r{j}._vc = _rv{j} = [0]" for j in spec.saved_outputs]
            lines.append(f"_n._result = ({''.join(f'_o{j}, _rv{j}, 0, {j}, ' for j in spec.saved_outputs)})")
        return [ind + line for line in lines]
    lines += ["_r._requires_grad = True", "_r.grad_fn = _n"]
    if spec.saved_outputs and spec.view:  # the output shares its source's counter, at its version
        lines.append("_n._result = (_out, _r._vc, _r._vc[0], 0)")
    elif spec.saved_outputs:  # a counter of its own, at 0
        lines += ["_r._vc = _rv = [0]", "_n._result = (_out, _rv, 0, 0)"]
    return [ind + line for line in lines]


def _versions_expr(known, checks):
    """The tuple of (index, version) pairs: the `known` entries, then each (entry, test) of `checks` whose test holds
    (a None test always does)."""
    for j, (entry, test) in enumerate(checks):
        if test is not None:
            rest = checks[j + 1:]
            return f"({_versions_expr(known + [entry], rest)} if {test} else {_versions_expr(known, rest)})"
        known = known + [entry]
    return f"({''.join(c + ', ' for c in known)})"


def _unwrap_and_promote(spec, args):
    if spec.listed:
        return _unwrap_listed(spec, args)
    vals = list(args)
    for i in spec.tensor_pos:
        a = args[i]
        if isinstance(a, Tensor):
            vals[i] = a._data
        elif a is not None and not isinstance(a, (int, float, complex)):
            if isinstance(a, (list, tuple)):
                raise TypeError(f"{spec.name}(): argument '{spec.forward.__code__.co_varnames[i]}' (position "
                                f"{i + 1}) must be Tensor, not {type(a).__name__}")
            vals[i] = np.asarray(a)
    if spec.promote:
        tensors = [(vals[i].dtype, vals[i].ndim) for i in spec.promoted if type(vals[i]) is _ndarray]
        first = tensors[0][0] if tensors else None
        if any(d != first for d, _ in tensors) or len(tensors) < len(spec.promoted):
            scalars = [vals[i] for i in spec.promoted if vals[i] is not None and type(vals[i]) is not _ndarray]
            target = _dtype.result_type(scalars, [(_dtype.FROM_NUMPY[d], n) for d, n in tensors])
            if spec.float_op and target.category < 2:
                target = _dtype.get_default_dtype()
            for i in spec.promoted:
                v = vals[i]
                if type(v) is _ndarray and v.dtype != target.np:
                    vals[i] = v.astype(target.np)
                elif not tensors and v is not None and spec.promoted != spec.tensor_pos:
                    vals[i] = np.asarray(v, target.np)  # numbers beside a mask (where(mask, 1.0, 2.0)): the dtype
                elif type(v) is bool and target.category > 0:
                    vals[i] = int(v)
                elif type(v) is int and target.category == 1 and not _fits(v, target.np):
                    vals[i] = np.array(v).astype(target.np)[()]  # PyTorch casts the number, wrapping around
            return vals
    if spec.float_op:
        for i in spec.promoted:
            v = vals[i]
            if type(v) is _ndarray and v.dtype.kind not in "fc":
                vals[i] = v.astype(_dtype.get_default_dtype().np)
    return vals


def _fits(number, np_dtype):
    """Whether a Python int is in an integer dtype's range (any int fits a dtype of another kind)."""
    if np_dtype.kind not in "iu":
        return True
    info = np.iinfo(np_dtype)
    return info.min <= number <= info.max


def _unwrap_listed(spec, args):
    seq = args[0]
    if isinstance(seq, Tensor) or not isinstance(seq, (list, tuple)):
        raise TypeError(f"{spec.name.lstrip('_')}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(seq).__name__}")
    for i, t in enumerate(seq):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    arrays = [t._data for t in seq]
    if arrays and any(a.dtype is not arrays[0].dtype for a in arrays):  # (one dtype: nothing to promote)
        target = _dtype.result_type((), [(_dtype.FROM_NUMPY[a.dtype], 1) for a in arrays])
        arrays = [a if a.dtype == target.np else a.astype(target.np) for a in arrays]
    return [arrays, *args[1:]]


def _lean_listed(spec):
    """Whether _apply_listed may dispatch this op: one on a list of tensors that saves none of them, at most their
    shapes (cat, stack)."""
    return spec.listed and spec.check is None and spec.outputs == 1 and not spec.view and spec.node_cls is not None \
        and not spec.saved_outputs and 0 not in spec.saved_pos and spec.save_shapes in ((), (0,))


def _apply_listed(spec, args):
    """`apply` for an op on a list of tensors that saves none of them (see _lean_listed), in a few passes over the
    list when its tensors have one dtype; any other list goes through `apply`, which also words the errors."""
    seq = args[0]
    if type(seq) is not list and type(seq) is not tuple:
        return apply(spec, args)
    for t in seq:
        if type(t) is not Tensor:
            return apply(spec, args)  # (which words the error for what is no Tensor)
    arrays = [t._data for t in seq]
    dt = arrays[0].dtype if arrays else None
    for a in arrays:
        if a.dtype is not dt:
            return apply(spec, args)  # to promote
    out = spec.forward(arrays, *args[1:])
    if type(out) is not _ndarray:
        out = np.asarray(out)
    result = Tensor._make(out)
    if not _state.enabled or out.dtype.kind not in "fc":
        return result
    nexts = [(t.grad_fn or AccumulateGrad.of(t)) if t._requires_grad else None for t in seq]
    if not any(nexts):
        return result
    # `_record` for a list of Tensors of one dtype that saves at most their shapes: its general loops cost a cat
    # ~8.5k instructions more (71k against 62k for four 32x16 pieces)
    node = spec.node_cls()
    node._next = tuple(nexts)
    node._nrs = tuple([t._output_nr if n is not None else 0 for t, n in zip(seq, nexts)])
    node._seq = next(_sequence)
    shapes = [a.shape for a in arrays]
    saved = [args[i] for i in spec.saved_pos]
    if spec.save_shapes:  # the list's: a shape each
        saved.append(tuple(shapes))
    node._saved = tuple(saved)
    node._versions = ()
    meta = [dt] * (2 * len(shapes))  # each input's shape and dtype, flat
    meta[::2] = shapes
    node._meta = tuple(meta)
    result._requires_grad = True
    result.grad_fn = node
    return result


def apply(spec, args):
    """Run the forward on arrays, wrap the result, and record a node if any input requires grad."""
    if spec.check is not None:
        spec.check(*args)
    # Fast path: tensors of one dtype (and float scalars with float tensors) need no promotion.
    vals = list(args)
    dt = None
    simple = not spec.listed
    if simple:
        for i in spec.tensor_pos:
            a = vals[i]
            if isinstance(a, Tensor):
                arr = a._data
                vals[i] = arr
                if i not in spec.promoted:  # a mask
                    continue
                if dt is None:
                    dt = arr.dtype
                elif arr.dtype is not dt:
                    simple = False
            elif a is not None and type(a) is not float and type(a) is not int:
                simple = False
        # NumPy keeps Python scalars weak as PyTorch does, except a float scalar with an integer tensor.
        if simple and (dt is None or dt.kind not in "fc" and (spec.float_op or any(
                type(args[i]) is float or type(args[i]) is int and not _fits(args[i], dt) for i in spec.tensor_pos))):
            simple = False  # (an int out of an integer dtype's range wraps around in _unwrap_and_promote)
    if not simple:
        vals = _unwrap_and_promote(spec, args)
    try:
        out = spec.forward(*vals)
    except ValueError:
        if spec.promote:  # PyTorch's wording when the shapes do not broadcast; else NumPy's own error
            broadcast_shapes(*[np.shape(vals[i]) for i in spec.tensor_pos if vals[i] is not None])
        raise
    enabled = _state.enabled  # (a thread-local: read once)
    if spec.outputs == 1:
        if type(out) is not _ndarray:
            out = np.asarray(out)
        result = Tensor._make(out)
        if spec.view:
            src = args[spec.tensor_pos[0]]
            result._vc = counter(src)
            if enabled:
                _track_view(result, src, spec, args)
            else:
                _no_grad_view(result, src)
    else:
        make = Tensor._make
        result = tuple([make(o if type(o) is _ndarray else np.asarray(o)) for o in out])
        if spec.view:
            src = args[spec.tensor_pos[0]]
            vc = counter(src)
            base = src if src._base is None else src._base
            views = _multi_output_views(spec)
            for k, r in enumerate(result):
                r._vc = vc
                if enabled:  # views that may not be written in place: see _methods._rebase_view
                    r._base = base
                    r._view_fn = views[k]
                else:
                    _no_grad_view(r, src)
    if not enabled or spec.node_cls is None or spec.outputs == 1 and out.dtype.kind not in "fc":
        return result  # NOTE: only floating-point results join a graph
    inputs = args[0] if spec.listed else [args[i] for i in spec.diff_pos]
    nexts = [(a.grad_fn or AccumulateGrad.of(a)) if isinstance(a, Tensor) and a._requires_grad else None
             for a in inputs]
    if not any(nexts):
        return result
    return _record(spec, args, inputs, nexts, result)


def _track_view(view, src, spec, args):
    """Remember the base and how `view` was cut from it, so that an in-place change through the view can
    rewrite the base's history (PyTorch's CopySlices)."""
    pos = spec.tensor_pos[0]

    def cut(t):
        a = list(args)
        a[pos] = t
        return apply(spec, tuple(a))
    parent = src._view_fn
    view._base = src if src._base is None else src._base
    if isinstance(parent, _MultiOutputView):  # a view of a view refusing in-place changes: so does it, by its name
        view._view_fn = type(parent)(spec, 0)
    else:
        view._view_fn = cut if parent is None else (lambda t: cut(parent(t)))


class _MultiOutputView:
    """Stands in for the view function of outputs of split / unbind / chunk: writing through them in place
    is an error, as in PyTorch."""
    __slots__ = ("spec", "k")

    def __init__(self, spec, k):
        self.spec, self.k = spec, k

    def __call__(self, t):
        raise RuntimeError(self.message("is being modified inplace"))

    def message(self, what):
        return (f"Output {self.k} of {_op_name(self.spec.node_cls.__name__)} is a view and {what}. This view is the "
                "output of a function that returns multiple views. Such functions do not allow the output views to be "
                "modified inplace. You should replace the inplace operation by an out-of-place one.")


class _NoGradView(_MultiOutputView):
    """The view function of a view made in no_grad mode of a tensor that requires grad (spec None), and of views cut
    from it in grad mode: PyTorch's NO_GRAD_MODE views, which refuse in-place changes in grad mode."""
    __slots__ = ()

    def message(self, what):
        if self.spec is None:
            head = "A view was created in no_grad mode and"
        else:
            head = (f"Output {self.k} of {_op_name(self.spec.node_cls.__name__)} is a view of a view which was created "
                    "in no_grad mode and")
        return (f"{head} {what} with grad mode enabled. Given that this use case is ambiguous and error-prone, it is "
                "forbidden. You can clarify your code by moving both the view and the inplace either both inside the "
                "no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the "
                "inplace to be tracked).")


_NO_GRAD_VIEW = _NoGradView(None, 0)


class _Nowhere(Node):
    """Where the edge of a view made in no_grad mode leads: PyTorch gives such a view no gradient accumulator,
    so what flows to it is dropped (its base gets nothing either)."""
    __slots__ = ()

    def __init__(self):
        self._next = self._nrs = ()
        self._seq = -1  # older than any node: nothing waits on it

    def apply(self, grads, release=False):
        return ()

    apply_raw = apply


_NOWHERE = _Nowhere()


class _NoGradEdge:
    """Stands in for the accumulator's weak reference of a view made in no_grad mode (see AccumulateGrad.of): its
    edge, asked for when it joins a graph, leads nowhere; once the base was changed in place, it is an error."""
    __slots__ = ("vc", "version")

    def __init__(self, vc):
        self.vc, self.version = vc, vc[0]

    def __call__(self):
        if self.vc[0] != self.version:
            raise RuntimeError(_NO_GRAD_VIEW.message("its base or another view of its base has been modified inplace"))
        return _NOWHERE


def _no_grad_view(view, src):
    """A view made in no_grad mode: of a tensor that requires grad, it requires grad too, as a leaf that receives no
    gradient and may not be changed in place in grad mode. The caller made its version counter src's."""
    base = src if src._base is None else src._base
    view.grad_fn = None
    view._requires_grad = base._requires_grad
    if base._requires_grad:
        view._base = base
        view._view_fn = _NO_GRAD_VIEW
        view._accumulator = _NoGradEdge(view._vc)
    return view


class _MultiOutputViews(dict):
    """An op's _MultiOutputView for each output number, made on first need and shared by all its outputs of that
    number (they hold nothing else)."""
    __slots__ = ("spec",)

    def __init__(self, spec):
        super().__init__()
        self.spec = spec

    def __missing__(self, k):
        view_fn = self[k] = _MultiOutputView(self.spec, k)
        return view_fn


_VIEWS_BY_OP = {}  # spec -> its _MultiOutputViews


def _multi_output_views(spec):
    views = _VIEWS_BY_OP.get(spec)
    if views is None:
        views = _VIEWS_BY_OP[spec] = _MultiOutputViews(spec)
    return views


def _record(spec, args, inputs, nexts, result):
    node = spec.node_cls()
    node._next = tuple(nexts)
    node._nrs = tuple([a._output_nr if n is not None else 0 for a, n in zip(inputs, nexts)])
    node._seq = next(_sequence)
    saved = []
    versions = []
    for i, users in zip(spec.saved_pos, spec.saved_for):
        a = args[i]
        if users is not None and all(nexts[k] is None for k in users):
            a = None  # no formula that reads it will run
        elif i in spec.tensor_pos and isinstance(a, Tensor):  # other arguments are never tensors
            versions.append((len(saved), a._vc[0]))
        saved.append(a)
    for i in spec.save_shapes:
        a = args[i]
        if isinstance(a, (list, tuple)):  # cat's tensors: a shape each
            saved.append(tuple([t._data.shape for t in a]))
        else:
            saved.append(a._data.shape if isinstance(a, Tensor) else ())
    # NOTE: tuples, not lists: tuples of plain values drop out of the cycle collector's sight, which
    # otherwise re-scans every node of a long graph again and again.
    node._saved = tuple(saved)
    node._versions = tuple(versions)
    meta = []
    for a in inputs:
        if isinstance(a, Tensor):
            a = a._data
            meta += a.shape, a.dtype
        else:
            meta += None, None
    node._meta = tuple(meta)
    if spec.outputs == 1:  # a floating-point result: apply records no other
        result._requires_grad = True
        result.grad_fn = node
    else:
        for k, r in enumerate(result):
            if r._data.dtype.kind in "fc" and k not in spec.nondiff_out:
                r._requires_grad = True
                r.grad_fn = node
                r._output_nr = k
    outs = (result,) if spec.outputs == 1 else result
    if spec.saved_outputs:
        node._result = tuple([x for j in spec.saved_outputs
                              for x in (outs[j]._data, counter(outs[j]), outs[j]._vc[0], j)])
    return result
