"""Effective receptive fields and the ERF-adaptive label weights (docs/method.md §4-5)."""
import contextlib
from typing import Callable, Sequence, Tuple, Union

import torch
from torch import nn

from .utils import deepest_feature, eval_mode

Backbone = Callable[[torch.Tensor], Union[torch.Tensor, Sequence[torch.Tensor]]]


def compute_erf(backbone: Backbone, imgs: torch.Tensor, max_batch: int = 64) -> torch.Tensor:
    """Gradient ERF of every position of the backbone's last feature map (Luo et al. 2016).

    For position p = (j, k) (row-major), a unit gradient on all channels of p is propagated to the
    input; its absolute value, summed over colour channels and averaged over ``imgs``, is G_p.
    Each copy of an image in a batch carries one position, so one backward pass serves up to
    ``max_batch`` (image, position) pairs. Modules are put in eval mode for the computation and
    restored afterwards; ``torch.autograd.grad`` leaves no parameter gradients, and eval-mode BN
    does not move its statistics. Runs under whatever device and autocast the caller uses.

    Args:
        backbone: maps (N, 3, H, W) to a feature map (N, C, Hf, Wf) or a tuple ending with one.
        imgs: (N, 3, H, W) normalised input images.
        max_batch: (image, position) copies per forward/backward pass.
    Returns:
        (Hf * Wf, H, W) float32 ERF maps.
    """
    with eval_mode(backbone) if isinstance(backbone, nn.Module) else contextlib.nullcontext():
        with torch.no_grad():
            hf, wf = deepest_feature(backbone(imgs[:1])).shape[-2:]
        num_pos, (n, _, h, w) = hf * wf, imgs.shape
        pairs = torch.stack(torch.meshgrid(torch.arange(n), torch.arange(num_pos), indexing='ij'), -1)
        pairs = pairs.reshape(-1, 2).to(imgs.device)
        erf = torch.zeros(num_pos, h, w, dtype=torch.float32, device=imgs.device)
        for chunk in pairs.split(max_batch):
            with torch.enable_grad():
                grad_in = _position_gradients(backbone, imgs, chunk)
            erf.index_add_(0, chunk[:, 1], grad_in.float().abs().sum(1))
        return erf / n


def _position_gradients(backbone: Backbone, imgs: torch.Tensor, chunk: torch.Tensor) -> torch.Tensor:
    """d(sum over channels of feature position p) / d(input) for each (image, p) pair of ``chunk``."""
    x = imgs[chunk[:, 0]].detach().requires_grad_(True)
    feat = deepest_feature(backbone(x))
    grad_out = torch.zeros(feat.shape, dtype=feat.dtype, device=feat.device)
    rows = torch.arange(len(chunk), device=feat.device)
    grad_out.view(len(chunk), feat.shape[1], -1)[rows, :, chunk[:, 1].to(feat.device)] = 1
    (grad_in,) = torch.autograd.grad(feat, x, grad_out)
    return grad_in


def region_masks(regions: torch.Tensor, hw: Tuple[int, int]) -> torch.Tensor:
    """(4, H, W) float masks of region boxes ``[x1, y1, x2, y2]`` (input pixels)."""
    h, w = hw
    ys = torch.arange(h, device=regions.device)[:, None]
    xs = torch.arange(w, device=regions.device)[None, :]
    masks = [(xs >= x1) & (xs < x2) & (ys >= y1) & (ys < y2) for x1, y1, x2, y2 in regions.tolist()]
    return torch.stack(masks).float()


def region_mass(erf: torch.Tensor, regions: torch.Tensor) -> torch.Tensor:
    """(P, 4) float64 ERF mass of each position inside each region: sum(G_p * M_i)."""
    masks = region_masks(torch.as_tensor(regions, device=erf.device), erf.shape[-2:])
    return torch.einsum('phw,rhw->pr', erf.double(), masks.double())


def own_region_share(erf: torch.Tensor, regions: torch.Tensor, cell_regions: torch.Tensor) -> torch.Tensor:
    """(P,) share of each position's ERF that falls inside its own region.

    Args:
        erf: (P, H, W) ERF maps; regions: (4, 4) boxes in input pixels; cell_regions: (P,) the
            region of each position (:meth:`MontageTemplate.cell_regions`, flattened).
    """
    regions = torch.as_tensor(regions, device=erf.device)
    own = torch.as_tensor(cell_regions, device=erf.device)
    mass = region_mass(erf, regions)
    return (mass[torch.arange(len(own), device=erf.device), own] / mass.sum(1).clamp_min(1e-30)).float()


def erf_weight_table(erf: torch.Tensor, regions: torch.Tensor, cell_regions: torch.Tensor,
                     tau: float = 0.7) -> torch.Tensor:
    """Soft-label weights of every position over the four regions (docs/method.md §4, Eq. 2).

    For position p in region r, with share_i = sum(G_p M_i) / sum(G_p):
    w_r = max(tau, share_r) and w_i = (1 - w_r) sum(G_p M_i) / sum(G_p (1 - M_r)) for i != r.

    Args:
        erf: (Hf * Wf, H, W) ERF maps from :func:`compute_erf`.
        regions: (4, 4) region boxes [x1, y1, x2, y2] in input pixels.
        cell_regions: (Hf * Wf,) the region r of each position.
        tau: the least weight of a position's own region label.
    Returns:
        (Hf * Wf, 4) float32 weights, non-negative, rows summing to 1 where the regions tile
        the input.
    """
    regions = torch.as_tensor(regions, device=erf.device)
    own = torch.as_tensor(cell_regions, device=erf.device)            # (P,)
    mass = region_mass(erf, regions)                                  # (P, 4)
    rows = torch.arange(len(own), device=erf.device)
    own_share = mass[rows, own] / mass.sum(1).clamp_min(1e-30)
    w_own = own_share.clamp(min=tau)
    others = mass.clone()
    others[rows, own] = 0
    others_total = others.sum(1, keepdim=True)
    weights = (1 - w_own)[:, None] * others / others_total.clamp_min(1e-30)
    # no ERF mass outside the own region (or none at all): all weight stays on the own label
    weights[rows, own] = torch.where(others_total[:, 0] > 0, w_own, torch.ones_like(w_own))
    return weights.float()


def blockwise_weight_table(cell_regions: torch.Tensor) -> torch.Tensor:
    """(P, 4) one-hot weights of each position's own region (the tau = 1 labels)."""
    return torch.nn.functional.one_hot(torch.as_tensor(cell_regions), 4).float()
