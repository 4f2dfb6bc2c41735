"""Process metrics exposed at /metrics in the Prometheus text format."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field

# Seconds from an accepted event to its reply handed to the platform.
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    counters: Counter[tuple[str, str]] = field(default_factory=Counter)
    processing_seconds_sum: float = 0.0
    processing_count: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))

    def count(self, name: str, channel: str, amount: int = 1) -> None:
        self.counters[(name, channel)] += amount

    def observe_processing(self, seconds: float) -> None:
        self.processing_seconds_sum += seconds
        self.processing_count += 1
        index = bisect.bisect_left(BUCKETS, seconds)
        if index < len(BUCKETS):
            self.buckets[index] += 1

    def render(self, gauges: dict[str, float] | None = None) -> str:
        lines: list[str] = []
        for name in sorted({name for name, _ in self.counters}):
            metric = f"feedback_bot_{name}_total"
            lines.append(f"# TYPE {metric} counter")
            for (counter, channel), value in sorted(self.counters.items()):
                if counter == name:
                    lines.append(f'{metric}{{channel="{channel}"}} {value}')
        metric = "feedback_bot_reply_seconds"
        lines.append(f"# TYPE {metric} histogram")
        running = 0
        for bound, count in zip(BUCKETS, self.buckets, strict=True):
            running += count
            lines.append(f'{metric}_bucket{{le="{bound}"}} {running}')
        lines.append(f'{metric}_bucket{{le="+Inf"}} {self.processing_count}')
        lines.append(f"{metric}_sum {self.processing_seconds_sum:.6f}")
        lines.append(f"{metric}_count {self.processing_count}")
        for gauge, reading in sorted((gauges or {}).items()):
            lines.append(f"# TYPE feedback_bot_{gauge} gauge")
            lines.append(f"feedback_bot_{gauge} {reading:g}")
        return "\n".join(lines) + "\n"
