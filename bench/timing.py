"""Tiny helpers to time a call and print it the same way in every benchmark."""

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(label: str, call: Callable[[], Any], *, repeat: int = 7) -> Any:
    """Run `call` `repeat` times and print the median, the 90th percentile and the best,
    in milliseconds."""
    durations, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        durations.append((time.perf_counter() - start) * 1000)
    median, best = statistics.median(durations), min(durations)
    p90 = statistics.quantiles(durations, n=10, method="inclusive")[-1] if repeat > 1 else median
    print(f"  {label:<58} median {median:9.2f} ms   p90 {p90:9.2f} ms   best {best:9.2f} ms")
    return result


def once(label: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    print(f"  {label:<58} {time.perf_counter() - start:9.2f} s")
    return result
