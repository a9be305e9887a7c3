"""Exercise 06: let autograd differentiate a loss, then check it by hand.

Read README.md in this folder first. Run the checks with

    pytest exercises/06_autograd
"""

import torch  # noqa: F401 - your code will need it
from torch import Tensor


def abs_error_and_grad(w: Tensor, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """The absolute-error loss L = sum(|w * x - y|) and its gradient dL/dw, by autograd.

    ``w``, ``x`` and ``y`` are floating-point tensors of one dtype whose shapes
    broadcast together: ``w`` may be a single weight shared by every input
    (shape ``()`` or ``(1,)``), one weight per input (the shape of ``x``), or
    anything in between. The sum runs over every element of the broadcast
    ``w * x - y``.

    Returns ``(loss, grad)``:

    * ``loss``: a 0-dim tensor of the inputs' dtype.
    * ``grad``: dL/dw, a tensor with exactly the shape and dtype of ``w``.

    Both are plain results, detached from any graph (``requires_grad`` is
    False). The gradient must come from PyTorch's autograd (``backward`` or
    ``torch.autograd.grad``), not from a formula.

    The caller's tensors come back exactly as they were: same values, same
    ``requires_grad``, and no ``.grad`` added or changed, whether or not the
    caller's ``w`` already required gradients.

    Example: w=4, x=5, y=6 gives loss 14 and gradient 5.
    """
    # TODO: make a private copy of w that requires grad, build the loss from
    # it, and ask autograd for the gradient of the loss with respect to it.
    raise NotImplementedError


def abs_error_grad_by_hand(w: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """dL/dw for L = sum(|w * x - y|), written out without autograd.

    Same inputs and the same output contract as the gradient returned by
    ``abs_error_and_grad`` (the shape and dtype of ``w``), and it must agree
    with PyTorch everywhere, including at the kink: wherever ``w * x == y``
    exactly, that element contributes 0, because PyTorch differentiates
    ``abs`` with ``sign``.

    When ``w`` is shared by several elements (it broadcast against ``x`` or
    ``y``), the contributions of all the elements it touched add up. Inputs
    are not modified.
    """
    # TODO: the derivative of |r| is sign(r); the chain rule brings in x;
    # then add up the contributions that land on each entry of w.
    raise NotImplementedError


def cube_sum_grad(x: Tensor) -> Tensor:
    """The gradient of sum(x ** 3) with respect to ``x``, by autograd.

    ``x`` is a floating-point tensor of any shape. Returns a tensor with the
    shape and dtype of ``x`` that does not require grad. As in
    ``abs_error_and_grad``, the caller's ``x`` comes back untouched: same
    values, same ``requires_grad``, no ``.grad`` added or changed.

    Example: x = [[5., 8.], [4., 6.]] gives [[75., 192.], [48., 108.]].
    """
    # TODO: differentiate sum(x ** 3) with autograd on a private copy of x.
    raise NotImplementedError
