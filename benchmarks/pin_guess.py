"""What guessing a PIN costs someone who copied the `inspectors` table: one verification
(`bench.pins.verify_pin`, scrypt n=2**14, r=8, p=1) timed on this machine, one core, and
the time to try every PIN of 4 (10^4) and 6 (10^6) digits at that rate.

At the bench itself guessing is bounded by the lockout (five wrong PINs lock a badge for
five minutes), not by this.

Usage: python -m benchmarks.pin_guess [--guesses 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.pins import SCRYPT_N, SCRYPT_P, SCRYPT_R, hash_pin, verify_pin
from benchmarks.figures import Figure

# Every 4-digit PIN at the fastest rate: the lockout, not scrypt, guards a 4-digit PIN at
# the bench; copied off it, trying them all must take minutes, not seconds.
TARGET_FOUR_DIGITS_S = 60.0


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


def figures(quick: bool = False) -> list[Figure]:
    timings = [seconds * 1000 for seconds in seconds_per_guess(10 if quick else 50)]
    fastest = min(timings)
    return [
        Figure.of(
            "one offline PIN guess (scrypt), one core, at the fastest",
            fastest,
            "ms",
            timings,
            f"every 4-digit PIN ≥ {TARGET_FOUR_DIGITS_S:.0f} s",
            10**4 * fastest / 1000 >= TARGET_FOUR_DIGITS_S,
            note=f"every 4-digit PIN {spoken(10**4 * fastest / 1000)}, "
            f"every 6-digit PIN {spoken(10**6 * fastest / 1000)}",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guesses", type=int, default=50, help="verifications timed")
    args = parser.parse_args()
    timings = seconds_per_guess(args.guesses)
    median, fastest = statistics.median(timings), min(timings)
    print(f"scrypt n=2**{SCRYPT_N.bit_length() - 1}, r={SCRYPT_R}, p={SCRYPT_P}, one core:")
    print(
        f"  {fastest * 1000:.1f} ms per guess at the fastest, {median * 1000:.1f} ms median "
        f"(of {len(timings)}; a busy machine slows the median, an attacker's core is idle)"
    )
    # At the fastest rate: the attacker's best case is the defender's worst.
    for digits in (4, 6):
        print(f"  every {digits}-digit PIN (10^{digits}): {spoken(10**digits * fastest)}")


if __name__ == "__main__":
    main()
