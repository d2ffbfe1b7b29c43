"""Protocol rows built from generated numbers, for the intake property tests."""

from __future__ import annotations


def balance(base: list[int], votes: list[int]) -> None:
    """Make the first four of ``base`` (registered, received, issued, cast; then invalid and
    against all) add up with ``votes``, as a clean protocol does: cast = invalid + against all
    + votes, issued >= cast, received >= issued, registered >= issued (in place)."""
    inv, against = base[4], base[5]
    cast = inv + against + sum(votes)
    issued = cast + base[1] % 3
    base[:4] = [2 * issued + base[0], issued + base[2] % 2, issued, cast]
