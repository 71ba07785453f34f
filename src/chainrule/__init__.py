"""chainrule: PyTorch's autograd, on NumPy. `import chainrule as torch` and autograd code runs unchanged."""
from . import _dtype, _fp_warnings, _malloc
from ._dtype import (dtype, get_default_dtype, set_default_dtype, promote_types, bool_ as bool, uint8, int8,
                     int16, int32, int64, float16, float32, float64, complex64, complex128)
from ._tensor import Tensor, Size, device
from ._tensor_str import set_printoptions, get_printoptions
from ._creation import *  # noqa: F401,F403
from ._creation import Generator, default_generator
from . import autograd
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from .autograd import pointwise as _pointwise, reductions as _reductions, shape_ops as _shape_ops  # noqa: F401
from .autograd import linalg_ops as _linalg_ops  # noqa: F401
from . import _methods
from .autograd.op import PUBLIC as _PUBLIC
from . import nn
from . import linalg

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

_methods.install()
globals().update({k: _methods.with_numpy_names(v) for k, v in _PUBLIC.items() if k not in globals()})

_fp_warnings.keep()  # floating-point trouble is silent, as in PyTorch (see _fp_warnings)
_malloc.keep_freed_memory()  # see NOTE [Keeping freed memory]

__version__ = "0.1.0"


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def __getattr__(name):
    # NOTE: a clear error for code written against PyTorch that reaches something chainrule lacks.
    raise AttributeError(f"module 'chainrule' has no attribute '{name}' (chainrule does not implement "
                         f"torch.{name} yet)")
