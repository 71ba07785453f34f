"""Tensor printing that reproduces PyTorch's ``repr(tensor)`` character for character.

This module is deliberately self-contained (NumPy and the standard library only) so
it can be imported and tested without the rest of chainrule.

Outline of the rules PyTorch follows (and that are mirrored below):

* One formatter is chosen for the whole tensor (or, when the tensor is summarized,
  for the elements that will actually be shown).  Every element is right-aligned to
  the width of the longest formatted element.
* Floating tensors: only the finite, non-zero values decide the style.  If they are
  all whole numbers the "integer" style ``3.`` is used; scientific notation is used
  when max/min > 1000, max > 1e8 or min < 1e-4 (min/max of absolute values), unless
  ``sci_mode`` is forced through :func:`set_printoptions`.  Otherwise fixed notation
  with ``precision`` decimals.
* Rows of a 1-d vector wrap so that ``width + 2`` characters per element fit into
  ``linewidth - indent``; n-d tensors separate sub-blocks with ``ndim - 1`` newlines.
* More than ``threshold`` elements: only ``edgeitems`` entries at each end of every
  dimension are shown, with ``...`` in between.
* Suffixes (``size=``, ``dtype=``, ``grad_fn=``/``requires_grad=``) follow the closing
  bracket after ``", "``, or on a new line indented by ``len(prefix)`` when the line
  would become too long.
"""

import dataclasses
import math
from typing import Optional

import numpy as np

__all__ = ["format_tensor", "set_printoptions", "get_printoptions"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: Optional[bool] = None


_OPTS = _PrintOptions()

# Named presets accepted by set_printoptions(profile=...); sci_mode is not part of them.
_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
) -> None:
    """Same semantics as ``torch.set_printoptions``.

    A profile (``'default'``, ``'short'`` or ``'full'``) is applied first, then any
    explicitly given option overrides it.  ``sci_mode`` is always assigned, so calling
    this without ``sci_mode`` returns to automatic notation (as PyTorch does).
    Unknown profile names are silently ignored, again like PyTorch.
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTS, name, value)
    explicit = dict(
        precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth
    )
    for name, value in explicit.items():
        if value is not None:
            setattr(_OPTS, name, value)
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """Current options as a dict that can be passed back to :func:`set_printoptions`."""
    return dataclasses.asdict(_OPTS)


class _Formatter:
    """Decides how every element of one tensor is written, and the common width."""

    def __init__(self, sample: np.ndarray, opts: _PrintOptions):
        # `sample` holds all elements that will be displayed (possibly summarized).
        self.is_float = sample.dtype.kind == "f"
        self.precision = opts.precision
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = sample.reshape(-1)

        if not self.is_float:
            # ints and bools print via str(); the longest one is the min or the max.
            if flat.size:
                extremes = (flat.min().item(), flat.max().item())
                self.width = max(len(str(v)) for v in extremes)
            return

        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size == 0:
            # Only zeros / nan / inf: stays in integer style, even if sci_mode is forced.
            return

        mags = np.abs(vals)
        lo, hi = mags.min(), mags.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if opts.sci_mode is None:
            with np.errstate(over="ignore"):
                self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = opts.sci_mode

        # Rounding is monotonic in the magnitude, so the longest string is produced by
        # the smallest or largest value of either sign; no need to format everything.
        candidates = []
        for part in (vals[vals > 0], vals[vals < 0]):
            if part.size:
                candidates += [float(part.min()), float(part.max())]
        p = self.precision
        if self.sci_mode:
            lengths = [len(f"{v:.{p}e}") for v in candidates]
        elif self.int_mode:
            # one extra character for the trailing '.'
            lengths = [len(f"{v:.0f}") + 1 for v in candidates]
        else:
            lengths = [len(f"{v:.{p}f}") for v in candidates]
        self.width = max(lengths)

    def format(self, value) -> str:
        """Format one Python scalar (from ``ndarray.tolist()``), right-aligned."""
        if not self.is_float:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{self.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{self.precision}f}"
        return text.rjust(self.width)


class _ComplexFormatter:
    """Complex elements as PyTorch writes them: the real parts and the imaginary parts each get a _Formatter of
    their own, and an element reads real, sign, |imag|, 'j' (a negative zero imaginary part keeps its '-')."""

    def __init__(self, sample: np.ndarray, opts: _PrintOptions):
        self.real, self.imag = _Formatter(sample.real, opts), _Formatter(sample.imag, opts)
        self.width = self.real.width + self.imag.width + 1  # the 'j'; _vector_str adds the ", "

    def format(self, value) -> str:
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return self.real.format(value.real) + ("" if imag[0] in "+-" else "+") + imag


def _summarized(a: np.ndarray, edgeitems: int) -> np.ndarray:
    """The elements that remain visible once the tensor is summarized."""
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        if a.shape[0] > 2 * edgeitems:
            # Note: with edgeitems == 0, a[-0:] is the whole vector (PyTorch alike).
            return np.concatenate([a[:edgeitems], a[-edgeitems:]])
        return a
    if not edgeitems:
        return a[:0]
    index = []
    for n in a.shape:
        if n > 2 * edgeitems:
            index.append(np.r_[0:edgeitems, n - edgeitems : n])
        else:
            index.append(np.arange(n))
    return a[np.ix_(*index)]


def _vector_str(a, indent, summarize, fmt, opts) -> str:
    per_line = max(1, math.floor((opts.linewidth - indent) / (fmt.width + 2)))
    edge = opts.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        items = (
            [fmt.format(v) for v in a[:edge].tolist()]
            + [" ..."]  # joined with ", " this gives the double space before "..."
            + [fmt.format(v) for v in a[-edge:].tolist()]
        )
    else:
        items = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _block_str(a, indent, summarize, fmt, opts) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt, opts)
    n, edge = a.shape[0], opts.edgeitems
    if summarize and n > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        rows = range(n)
    parts = [
        "..." if i is None else _block_str(a[i], indent + 1, summarize, fmt, opts)
        for i in rows
    ]
    # blocks of a k-d tensor are separated by k-1 line breaks (i.e. k-2 blank lines)
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _add_suffixes(text, suffixes, indent, linewidth) -> str:
    out = [text]
    # PyTorch's estimate of the last line's length; it overcounts by 2 characters
    # (len - rfind("\n") + 1), which is reproduced here on purpose.
    last_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_len + len(suffix) + 2 > linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def format_tensor(
    array,
    dtype_name,
    *,
    requires_grad=False,
    grad_fn_name=None,
    default_dtype_name="float32",
    prefix="tensor(",
) -> str:
    """Return exactly what ``repr()`` of the equivalent CPU torch tensor prints.

    array: ndarray with the values (its NumPy dtype matches ``dtype_name``).
    dtype_name: PyTorch dtype name without ``torch.``, e.g. ``'float32'``, ``'int64'``.
    grad_fn_name: e.g. ``'AddBackward0'``; when given, ``requires_grad=True`` is not
    printed (PyTorch shows only the grad_fn).
    default_dtype_name: the current ``torch.get_default_dtype()`` equivalent.
    prefix: opening text; continuation lines are indented by ``len(prefix)``.
    """
    a = np.asarray(array)
    opts = _OPTS
    indent = len(prefix)
    suffixes = []

    if a.size == 0:
        # No elements to hint at the dtype, so anything but the default float says so.
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype_name != default_dtype_name:
            suffixes.append(f"dtype=torch.{dtype_name}")
        body = "[]"
    else:
        if not opts.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        default_complex = {"float32": "complex64", "float64": "complex128"}.get(default_dtype_name)
        if dtype_name not in (default_dtype_name, default_complex, "int64", "bool"):
            suffixes.append(f"dtype=torch.{dtype_name}")
        summarize = a.size > opts.threshold
        formatter = _ComplexFormatter if a.dtype.kind == "c" else _Formatter
        fmt = formatter(_summarized(a, opts.edgeitems) if summarize else a, opts)
        body = _block_str(a, indent, summarize, fmt, opts)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + body, suffixes, indent, opts.linewidth)
