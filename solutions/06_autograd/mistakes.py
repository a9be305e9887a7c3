"""Plausible wrong answers for exercise 06 (autograd), each named and explained."""

import torch

from grader.mistakes import mistake

# abs_error_and_grad ---------------------------------------------------------


@mistake("abs_error_and_grad", "mean instead of sum",
         "The loss here is the sum of the absolute errors. Averaging divides the "
         "loss, and so the gradient, by the number of elements.")
def abs_error_and_grad_mean(w, x, y):
    weight = w.detach().clone().requires_grad_(True)
    loss = (weight * x - y).abs().mean()
    (grad,) = torch.autograd.grad(loss, weight)
    return loss.detach(), grad


@mistake("abs_error_and_grad", "forgot the sum",
         "Without the sum the loss is one number per element, not a single "
         "number: return a 0-dim tensor, the sum over every element.")
def abs_error_and_grad_no_sum(w, x, y):
    weight = w.detach().clone().requires_grad_(True)
    loss = (weight * x - y).abs()
    (grad,) = torch.autograd.grad(loss, weight, torch.ones_like(loss))
    return loss.detach(), grad


@mistake("abs_error_and_grad", "dropped the abs",
         "Without abs, errors above and below the target cancel out and the "
         "gradient is just the sum of x. The absolute value is what makes the "
         "sign of each error matter.")
def abs_error_and_grad_signed(w, x, y):
    weight = w.detach().clone().requires_grad_(True)
    loss = (weight * x - y).sum()
    (grad,) = torch.autograd.grad(loss, weight)
    return loss.detach(), grad


@mistake("abs_error_and_grad", "gradient with respect to x",
         "The question is how the loss changes when the weight w moves; asking "
         "autograd about x gives dL/dx = sign(w*x - y) * w, shaped like x.")
def abs_error_and_grad_wrt_x(w, x, y):
    inputs = x.detach().clone().requires_grad_(True)
    loss = (w * inputs - y).abs().sum()
    (grad,) = torch.autograd.grad(loss, inputs)
    return loss.detach(), grad


@mistake("abs_error_and_grad", "backward into the caller's w",
         "Calling requires_grad_() and backward() on the caller's own w changes "
         "their tensor: it starts requiring grad and its .grad fills up (and keeps "
         "adding up on every call). Work on w.detach().clone() instead.")
def abs_error_and_grad_on_caller(w, x, y):
    w.requires_grad_(True)
    loss = (w * x - y).abs().sum()
    loss.backward()
    return loss.detach(), w.grad.clone()


# abs_error_grad_by_hand -----------------------------------------------------


@mistake("abs_error_grad_by_hand", "textbook >= at the kink",
         "The piecewise rule 'x if w*x - y >= 0 else -x' picks +x where the error "
         "is exactly 0. PyTorch differentiates abs with sign(), and sign(0) = 0, "
         "so an element sitting exactly on its target contributes nothing.")
def abs_error_grad_by_hand_ge(w, x, y):
    residual = w * x - y
    return torch.where(residual >= 0, x, -x).sum_to_size(w.shape)


@mistake("abs_error_grad_by_hand", "forgot the chain rule",
         "d|r|/dr is sign(r), but r = w*x - y depends on w through the product, "
         "so each element's contribution is sign(r) times x.")
def abs_error_grad_by_hand_sign_only(w, x, y):
    return torch.sign(w * x - y).sum_to_size(w.shape)


@mistake("abs_error_grad_by_hand", "multiplied by w instead of x",
         "The derivative of w*x with respect to w is x; multiplying by w gives "
         "the derivative with respect to x instead.")
def abs_error_grad_by_hand_times_w(w, x, y):
    residual = w * x - y
    return (torch.sign(residual) * w).sum_to_size(w.shape)


@mistake("abs_error_grad_by_hand", "did not add up a shared weight",
         "When one weight multiplies many inputs, its gradient is the sum of all "
         "their contributions and has the shape of w, not of x.")
def abs_error_grad_by_hand_not_reduced(w, x, y):
    return torch.sign(w * x - y) * x


@mistake("abs_error_grad_by_hand", "summed to a single number",
         "Adding up every contribution is right only for a single shared weight; "
         "with one weight per element each weight gets its own sum. The result "
         "must have the shape of w.")
def abs_error_grad_by_hand_total(w, x, y):
    return (torch.sign(w * x - y) * x).sum()


# cube_sum_grad --------------------------------------------------------------


@mistake("cube_sum_grad", "3x instead of 3x^2",
         "The power rule lowers the exponent by one: d(x^3)/dx = 3x^2, not 3x.")
def cube_sum_grad_three_x(x):
    return 3 * x


@mistake("cube_sum_grad", "forgot the factor 3",
         "The power rule brings the exponent down as a factor: d(x^3)/dx = 3x^2.")
def cube_sum_grad_square(x):
    return x ** 2


@mistake("cube_sum_grad", "returned the cubes",
         "x ** 3 is the function, not its slope; the gradient is what autograd "
         "leaves in .grad after backward() (or returns from torch.autograd.grad).")
def cube_sum_grad_cubes(x):
    return x ** 3


@mistake("cube_sum_grad", "cube of the sum",
         "(sum x)^3 is a different function from sum(x^3): cube each element "
         "first, then add up.")
def cube_sum_grad_cube_of_sum(x):
    leaf = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(leaf.sum() ** 3, leaf)
    return grad


@mistake("cube_sum_grad", "backward into the caller's x",
         "requires_grad_() and backward() on the caller's own tensor change it: it "
         "starts requiring grad and its .grad keeps adding up on every call. "
         "Differentiate a private copy, x.detach().clone().requires_grad_().")
def cube_sum_grad_on_caller(x):
    x.requires_grad_(True)
    x.pow(3).sum().backward()
    return x.grad.clone()
