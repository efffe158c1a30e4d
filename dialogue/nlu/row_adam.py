"""Adam for embedding tables where each step touches only a few rows."""

from __future__ import annotations

import torch

__all__ = ["RowAdam"]


class RowAdam:
    """Adam for the embedding rows a batch uses ("lazy Adam"): the cost of a step grows
    with the batch, not with the vocabulary (dense Adam over 20k x 256 took 17 ms/step).

    Gather the rows a batch uses as a leaf tensor, run forward/backward on it, then call
    ``step(rows, leaf.grad)``; moments of rows a step does not touch stay as they are.
    """

    def __init__(
        self, weight: torch.Tensor, lr: float, betas: tuple[float, float] = (0.9, 0.999)
    ) -> None:
        self.weight = weight
        self.lr = lr
        self.beta1, self.beta2 = betas
        # First and second moments side by side: one gather and one scatter per step.
        self.moments = torch.zeros(weight.shape[0], 2 * weight.shape[1])
        self.steps = 0

    def step(self, rows: torch.Tensor, grad: torch.Tensor) -> None:
        # rows: (r,) unique row ids; grad: (r, hidden)
        self.steps += 1
        hidden = grad.shape[1]
        # index_select/index_copy_/index_add_ are ~3x faster than x[rows] = ... on CPU.
        moments = self.moments.index_select(0, rows)  # (r, 2 * hidden)
        m, v = moments[:, :hidden], moments[:, hidden:]
        m.mul_(self.beta1).add_(grad, alpha=1 - self.beta1)
        v.mul_(self.beta2).addcmul_(grad, grad, value=1 - self.beta2)
        self.moments.index_copy_(0, rows, moments)
        denominator = v.div(1 - self.beta2**self.steps).sqrt_().add_(1e-8)
        update = m.div(denominator).mul_(-self.lr / (1 - self.beta1**self.steps))
        with torch.no_grad():
            self.weight.index_add_(0, rows, update)
