"""Exact numbers for the law: percentages and divisors read from law files, and their display.

A law file writes ``7%``, ``"0.7%"``, ``0.07``, ``7`` or ``1.4``. Every one of them becomes a
:class:`~fractions.Fraction` through :class:`~decimal.Decimal`, never through a binary float, so
``1.4`` is exactly ``7/5`` and ``0.7 %`` is exactly ``7/1000``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from shailoo.domain.errors import LawError

Number = int | Fraction


def exact(value: object, *, key: str, source: str) -> Fraction:
    """Turn a TOML value (int, Decimal from ``parse_float``, or a string) into a Fraction.

    Strings may be a decimal (``"1.4"``) or a ratio (``"7/5"``). Booleans and binary floats are
    refused: a float has already lost the exact value the lawyer wrote.
    """
    if isinstance(value, bool | float):
        raise LawError(f"{source}: {key} = {value!r} is not an exact number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise LawError(f"{source}: {key} = {value} is not a finite number")
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        try:
            if "/" in text:
                num, den = text.split("/", 1)
                return Fraction(int(num), int(den))
            return Fraction(Decimal(text))
        except (ValueError, ZeroDivisionError, InvalidOperation):
            raise LawError(f"{source}: {key} = {value!r} is not a number") from None
    raise LawError(f"{source}: {key} = {value!r} is not a number")


def _written(value: object) -> str:
    """The value as the law file wrote it, for notes (``0.05``, ``"5%"``)."""
    return f'"{value}"' if isinstance(value, str) else str(value)


def percent(value: object, *, key: str, source: str) -> Fraction:
    """Read a value that is always a percentage: ``"7%"``, ``7``, ``7.0`` or ``"0.7 %"``.

    The result is the share as a fraction of one (``7`` gives ``7/100``). Thresholds use
    :func:`read_share` instead, which also accepts fractions of one.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            text = text[:-1]
        share = exact(text, key=key, source=source) / 100
    else:
        share = exact(value, key=key, source=source) / 100
    if share < 0 or share > 1:
        raise LawError(f"{source}: {key} = {value!r} must be between 0 % and 100 %")
    return share


#: below this a bare number is a fraction of one, from it up a percentage. National and
#: district thresholds below 1 % do not occur in practice, so ``0.05`` is 5 % and ``5`` is 5 %;
#: regional thresholds of 10 % or more do not occur, so ``0.007`` is 0.7 % and ``0.7`` is 0.7 %.
FRACTION_BELOW = {"threshold": Fraction(1), "regional_threshold": Fraction(1, 10)}


def read_share(value: object, *, key: str, source: str, below: Fraction) -> tuple[Fraction, str]:
    """Read a threshold or a share written by anyone; return ``(share of one, note)``.

    The documented rule (docs/law-files.md, *Numbers*): a text with ``%`` is a percentage
    (``"5%"``, ``"0.7 %"``); a bare number, or a text without ``%``, is a fraction of one when it
    is below ``below`` and a percentage from ``below`` up. The note says how the value was read,
    e.g. ``threshold 0.05 read as 5 %``, so a reader can see the engine understood the lawyer.
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        share = exact(value.strip()[:-1], key=key, source=source) / 100
        how = "a percentage (it has a % sign)"
    else:
        number = exact(value, key=key, source=source)
        if number < below:
            share = number
            how = f"a fraction of one (a bare number below {decimal_plain(below)})"
        else:
            share = number / 100
            how = f"a percentage (a bare number of {decimal_plain(below)} or more)"
    if share < 0 or share > 1:
        raise LawError(f"{source}: {key} = {value!r} must be between 0 % and 100 %")
    return share, f"{key} {_written(value)} read as {law_percent_text(share)}: {how}"


def decimal_plain(value: Fraction) -> str:
    """An exact number with as few decimals as it needs (``1``, ``0.1``); a ratio otherwise."""
    for places in range(0, 8):
        if (value * 10**places).denominator == 1:
            return decimal_text(value, places)
    return f"{value.numerator}/{value.denominator}"


def to_json(value: Number | None) -> int | str | None:
    """JSON form of an exact number: an int stays an int, a Fraction becomes ``"p/q"``."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        return f"{value.numerator}/{value.denominator}"
    return value


def decimal_text(value: Number, places: int = 2) -> str:
    """Show an exact number with ``places`` decimals, rounded half to even (display only)."""
    q = Fraction(value)
    scaled = q * 10**places
    whole = round(scaled)  # Fraction.__round__ rounds half to even, exactly
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    if places == 0:
        return f"{sign}{whole}"
    text = str(whole).rjust(places + 1, "0")
    return f"{sign}{text[:-places]}.{text[-places:]}"


def percent_text(share: Number, places: int = 2) -> str:
    """Show a share of one as a percentage, e.g. ``Fraction(7, 100)`` as ``7.00 %``."""
    return f"{decimal_text(Fraction(share) * 100, places)} %"


def law_percent_text(share: Fraction) -> str:
    """Show a threshold as the law wrote it: ``7 %``, ``0.7 %`` (no trailing zeros)."""
    value = share * 100
    if value.denominator == 1:
        return f"{value.numerator} %"
    for places in range(1, 8):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return f"{decimal_text(value, places)} %"
    return f"{value.numerator}/{value.denominator} %"
