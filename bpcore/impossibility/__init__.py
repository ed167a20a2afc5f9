"""What can be proved impossible: the computations behind chapter 5's four theorems.

Each theorem of the chapter fixes a vocabulary and proves that no closed form exists in it;
this package computes what the theorems talk about, exactly where exactness matters. One
module per idea; every public name is re-exported here (``from bpcore.impossibility import
stack_network`` and ``impossibility.stack_network`` both work).

* **Radicals** (:mod:`~bpcore.impossibility.galois`). :func:`galois_group_of` factors the
  characteristic polynomial of an exact rational matrix and computes the Galois group of every
  irreducible factor (sympy's ``Poly.galois_group``, degree ≤ 6), so an S5 factor shows that
  the eigenvalues of a tied linear network of width 5 have no expression in radicals
  (Abel–Ruffini); the eigenvalues stay exact as ``CRootOf``. :func:`matrix_power_entries`
  checks a power entry exactly through the integer recurrence that the characteristic
  polynomial gives (Cayley–Hamilton).
* **Holonomic sequences** (:mod:`~bpcore.impossibility.growth`). :func:`quadratic_chain` runs
  the tied width-1 network z ↦ w z² + b in exact integers (or Fractions) and
  :func:`growth_certificate` compares a sequence with the bound |a_n| ≤ (n!)^c K^n that every
  P-recursive sequence obeys.
* **Decidable vocabularies** (:mod:`~bpcore.impossibility.stack_machine`,
  :mod:`~bpcore.impossibility.stack_layer`, :mod:`~bpcore.impossibility.stack_float64`). The
  Siegelmann–Sontag stack encoding (base 4, digits 1 and 3) with the saturated-linear
  σ(x) = min(1, max(0, x)), exact in ``fractions.Fraction``: :func:`stack_network` compiles a
  finite-control stack program into ONE tied layer a ↦ σ(W a + b) with rational W, b — one
  layer per machine step — and :meth:`StackNetwork.decode` reads the machine configuration
  off any layer's activations; :func:`float64_failure` measures how many symbols float64
  survives, and :func:`reversal_run` compares the exact and float64 runs layer by layer.
* **Products of matrices** (:mod:`~bpcore.impossibility.jsr`). :func:`jsr_bounds` brackets
  the joint spectral radius by brute force over all products of length k, and counts the
  products it formed; :func:`relu_backward_factors` gives the backward factors D Wᵀ of a tied
  ReLU net.
* **Cost** (:mod:`~bpcore.impossibility.cost`). :func:`gradient_flops` is the multiply–add
  model of forward vs forward+backward for :class:`bpcore.network.MLP`;
  :func:`measure_cheap_gradient` times both in a fresh process.

Introduced in chapter 5 (What can be proved impossible).
"""

from __future__ import annotations

from bpcore.impossibility.cost import (
    CheapGradient,
    GradientFlops,
    gradient_flops,
    measure_cheap_gradient,
)
from bpcore.impossibility.galois import (  # GALOIS_MAX_DEGREE: a constant, not in __all__
    GALOIS_MAX_DEGREE,  # noqa: F401
    GaloisFactor,
    GaloisReport,
    companion_matrix,
    dedekind_cycle_types,
    galois_group_of,
    matrix_power_entries,
)
from bpcore.impossibility.growth import (
    GrowthCertificate,
    QuadraticChain,
    growth_certificate,
    quadratic_chain,
)
from bpcore.impossibility.jsr import (
    JSRBounds,
    jsr_bounds,
    jsr_bounds_by_length,
    relu_backward_factors,
)
from bpcore.impossibility.stack_float64 import (
    FloatFailure,
    StackRun,
    float64_failure,
    reversal_run,
)
from bpcore.impossibility.stack_layer import StackNetwork, relu_embedding, stack_network
from bpcore.impossibility.stack_machine import (
    OPS,
    READS,
    Configuration,
    reverse_program,
    run_reference,
    saturated_linear,
    stack_decode,
    stack_encode,
    stack_nonempty,
    stack_pop,
    stack_push,
    stack_top,
)

__all__ = [
    "OPS",
    "READS",
    "CheapGradient",
    "Configuration",
    "FloatFailure",
    "GaloisFactor",
    "GaloisReport",
    "GradientFlops",
    "GrowthCertificate",
    "JSRBounds",
    "QuadraticChain",
    "StackNetwork",
    "StackRun",
    "companion_matrix",
    "dedekind_cycle_types",
    "float64_failure",
    "galois_group_of",
    "gradient_flops",
    "growth_certificate",
    "jsr_bounds",
    "jsr_bounds_by_length",
    "matrix_power_entries",
    "measure_cheap_gradient",
    "quadratic_chain",
    "relu_backward_factors",
    "relu_embedding",
    "reversal_run",
    "reverse_program",
    "run_reference",
    "saturated_linear",
    "stack_decode",
    "stack_encode",
    "stack_network",
    "stack_nonempty",
    "stack_pop",
    "stack_push",
    "stack_top",
]
