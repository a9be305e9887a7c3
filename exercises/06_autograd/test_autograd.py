"""Checks for exercise 06 (autograd). Run: pytest exercises/06_autograd"""

import torch
from hypothesis import assume
from hypothesis import strategies as st

from grader import agree, check, expect, same
from grader import strategies as tst


@st.composite
def losses(draw, *, dtypes=tst.FLOAT_DTYPES, kinks=False):
    """``(w, x, y)`` for L = sum(|w*x - y|), with shapes that broadcast.

    ``w`` is a single shared weight, one weight per element, or one weight
    per row or per column. With ``kinks`` some elements sit exactly on their
    target (``w*x == y``), where |.| has its corner.
    """
    rank = draw(st.integers(1, 3))
    shape = draw(tst.distinct_sizes(rank, min_size=1, max_size=5))
    dtype = draw(tst.dtypes(dtypes))
    w_shape = draw(st.sampled_from([(), (1,), shape, shape[-1:], shape[:1] + (1,) * (rank - 1)]))
    y_shape = draw(st.sampled_from([shape, ()]))
    w = draw(tst.tensors(w_shape, dtype=dtype, min_value=-5, max_value=5))
    x = draw(tst.tensors(shape, dtype=dtype, min_value=-5, max_value=5))
    y = draw(tst.tensors(y_shape, dtype=dtype, min_value=-10, max_value=10))
    if kinks:
        on_target = draw(tst.tensors(shape, dtype=torch.bool, contiguous=True))
        on_target.view(-1)[0] = True
        y = torch.where(on_target, w * x, y)
        y = tst.relayout(y, draw(st.sampled_from(tst.LAYOUTS)))
    return w, x, y


def autograd_oracle(w, x, y):
    """dL/dw straight from torch.autograd, on a private copy of w."""
    leaf = w.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad((leaf * x - y).abs().sum(), leaf)
    return grad


def prepare_caller_tensor(tensor, requires_grad, has_old_grad):
    """Make ``tensor`` look like a caller's weight: maybe tracked, maybe with an old .grad."""
    if requires_grad:
        tensor.requires_grad_(True)
        if has_old_grad:
            tensor.grad = torch.full_like(tensor.detach(), 0.5)
    return None if tensor.grad is None else tensor.grad.clone()


def expect_untouched(name, tensor, requires_grad, old_grad, function):
    expect(tensor.requires_grad == requires_grad,
           f"{function} changed requires_grad of the caller's {name} from {requires_grad} to "
           f"{tensor.requires_grad}: differentiate a private copy, {name}.detach().clone()")
    if old_grad is None:
        expect(tensor.grad is None,
               f"{function} left a .grad on the caller's {name}: backward() on the caller's own "
               f"tensor writes into it; differentiate a private copy instead")
    else:
        expect(tensor.grad is not None and torch.equal(tensor.grad, old_grad),
               f"{function} changed the .grad the caller's {name} already had: gradients add up "
               f"in .grad on every backward(), so the caller's bookkeeping is now wrong")


# abs_error_and_grad ---------------------------------------------------------


@check("abs_error_and_grad", problem=losses())
def test_loss_and_gradient_match_reference(submission, reference, problem):
    agree(submission.abs_error_and_grad, reference.abs_error_and_grad, *problem,
          why="the loss is sum(|w*x - y|) as a 0-dim tensor, and its gradient has the shape of w "
              "(a shared weight collects the contributions of every element it multiplies)")


@check("abs_error_and_grad", problem=losses(dtypes=(torch.float64,)))
def test_gradient_matches_central_differences(submission, problem):
    w, x, y = problem
    step = 2.0 ** -16
    residual = w * x - y
    # Away from the corners of |.|, a central difference of this piecewise
    # linear loss is exact up to rounding.
    assume(bool(((residual == 0) | (residual.abs() > 4 * step * x.abs())).all()))
    _, grad = submission.abs_error_and_grad(w, x, y)
    rank = residual.dim()
    nudges = torch.eye(w.numel(), dtype=w.dtype).reshape(w.numel(), *w.shape) * step
    widen = (w.numel(),) + (1,) * (rank - w.dim()) + tuple(w.shape)
    up = ((w + nudges).reshape(widen) * x - y).abs().flatten(1).sum(1)
    down = ((w - nudges).reshape(widen) * x - y).abs().flatten(1).sum(1)
    numeric = ((up - down) / (2 * step)).reshape(w.shape)
    same(grad, numeric, what="the gradient from abs_error_and_grad", rtol=1e-6, atol=1e-6,
         why="nudging each weight by a tiny step up and down must change the loss by "
             "gradient * 2 * step")


@check("abs_error_and_grad", problem=losses(), w_tracked=st.booleans(), x_tracked=st.booleans(),
       old_grads=st.booleans())
def test_callers_tensors_are_left_alone(submission, problem, w_tracked, x_tracked, old_grads):
    w, x, y = problem
    old_w_grad = prepare_caller_tensor(w, w_tracked, old_grads)
    old_x_grad = prepare_caller_tensor(x, x_tracked, old_grads)
    loss, grad = submission.abs_error_and_grad(w, x, y)
    expect_untouched("w", w, w_tracked, old_w_grad, "abs_error_and_grad")
    expect_untouched("x", x, x_tracked, old_x_grad, "abs_error_and_grad")
    expect(not loss.requires_grad and not grad.requires_grad,
           "abs_error_and_grad returned tensors that still require grad: return "
           "loss.detach() (and a gradient that is not itself part of a graph)")
    same(grad, autograd_oracle(w, x, y), what="the gradient from abs_error_and_grad",
         why="earlier gradients in the caller's .grad must not leak into the answer")


@check("abs_error_and_grad")
def test_seed_example_loss_14_gradient_5(submission):
    w = torch.tensor([4.0], requires_grad=True)
    x = torch.tensor([5.0])
    y = torch.tensor([6.0])
    result = submission.abs_error_and_grad(w, x, y)
    same(result, (torch.tensor(14.0), torch.tensor([5.0])),
         what="abs_error_and_grad(w=[4.], x=[5.], y=[6.])",
         why="L = |4*5 - 6| = 14, and the error is positive, so dL/dw = x = 5")
    expect(w.grad is None, "abs_error_and_grad left a .grad on the caller's w (a tensor that "
                           "requires grad): differentiate a private copy, w.detach().clone().requires_grad_(), "
                           "and use torch.autograd.grad instead of backward()")


@check("abs_error_and_grad")
def test_shared_weight_adds_up_contributions(submission):
    w = torch.tensor(2.0)
    x = torch.tensor([3.0, 5.0, 1.0])
    y = torch.tensor([6.0, 6.0, 7.0])
    same(submission.abs_error_and_grad(w, x, y), (torch.tensor(9.0), torch.tensor(4.0)),
         what="abs_error_and_grad(w=2., x=[3., 5., 1.], y=[6., 6., 7.])",
         why="errors 0, 4, -5 give L = 9 and dL/dw = 0*3 + 1*5 + (-1)*1 = 4, a 0-dim tensor like w")


# abs_error_grad_by_hand -----------------------------------------------------


@check("abs_error_grad_by_hand", problem=losses())
def test_by_hand_matches_reference(submission, reference, problem):
    agree(submission.abs_error_grad_by_hand, reference.abs_error_grad_by_hand, *problem,
          why="each element adds sign(w*x - y) * x to the weight it used; the result has w's shape")


@check("abs_error_grad_by_hand", problem=losses(kinks=True))
def test_by_hand_agrees_with_autograd_at_the_kink(submission, reference, problem):
    result = agree(submission.abs_error_grad_by_hand, reference.abs_error_grad_by_hand, *problem,
                   why="where w*x == y exactly, PyTorch's gradient of abs is sign(0) * x = 0")
    same(result, autograd_oracle(*problem), what="abs_error_grad_by_hand",
         why="it must give what torch.autograd gives, corners included")


@check("abs_error_grad_by_hand")
def test_by_hand_with_one_weight_shared_by_three_inputs(submission, reference):
    agree(submission.abs_error_grad_by_hand, reference.abs_error_grad_by_hand,
          torch.tensor([2.0]), torch.tensor([1.0, 3.0, -4.0]), torch.tensor([0.0, 10.0, 0.0]),
          why="w = [2.] meets three inputs: residuals 2, -4 and -8 give sign * x = 1, -3 and 4, "
              "which add up on the one weight: [2.], shape (1,) like w")


@check("abs_error_grad_by_hand")
def test_by_hand_seed_example_and_kink(submission):
    same(submission.abs_error_grad_by_hand(torch.tensor([4.0]), torch.tensor([5.0]), torch.tensor([6.0])),
         torch.tensor([5.0]), what="abs_error_grad_by_hand(w=[4.], x=[5.], y=[6.])",
         why="4*5 - 6 = 14 > 0, so dL/dw = +x = 5")
    same(submission.abs_error_grad_by_hand(torch.tensor([4.0]), torch.tensor([-5.0]), torch.tensor([6.0])),
         torch.tensor([5.0]), what="abs_error_grad_by_hand(w=[4.], x=[-5.], y=[6.])",
         why="4*(-5) - 6 = -26 < 0, so dL/dw = -x = 5")
    same(submission.abs_error_grad_by_hand(torch.tensor([2.0]), torch.tensor([3.0]), torch.tensor([6.0])),
         torch.tensor([0.0]), what="abs_error_grad_by_hand(w=[2.], x=[3.], y=[6.])",
         why="2*3 - 6 = 0 is exactly the corner of |.|, and torch.abs's gradient there is sign(0) = 0")


# cube_sum_grad --------------------------------------------------------------


@check("cube_sum_grad")
def test_cube_sum_grad_of_a_scalar(submission, reference):
    agree(submission.cube_sum_grad, reference.cube_sum_grad, torch.tensor(-2.0),
          why="x of any shape includes a 0-dim tensor: d(x^3)/dx = 3 * (-2)^2 = 12, again 0-dim")


@st.composite
def float_tensors(draw):
    rank = draw(st.integers(0, 3))
    shape = draw(tst.distinct_sizes(rank, min_size=1, max_size=5))
    return draw(tst.tensors(shape, dtype=tst.dtypes(tst.FLOAT_DTYPES)))


@check("cube_sum_grad", x=float_tensors())
def test_cube_gradient_matches_reference(submission, reference, x):
    agree(submission.cube_sum_grad, reference.cube_sum_grad, x,
          why="d/dx_i of sum_j x_j^3 is 3 * x_i^2, one entry per element of x")


@check("cube_sum_grad", x=float_tensors())
def test_cube_gradient_is_three_x_squared(submission, x):
    same(submission.cube_sum_grad(x), (3 * x.double() ** 2).to(x.dtype),
         what="cube_sum_grad(x)", why="the power rule gives 3 * x**2")


@check("cube_sum_grad", x=float_tensors(), tracked=st.booleans(), old_grad=st.booleans())
def test_cube_leaves_callers_tensor_alone(submission, x, tracked, old_grad):
    before = prepare_caller_tensor(x, tracked, old_grad)
    grad = submission.cube_sum_grad(x)
    expect_untouched("x", x, tracked, before, "cube_sum_grad")
    expect(not grad.requires_grad, "cube_sum_grad returned a tensor that still requires grad")
    same(grad, (3 * x.detach().double() ** 2).to(x.dtype), what="cube_sum_grad(x)",
         why="earlier gradients in the caller's .grad must not leak into the answer")


@check("cube_sum_grad")
def test_cube_gradient_from_the_notebook(submission):
    x = torch.tensor([[5.0, 8.0], [4.0, 6.0]])
    same(submission.cube_sum_grad(x), torch.tensor([[75.0, 192.0], [48.0, 108.0]]),
         what="cube_sum_grad([[5., 8.], [4., 6.]])", why="3 * x**2 element by element")
