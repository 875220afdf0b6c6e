"""What guessing a PIN costs someone who copied the `inspectors` table: one verification
(`bench.pins.verify_pin`, scrypt n=2**14, r=8, p=1) timed on this machine, one core, and
the time to try every PIN of 4 (10^4) and 6 (10^6) digits at that rate.

At the bench itself guessing is bounded by the lockout (five wrong PINs lock a badge for
five minutes), not by this.

The figure is the KDF's cost as an attacker meets it: the fastest guess timed, against
the median on this (shared) machine. No target: it documents what the cost buys.

Usage: python -m benchmarks.pin_guess [--guesses 50] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.pins import SCRYPT_N, SCRYPT_P, SCRYPT_R, hash_pin, verify_pin
from benchmarks.figures import Figure

GUESSES = 50
KDF = f"scrypt n=2**{SCRYPT_N.bit_length() - 1}, r={SCRYPT_R}, p={SCRYPT_P}"


def seconds_per_guess(guesses: int) -> list[float]:
    stored = hash_pin("482159")
    verify_pin("000000", stored)  # the first call pays for warming up
    timings = []
    for n in range(guesses):
        began = time.perf_counter()
        verify_pin(f"{n:06d}", stored)
        timings.append(time.perf_counter() - began)
    return timings


def spoken(seconds: float) -> str:
    for unit, size in (("days", 86_400), ("hours", 3_600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:,.1f} s"


def figures(quick: bool = False, *, guesses: int = GUESSES) -> list[Figure]:
    timings = seconds_per_guess(5 if quick else guesses)
    fastest = min(timings)
    # At the fastest rate: the attacker's best case is the defender's worst.
    every = ", ".join(
        f"every {digits}-digit PIN {spoken(10**digits * fastest)}" for digits in (4, 6)
    )
    return [
        Figure.of(
            f"one offline PIN guess ({KDF}), one core, at the fastest",
            fastest * 1000,
            "ms",
            [t * 1000 for t in timings],
            "none (documents the KDF's cost)",
            None,
            "the median guess on this machine",
            statistics.median(timings) * 1000,
            f"{every}; at the bench the lockout bounds guessing, not this",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guesses", type=int, default=GUESSES, help="verifications timed")
    parser.add_argument("--quick", action="store_true", help="a small run, for a smoke test")
    args = parser.parse_args()
    (figure,) = figures(args.quick, guesses=args.guesses)
    print(f"{KDF}, one core:")
    print(
        f"  {figure.value:.1f} ms per guess at the fastest, {figure.median:.1f} ms median "
        f"(of {len(figure.samples)}; a busy machine slows the median, an attacker's core is idle)"
    )
    print(f"  {figure.note}")


if __name__ == "__main__":
    main()
