"""Graph nodes: the backward functions that ops record, and AccumulateGrad for leaves.

NOTE [Saved values]
A node keeps what its formulas need: input tensors with the version they had when saved, and its own
output only as an array plus its version counter (keeping the output Tensor itself would make a
reference cycle tensor -> grad_fn -> tensor). Backward frees them unless retain_graph=True.
"""
import itertools
import weakref

__all__ = ["Node", "AccumulateGrad", "GraphRoot"]

_sequence = itertools.count()
_FIRST = float("inf")  # the sequence number of nodes the engine runs as soon as they are ready
HOOKED = [False]  # True for good once any node or leaf gets a hook: until then the engine looks for none

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward.")


class Node:
    """Base of every backward function: one edge per input, kept as two tuples, the next nodes (`_next`,
    None for an input that needs no gradient) and which of their outputs each edge leaves from (`_nrs`);
    `next_functions` pairs them as PyTorch shows them. NOTE: two flat tuples rather than a tuple of pairs
    keep the cycle collector's work down on long graphs (a tuple of ints is never tracked).
    Hooks are rare: they live in the instance dict, made only when one is registered."""
    __slots__ = ("_next", "_nrs", "_seq", "__weakref__", "__dict__")
    # What release() frees; nodes that hold nothing are never released (they can run again).
    _versions = ()
    _result = None
    _listed = False  # OpNode: a list of tensors saved (release drops it)
    _wrapped = ()  # OpNode: where _saved may hold a number PyTorch wraps in a tensor (freed by release too)
    _pre_hooks = None
    _hooks = None

    @property
    def next_functions(self):
        return tuple(zip(self._next, self._nrs))

    def name(self):
        n = type(self).__name__
        # NOTE: PyTorch's hand-written nodes report their C++ names.
        return "torch::autograd::" + n if n in ("CopySlices", "CopyBackwards", "AccumulateGrad", "GraphRoot") else n

    def __repr__(self):
        return f"<{type(self).__name__.rpartition('::')[2]} object at {hex(id(self))}>"

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node; it may return replacement grad_inputs."""
        return self._add_hook("_hooks", fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node; it may return replacement grad_outputs."""
        return self._add_hook("_pre_hooks", fn)

    def _add_hook(self, kind, fn):
        hooks = self.__dict__.setdefault(kind, [])
        hooks.append(fn)
        HOOKED[0] = True
        return _RemovableHandle(hooks, fn)

    def release(self):
        pass

    def apply_raw(self, grads, release=False):
        """apply, for gradients given as arrays (a backward that builds no graph)."""
        return apply_wrapped(self, grads, release)

    def __call__(self, *grads):
        return self.apply(list(grads))


class GraphRoot(Node):
    """The start of a backward pass: hands the initial gradients to the roots."""
    __slots__ = ("grads",)

    def __init__(self, roots, grads):
        self._next, self._nrs = zip(*roots) if roots else ((), ())  # (node, nr) pairs: two tuples
        self.grads = grads
        self._seq = _FIRST

    def apply(self, _, release=False):
        return self.grads

    apply_raw = apply


class AccumulateGrad(Node):
    """Sink of a leaf tensor: runs the tensor's hooks and adds the gradient into `.grad`."""
    __slots__ = ("variable", "_born")

    def __init__(self, variable):
        self.variable = variable
        self._next = self._nrs = ()
        self._seq = _FIRST  # NOTE: like PyTorch, run as soon as ready, before other nodes.
        self._born = next(_sequence)  # every node that uses it is made later (see engine._walk)

    @staticmethod
    def of(tensor):
        """The one accumulator of a leaf, shared by every graph that uses it (held weakly by the leaf)."""
        ref = tensor._accumulator
        acc = ref() if ref is not None else None
        if acc is None:
            acc = AccumulateGrad(tensor)
            tensor._accumulator = weakref.ref(acc)
        return acc

    def apply(self, grads):
        accumulate_into_grad(self.variable, grads[0])
        return ()


class _RemovableHandle:
    __slots__ = ("_hooks", "_fn")

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


from .engine import accumulate_into_grad, apply_wrapped  # noqa: E402  (engine imports this module first)
