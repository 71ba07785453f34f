"""PyTorch's dtypes on top of NumPy's, and PyTorch's type-promotion rules."""
import numpy as np

__all__ = ["dtype", "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "can_cast"]


class dtype:
    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "category")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        # NOTE: category orders bool < int < float < complex; promotion only looks across categories.
        self.category = category
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = name not in ("uint8", "bool")
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):  # pickles as the same singleton
        return (to_dtype, (self.name,))


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
complex64 = dtype("complex64", np.complex64, 3)
complex128 = dtype("complex128", np.complex128, 3)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
FROM_NUMPY = {d.np: d for d in ALL}
FROM_CHAR = {d.np.char: d for d in ALL}  # NumPy's one-letter codes: plain strings, cheap to keep in graph nodes
# PyTorch's aliases, exported from the top-level package.
ALIASES = {
    "bool": bool_, "uint8": uint8, "int8": int8, "int16": int16, "short": int16, "int32": int32,
    "int": int32, "int64": int64, "long": int64, "float16": float16, "half": float16,
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "complex64": complex64, "cfloat": complex64, "complex128": complex128, "cdouble": complex128,
}

# PyTorch's legacy type names, used in messages and Tensor.type(): torch.FloatTensor, "result type Long" ...
LEGACY_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
                "complex128": "ComplexDouble"}
# The C++ type names PyTorch's checks print: "expected m1 and m2 to have the same dtype, but got: float != double".
C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
           "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}

_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def to_dtype(d):
    """Accept a chainrule dtype, a NumPy dtype, a Python type or a name."""
    if type(d) is dtype:
        return d
    if d is float:
        return _default[0]
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return complex64
    if isinstance(d, str):
        return ALIASES[d]
    return FROM_NUMPY[np.dtype(d)]


_HALF = np.dtype(np.float16)


def cast(arr, np_dtype, copy=True):
    """arr.astype(np_dtype) as PyTorch converts: to float16 through float32 (c10::Half is made from a float), so a
    value near the middle of two halves rounds as in PyTorch (1 + 2**-11 + 2**-40 -> 1.0, not 1.0009765625)."""
    if np_dtype == _HALF and arr.dtype.kind in "fiu" and arr.dtype.itemsize > 2 and arr.dtype != np.float32:
        arr = arr.astype(np.float32)
    return arr.astype(np_dtype, copy=copy)


def from_numpy(np_dtype):
    try:
        return FROM_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np_dtype.type.__name__}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, "
            "uint8, and bool.") from None


def promote_types(a, b):
    # NOTE: unlike NumPy, a higher category simply wins: int64 + float16 is float16, not float64.
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return FROM_NUMPY[np.promote_types(a.np, b.np)]


def _scalar_category(x):
    if isinstance(x, bool):
        return 0
    if isinstance(x, int):
        return 1
    if isinstance(x, float):
        return 2
    return 3


_DEFAULT_OF_CATEGORY = {0: bool_, 1: int64}


def result_type(operands, dtypes_and_dims):
    """PyTorch's promotion: tensors with dimensions win over 0-d tensors, which win over Python scalars,
    unless a lower-priority operand belongs to a higher category (bool < int < float < complex).

    `operands` are the Python scalars; `dtypes_and_dims` pairs (dtype, ndim) of the tensors."""
    dim_t = zero_t = None
    for d, nd in dtypes_and_dims:
        if nd:
            dim_t = d if dim_t is None else promote_types(dim_t, d)
        else:
            zero_t = d if zero_t is None else promote_types(zero_t, d)
    result = dim_t
    if zero_t is not None:
        if result is None or zero_t.category > result.category:
            result = zero_t
    for x in operands:
        cat = _scalar_category(x)
        if result is None or cat > result.category:
            if cat == 2:
                result = _default[0]
            elif cat == 3:
                result = complex128 if result is float64 else complex64
            else:
                result = _DEFAULT_OF_CATEGORY[cat]
    return result


def can_cast(from_, to):
    return from_.category <= to.category
