"""Temperature scaling: one scalar that makes softmax confidences match accuracy.

Fitted on held-out logits (Guo et al. 2017, "On Calibration of Modern Neural Networks").
"""

from __future__ import annotations

import torch

__all__ = ["fit_temperature"]


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The temperature T > 0 minimising the NLL of ``softmax(logits / T)``.

    logits: (n, classes) float; labels: (n,) long. A log-spaced grid search followed by a
    finer grid around the best point: deterministic, and a single scalar needs no more.
    """
    if logits.shape[0] == 0:
        return 1.0
    with torch.no_grad():
        best = 1.0
        for lo, hi in ((-3.0, 3.0), (-0.15, 0.15)):
            centre = torch.log(torch.tensor(best))
            grid = torch.exp(centre + torch.linspace(lo, hi, 121))  # (121,)
            scaled = logits.unsqueeze(0) / grid.view(-1, 1, 1)  # (121, n, classes)
            nll = (
                torch.nn.functional.cross_entropy(
                    scaled.reshape(-1, logits.shape[1]),
                    labels.repeat(grid.shape[0]),
                    reduction="none",
                )
                .view(grid.shape[0], -1)
                .mean(dim=1)
            )  # (121,)
            best = float(grid[int(torch.argmin(nll))])
        return best
