"""class Tensor: storage, autograd flags and conversions. The math lives in the op table."""
import warnings
import weakref

import numpy as np

from . import _dtype
from . import _tensor_str
from . import autograd as _autograd
from .autograd import grad_mode, op as _op
from .autograd.derivatives import _to_copy, wrap_dim
from .autograd.engine import apply_tensor_hook, run_backward
from .autograd.graph import HOOKED, _RemovableHandle

__all__ = ["Tensor", "Size", "device"]

_state = grad_mode.state
_new = object.__new__


class Size(tuple):
    """torch.Size: a tuple of ints that prints as PyTorch's."""
    __slots__ = ()

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r


class device:
    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if ":" in type:
            type, index = type.split(":")
            index = int(index)
        if type != "cpu":
            raise RuntimeError(f"chainrule has only the 'cpu' device for now, got '{type}'")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")

NON_LEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a "
    "subgraph that doesn't require differentiation use var_no_grad = var.detach().")
ONLY_FLOAT_GRAD = "only Tensors of floating point dtype can require gradients"
_DETACH_VIEW = ("Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) "
                "for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and "
                "hence detach_() cannot be called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")


class Tensor:
    """A NumPy array with autograd bookkeeping.

    `_vc` is the version counter (see autograd.op.counter), a one-element list shared with views so that an
    in-place change through any of them is seen by every saved reference.
    """
    # NOTE: storage, version counter and the graph flags are slots set for every tensor; the rarer
    # attributes below are class-level defaults that an instance overrides in its __dict__ when needed.
    # Creating a tensor is the hottest path of all, and a graph tensor should not need a dict.
    __slots__ = ("_data", "_vc", "_requires_grad", "grad_fn", "_output_nr", "__weakref__", "__dict__")
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy defers to our reflected operators: np.float32(2) * t is a Tensor
    _grad = None
    _hooks = None
    _retains_grad = False
    _accumulator = None
    _base = None  # for views made by differentiable view ops: the tensor they look into
    _view_fn = None  # and how to cut the same view from another tensor of the base's shape

    def __new__(cls, *args, **kwargs):
        # torch.Tensor(data) / torch.Tensor(2, 3): the legacy constructor, always of the default dtype.
        from ._creation import tensor, empty
        if len(args) == 1 and not isinstance(args[0], int):
            t = tensor(args[0], dtype=_dtype.get_default_dtype())
        else:
            t = empty(*args, dtype=_dtype.get_default_dtype())
        if cls is not Tensor:
            t = t.as_subclass(cls)
        return t

    @classmethod
    def _make(cls, arr):
        t = _new(cls)
        t._data = arr
        t._vc = _op.UNVERSIONED
        t._requires_grad = False
        t.grad_fn = None
        t._output_nr = 0
        return t

    def as_subclass(self, cls):
        t = cls._make(self._data)
        t._vc = _op.counter(self)
        return t

    # ---- autograd flags -------------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        flag = bool(requires_grad)
        if self.grad_fn is not None:
            if not flag:
                raise RuntimeError(NON_LEAF_REQUIRES_GRAD)
            return self
        if flag and self._data.dtype.kind not in "fc":
            raise RuntimeError(ONLY_FLOAT_GRAD)
        self._requires_grad = flag
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
                "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more informations.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.dtype != self._data.dtype:
                legacy = {"float64": "double", "float32": "float", "float16": "Half", "int64": "long"}
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{legacy.get(value.dtype.name, value.dtype.name)}' "
                    f"to a tensor with grad_dtype '{self.type()[6:-6]}'. The gradient must match the tensor's "
                    "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a "
                    "specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of "
                    "a tensor and its gradient may break downstream systems that assume they match.")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '[{', '.join(map(str, value.shape))}]' to a tensor of "
                    f"size '[{', '.join(map(str, self.shape))}]'. Please ensure that the gradient and the tensor are "
                    "the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self):
        """The same storage, outside the graph (and outside version tracking, as in PyTorch)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data

    @property
    def _version(self):
        return self._vc[0]

    def detach(self):
        t = Tensor._make(self._data)
        t._vc = _op.counter(self)
        return t

    def detach_(self):
        if self._base is not None:
            raise RuntimeError(_DETACH_VIEW)
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)
        nr = self._output_nr

        def keep(grads):
            t = ref()
            g = grads[nr]
            if t is not None and g is not None:
                t._grad = g.detach().clone() if t._grad is None else t._grad + g.detach()
        # NOTE: runs after the tensor's own hooks, as PyTorch's retains_grad hook does.
        self.grad_fn.register_prehook(keep)

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """hook(grad) runs when the gradient of this tensor is computed; it may return a new gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            HOOKED[0] = True  # the engine's hook-free walk would run leaves' hooks out of PyTorch's order
            return _RemovableHandle(self._hooks, hook)
        nr = self._output_nr

        def on_grad(grads):
            if grads[nr] is None:
                return None
            grads = list(grads)
            grads[nr] = apply_tensor_hook(hook, grads[nr])
            return grads
        fn = self.grad_fn
        handle = fn.register_prehook(on_grad)
        if self._retains_grad:  # the new hook goes before retain_grad's, which stays last
            hooks = fn._pre_hooks
            new = hooks.pop()
            hooks.insert(len(hooks) - 1, new)
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        fn, arr = self.grad_fn, self._data
        if fn is not None and not create_graph and inputs is None:  # what autograd.backward would do, in one step
            if gradient is None:
                if arr.size == 1 and arr.dtype.kind == "f":  # loss.backward()
                    run_backward(((fn, self._output_nr),), (_autograd.shared_implicit_grad(arr),), bool(retain_graph),
                                 False)
                    return
            elif type(gradient) is Tensor and gradient._data.shape == arr.shape:  # y.backward(g)
                if not retain_graph and arr.size >= _op._REUSE_MIN and fn._result is not None and \
                        fn._result[0] is arr and _op._reusable(self, arr, savers=1):
                    # `f(x).backward(g)`: a temporary whose buffer only its grad_fn saved; the pass may write
                    # gradients there (op._SPENT) as the tensor dies with this call
                    arr = self._data = _op.spent_placeholder(arr)
                    try:
                        run_backward(((fn, self._output_nr),), (gradient._data,), False, False)
                    except BaseException:
                        if fn._result is not None:  # the node did not run: its buffer still holds the values
                            self._data = fn._result[0]
                        raise
                    return
                run_backward(((fn, self._output_nr),), (gradient._data,), bool(retain_graph), False)
                return
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ---- metadata ---------------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return _dtype.FROM_NUMPY[self._data.dtype]

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_signed(self):
        return self._data.dtype.kind in "ifc"

    def is_same_size(self, other):
        return self._data.shape == other._data.shape

    def is_nonzero(self):
        return self.__bool__()

    def get_device(self):
        return -1  # PyTorch's answer for a CPU tensor

    is_cpu = True

    def storage_offset(self):
        """Elements between the start of the storage (the array owning the memory) and this view's first one."""
        owner = self._data.base if isinstance(self._data.base, np.ndarray) else self._data
        start = owner.__array_interface__["data"][0]
        return (self._data.__array_interface__["data"][0] - start) // self._data.itemsize

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def type(self, dtype=None):
        if dtype is None:
            return "torch." + _dtype.LEGACY_NAMES[self._data.dtype.name] + "Tensor"
        return self.to(dtype)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    # ---- conversions ------------------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __bool__(self):
        if self._data.size != 1:
            count = "no values" if not self._data.size else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {count} is ambiguous")
        return bool(self._data)

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    def __complex__(self):
        return complex(self._scalar())

    def _scalar(self):
        """The one element, for float(), int() and complex(), which word a larger tensor as Python's ValueError."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __repr__(self, *, tensor_contents=None):
        fn = self.grad_fn
        return _tensor_str.format_tensor(
            self._data, self.dtype.name, requires_grad=self._requires_grad,
            grad_fn_name=type(fn).__name__.rpartition("::")[2] if fn is not None else None,
            default_dtype_name=_dtype.get_default_dtype().name)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy a module, "
                               "this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        t = type(self)._make(self._data.copy())
        t._requires_grad = self._requires_grad
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                _check_device(a)
        if device is not None:
            _check_device(device)
        if dtype is None or dtype.np == self._data.dtype:
            return self.clone() if copy else self
        return _to_copy(self, dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def short(self):
        return self.to(_dtype.int16)

    def char(self):
        return self.to(_dtype.int8)

    def byte(self):
        return self.to(_dtype.uint8)

    def bool(self):
        return self.to(_dtype.bool_)

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        raise AssertionError("Torch not compiled with CUDA enabled")

    def contiguous(self, memory_format=None):
        return self if self._data.flags.c_contiguous else self.clone()

    # ---- new tensors of the same dtype ---------------------------------------------------------------
    def new_tensor(self, data, dtype=None, requires_grad=False):
        from ._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        from ._creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        from ._creation import ones
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False):
        from ._creation import empty
        return empty(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False):
        from ._creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _rebuild(arr, requires_grad):
    t = Tensor._make(arr)
    t._requires_grad = requires_grad
    return t


def _check_device(d):
    if isinstance(d, (str, device)):
        device(d)
    else:
        raise TypeError(f"to() received an invalid combination of arguments - got ({type(d).__name__})")


_op.Tensor = Tensor
