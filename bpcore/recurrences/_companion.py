"""Powers of the companion matrix in exact integer arithmetic: a(n) in O(log n) products.

Introduced in chapter 1 (Linear recurrences).

The state [a(n), …, a(n−k+1)]ᵀ of a(n) = c₁·a(n−1) + … + c_k·a(n−k) is Cⁿ⁻ᵏ⁺¹ times the
initial state, C the companion matrix. ``_companion_power`` forms Cᵐ explicitly;
``_x_power_mod`` keeps it in the Cayley–Hamilton form Cᵐ = Σ_j r_j·Cʲ, which is what
``LinearRecurrence.term`` uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from bpcore.recurrences._exact import Exact


def _mat_mul(A: list[list[Exact]], B: list[list[Exact]]) -> list[list[Exact]]:
    k = len(A)
    return [[sum(A[i][t] * B[t][j] for t in range(k)) for j in range(k)] for i in range(k)]


def _companion_power(c: Sequence[Exact], m: int) -> list[list[Exact]]:
    """Cᵐ (m ≥ 0) for the companion matrix with first row ``c``, by left-to-right repeated
    squaring in exact Python numbers. Multiplying by C itself only shifts rows (C·R has
    first row Σ cₜ·(row t of R) and rows 1… equal to rows 0… of R), so it is cheap."""
    k = len(c)
    R: list[list[Exact]] = [[int(i == j) for j in range(k)] for i in range(k)]
    for bit in bin(m)[2:]:
        R = _mat_mul(R, R)
        if bit == "1":
            top = [sum(c[t] * R[t][j] for t in range(k)) for j in range(k)]
            R = [top, *R[:-1]]
    return R


def _x_power_mod(c: Sequence[int], m: int) -> list[int]:
    """Coefficients r₀…r_{k−1} of xᵐ mod χ(x), χ(x) = xᵏ − c₁xᵏ⁻¹ − … − c_k (integers).

    By Cayley–Hamilton χ(C) = 0, so Cᵐ = Σ_j r_j·Cʲ: this is the companion-matrix power in
    the k-dimensional algebra spanned by I, C, …, Cᵏ⁻¹. Squaring it costs k(k+1)/2 big
    products instead of the k³ of a matrix product; reducing modulo χ and multiplying by x
    (that is, by C) only involve the small integers cᵢ.
    """
    k = len(c)

    def reduce(p: list[int]) -> list[int]:
        for d in range(len(p) - 1, k - 1, -1):
            t = p[d]
            if t:
                for i, ci in enumerate(c, start=1):
                    if ci:
                        p[d - i] += t * ci
        return p[:k] + [0] * (k - len(p))

    r = reduce([1])  # x⁰
    for bit in bin(m)[2:]:
        p = [0] * (2 * k - 1)
        for i in range(k):
            ri = r[i]
            if ri:
                p[2 * i] += ri * ri
                for j in range(i + 1, k):
                    if r[j]:
                        p[i + j] += 2 * ri * r[j]
        r = reduce(p)
        if bit == "1":
            r = reduce([0, *r])
    return r
