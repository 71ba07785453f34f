"""The backward walk.

Nodes run latest-created first, as PyTorch orders them, and each runs once, after every gradient for it has
arrived. No recursion is involved however long the graph.

Most passes take `_walk`: no hooks anywhere and no captured gradients. It needs no count of edges: a node's
consumers were all created after it, so once it is the latest-created node holding a gradient, every gradient
it will get has come (NOTE [Latest first]). A leaf accumulates once the walk is older than its accumulator.

Hooks and captures take `_walk_watched`. It counts, for every node reachable from the roots, how many edges
point at it, and runs a leaf as soon as all its gradients are in, so that hooks fire in PyTorch's order; with
captures, only the nodes that lead to one run.

Without create_graph, gradients travel between nodes as NumPy arrays (`apply_raw`, see op.py); hooks,
captured gradients and `.grad` still receive Tensors.
"""
import heapq
import warnings

import numpy as np

from . import grad_mode
from . import op as _op
from .graph import _FIRST, HOOKED, AccumulateGrad, GraphRoot
from .._fp_warnings import first as _fp_filter, keep as _keep_fp_filter
from .op import only_here

__all__ = ["run_backward", "accumulate_into_grad"]


def run_backward(roots, grads, retain_graph, create_graph, captures=None):
    """Backpropagate `grads` from `roots` (pairs (node, output_nr)): Tensors with create_graph, else arrays.

    Without `captures`, every node runs and leaves accumulate into `.grad`. With captures
    ({(node, output_nr): slot}), the gradient reaching each such edge is returned by slot, and only the
    nodes that lead to one run.
    """
    raw = not create_graph  # gradients travel as arrays: no graph to build, so no Tensor layer needed
    if not warnings.filters or warnings.filters[0] is not _fp_filter[0]:  # see _fp_warnings
        _keep_fp_filter()
    state = grad_mode.state
    prev = state.enabled  # (inference mode is left as it is: only a hook's own context could change it)
    state.enabled = bool(create_graph)
    try:
        if captures is None and not HOOKED[0]:
            _walk(roots, grads, not retain_graph, raw)
            return {}
        return _walk_watched(roots, grads, retain_graph, raw, captures)
    finally:
        state.enabled = prev


def _walk(roots, grads, release, raw):
    """Run every node that receives a gradient, latest-created first; a leaf accumulates once the walk has
    passed every node that can still send to it.

    NOTE [Latest first]: sequence numbers grow as nodes are made, and a node's gradients come only from nodes
    made after it (its consumers). Take the latest-created node holding a gradient: a consumer yet to send it
    one would itself be waiting, or be fed by one waiting, and all of those are later still. So it has them
    all, and runs once. A dependency count per pass would only confirm it. A leaf's accumulator takes a number
    when it is made, before any node that uses it; once the next node to run is older than that, no node left
    can reach the leaf, and it accumulates then, as PyTorch's would, rather than holding its gradient to the end."""
    pending = {}  # node -> the gradients it holds so far, one slot per output
    waiting = []  # heap of (-sequence number, node) over the nodes in `pending`, leaves excepted
    leaves = []  # heap of (-number taken when made, accumulator) over the leaves in `pending`
    heappop, heappush = heapq.heappop, heapq.heappush
    nexts, nrs = zip(*roots) if roots else ((), ())  # (node, nr) pairs; the roots get the first gradients
    outputs = grads
    while True:
        first = None  # the first node these gradients start, kept off the heap while it may go next
        for nxt, nr, g in zip(nexts, nrs, outputs):
            if nxt is None or g is None:
                continue
            if nr or nxt in pending:
                if not _gather(pending, nxt, nr, g, raw):
                    continue
            else:  # _gather's commonest case, inline
                pending[nxt] = [g]
            if nxt._seq is _FIRST:
                heappush(leaves, (-nxt._born, nxt))
            elif first is None:
                first = nxt
            else:
                heappush(waiting, (-nxt._seq, nxt))
        g = outputs = None  # hold no gradient past its node: only_here counts references
        if first is not None and (not waiting or waiting[0][0] > -first._seq):
            node = first  # nothing later waits: it goes next
        else:
            if first is not None:
                heappush(waiting, (-first._seq, first))
            if not waiting:
                break
            node = heappop(waiting)[1]
        if leaves and leaves[0][0] < -node._seq:
            _accumulate_leaves(pending, leaves, raw, node._seq)
        inputs = pending.pop(node)
        outputs = node.apply_raw(inputs, release) if raw else node.apply(inputs, release)
        inputs = None
        nexts, nrs = node._next, node._nrs
    _accumulate_leaves(pending, leaves, raw, -1)


def _accumulate_leaves(pending, leaves, raw, below):
    """Accumulate the leaves whose accumulators were made after sequence number `below`."""
    while leaves and leaves[0][0] < -below:
        leaf = heapq.heappop(leaves)[1]
        inputs = pending.pop(leaf)  # the list stays held while only_here looks (see HELD_ONCE)
        g = inputs[0]
        if raw:
            owned = only_here(g)  # before the call below puts g on the stack once more
            _accumulate_array(leaf.variable, g, owned)  # an array only this pass holds becomes .grad
        else:
            accumulate_into_grad(leaf.variable, g)
        g = inputs = None


def _gather(pending, node, nr, g, raw):
    """Add gradient `g` (None: nothing) for output `nr` of `node` to the gradients it holds; True if it held none."""
    buf = pending.get(node)
    if buf is None:
        pending[node] = [None] * nr + [g]
        return True
    if nr >= len(buf):  # multi-output nodes: one slot per output seen so far
        buf.extend([None] * (nr + 1 - len(buf)))
    if g is not None:
        buf[nr] = g if buf[nr] is None else _sum(buf, nr, g, raw)
    return False


def _sum(buf, nr, g, raw):
    """The sum of two gradients for one output, in place where only this pass holds the first."""
    acc = buf[nr]
    if raw and only_here(acc) and acc.shape == g.shape and acc.dtype == g.dtype:
        return np.add(acc, g, out=acc)
    acc = acc + g
    if raw and type(acc) is not _ndarray:  # NumPy adds 0-d arrays into a scalar
        acc = np.asarray(acc)
    return acc


def _dependencies(root):
    deps = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for nxt in node._next:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    stack.append(nxt)
    return deps


def _must_run(root, deps, targets):
    """Nodes with some target downstream: the only ones worth running when gradients are captured."""
    order, pending, ready = [], dict(deps), [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for nxt in node._next:
            if nxt is not None:
                pending[nxt] -= 1
                if pending[nxt] == 0:
                    ready.append(nxt)
    must_run = set()
    for node in reversed(order):
        if any(n in targets or n in must_run for n in node._next):
            must_run.add(node)
    return must_run


def _walk_watched(roots, grads, retain_graph, raw, captures):
    """The walk with hooks or captures: nodes run once all their gradients are in (counted by `_dependencies`),
    hooks see Tensors, and captured gradients are returned by slot."""
    graph_root = GraphRoot(roots, grads)
    deps = _dependencies(graph_root)
    captured = {}
    if captures is not None:
        must_run = _must_run(graph_root, deps, {node for node, _ in captures})
    buffers = {}  # gradients gathered so far for nodes still waiting for some
    ready = []  # (-seq, tie, node, its gradients): nodes with all their gradients, latest-created first
    tie = 0
    heappop, heappush = heapq.heappop, heapq.heappush
    release = not retain_graph
    node, inputs = graph_root, list(grads)
    while True:
        if node._pre_hooks:
            inputs = _run_node_hooks(node._pre_hooks, raw, inputs)
        if type(node) is AccumulateGrad:  # a leaf: its tensor hooks, then capture or accumulate
            g = inputs[0]
            owned = raw and g is not None and only_here(g)  # the leaf may keep it as .grad, uncopied
            if raw and g is not None:
                g = _make(_writable(g))
            if node.variable._hooks and g is not None:
                returned = _run_tensor_hooks(node.variable, g)
                owned = owned and returned is g
                g = returned
            if captures is not None:
                slot = captures.get((node, 0))
                if slot is not None:
                    captured[slot] = g
            elif g is not None:
                accumulate_into_grad(node.variable, g, owned)
            g = inputs = None
        else:
            nexts = node._next
            run = any(g is not None for g in inputs)
            if captures is not None:
                for nr, g in enumerate(inputs):
                    slot = captures.get((node, nr))
                    if slot is not None:
                        captured[slot] = _make(_writable(g)) if raw and g is not None else g
                run = run and node in must_run
            if run:
                came = inputs[:] if node._hooks else None  # held: no formula may write into what hooks see
                outputs = node.apply_raw(inputs) if raw else node.apply(inputs)
                if node._hooks:
                    outputs = _run_node_hooks(node._hooks, raw, outputs, came)
                    if len(outputs) < len(nexts):
                        outputs = [*outputs] + [None] * (len(nexts) - len(outputs))
                came = None
                if release and (node._versions or node._result is not None or node._listed
                                or any(node._saved[k] is not None for k in node._wrapped)):
                    node.release()  # after the node's hooks, which may read what it saved
            else:
                outputs = [None] * len(nexts)
            inputs = None
            for nxt, nr, g in zip(nexts, node._nrs, outputs):
                if nxt is None:
                    continue
                _gather(buffers, nxt, nr, g, raw)
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    heappush(ready, (-nxt._seq, tie, nxt, buffers.pop(nxt)))
                    tie += 1
            g = outputs = None  # hold no gradient past its node: only_here counts references
        if not ready:
            return captured
        node, inputs = heappop(ready)[2:]


_ndarray = np.ndarray


def _make(arr):
    return _op.Tensor._make(arr)


def _writable(arr):
    """A gradient as hooks and autograd.grad hand it out: a read-only view (a large sum's, see D._spread) copied."""
    return arr if arr.flags.writeable else arr.copy()


def _arrays(tensors):
    return [None if t is None else t._data for t in tensors]


def apply_wrapped(node, grads, release=False):
    """node.apply for gradients given as arrays: its Tensor formulas run on them wrapped."""
    return _arrays(node.apply(_op._wrap(list(grads)), release))


def _run_node_hooks(hooks, raw, grads, *more):
    """A node's hooks (or pre-hooks) see Tensors; a returned sequence replaces `grads`."""
    if raw:
        grads = _op._wrap([g if type(g) is not _ndarray else _writable(g) for g in grads])
        more = [_op._wrap(list(m)) for m in more]
    for hook in hooks:
        replaced = hook(grads, *more)
        if replaced is not None:
            grads = list(replaced)
    return _arrays(grads) if raw else grads


def _run_tensor_hooks(var, g):
    for hook in var._hooks:
        g = apply_tensor_hook(hook, g)
    return g


def apply_tensor_hook(hook, g):
    """Run a tensor hook; a returned gradient replaces `g` and must keep its type and size, as PyTorch checks."""
    replaced = hook(g)
    if replaced is None:
        return g
    if replaced.dtype is not g.dtype:
        raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has changed the type of value (was "
                           f"{g.type()} got {replaced.type()})")
    if replaced.shape != g.shape:
        raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has changed the size of value")
    return replaced


def accumulate_into_grad(var, g, owned=False):
    """AccumulateGrad's work for a Tensor `g`: keeps its graph under create_graph; an `owned` one (see
    `op.only_here`) becomes `.grad` itself."""
    old = var._grad
    if grad_mode.state.enabled:  # create_graph: keep the graph of the gradient itself
        var._grad = g if old is None else old + g
    elif old is None and owned and g.grad_fn is None:
        var._grad = g
    else:
        _accumulate_array(var, g._data, False)


def _accumulate_array(var, arr, owned):
    """Add a gradient array into `.grad`, in place where `.grad` is a plain tensor of its shape. An `owned`
    array becomes `.grad` as it is; any other is copied first."""
    old = var._grad
    if old is None:
        var._grad = _op.Tensor._make(arr if owned else arr.copy())
    elif old.grad_fn is None and old._data.shape == arr.shape:
        old._data += arr
        _op.counter(old)[0] += 1
    else:
        var._grad = old + _op.Tensor._make(arr)