"""Process counters exposed at /metrics in the Prometheus text format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Metrics:
    counters: Counter[tuple[str, str]] = field(default_factory=Counter)
    processing_seconds_sum: float = 0.0
    processing_count: int = 0

    def count(self, name: str, channel: str, amount: int = 1) -> None:
        self.counters[(name, channel)] += amount

    def observe_processing(self, seconds: float) -> None:
        self.processing_seconds_sum += seconds
        self.processing_count += 1

    def render(self) -> str:
        lines: list[str] = []
        for name in sorted({name for name, _ in self.counters}):
            metric = f"feedback_bot_{name}_total"
            lines.append(f"# TYPE {metric} counter")
            for (counter, channel), value in sorted(self.counters.items()):
                if counter == name:
                    lines.append(f'{metric}{{channel="{channel}"}} {value}')
        lines.append("# TYPE feedback_bot_event_processing_seconds summary")
        lines.append(f"feedback_bot_event_processing_seconds_sum {self.processing_seconds_sum:.6f}")
        lines.append(f"feedback_bot_event_processing_seconds_count {self.processing_count}")
        return "\n".join(lines) + "\n"
