"""Linear regions of ReLU networks: where the closed form is a product of fixed masked matrices.

A ReLU network is piecewise affine. Fix the activation pattern (which units are on) and every
ReLU becomes a fixed 0/1 mask D_l = diag(mask_l); the network is then the affine map
x ↦ A x + c with A = W_L D_{L−1} W_{L−1} ⋯ D_1 W_1, and the δ's of backprop are the rows of
those fixed products. So inside one activation region backprop *has* a closed form; what varies
is how many regions an input path crosses. This module counts them exactly along a segment
(breakpoint tracking, layer by layer), gives an independent dense-grid count, builds
Telgarsky's sawtooth (2^L pieces from 2L units) and He-initialised random networks, and returns
the affine map of one region (its A computed by :func:`bpcore.backprop.delta_recursion` with
the masks as f').

The rooms of this package:

* :mod:`~bpcore.regions.relu_network` — :class:`ReluNetwork`, He and sawtooth networks, the
  product bound;
* :mod:`~bpcore.regions.counting` — :func:`count_regions` and :func:`brute_force_regions`;
* :mod:`~bpcore.regions.affine` — :func:`region_affine_map`, the closed form in one region.

Introduced in chapter 4 (Nonlinear activations).
"""

from __future__ import annotations

from bpcore.regions.affine import (
    RegionMap,
    region_affine_map,
)
from bpcore.regions.counting import (
    RegionCount,
    brute_force_regions,
    count_regions,
)
from bpcore.regions.relu_network import (
    ReluNetwork,
    he_relu_network,
    product_bound,
    sawtooth_network,
)

__all__ = [
    "RegionCount",
    "RegionMap",
    "ReluNetwork",
    "brute_force_regions",
    "count_regions",
    "he_relu_network",
    "product_bound",
    "region_affine_map",
    "sawtooth_network",
]
