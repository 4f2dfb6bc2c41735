"""The /metrics text: Prometheus exposition format, counters per channel and a processing summary."""

from __future__ import annotations

import re

from bot.metrics import Metrics

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"\})? -?[0-9.e+]+$')


def test_empty_metrics_render_the_summary_only() -> None:
    assert Metrics().render() == (
        "# TYPE feedback_bot_event_processing_seconds summary\n"
        "feedback_bot_event_processing_seconds_sum 0.000000\n"
        "feedback_bot_event_processing_seconds_count 0\n"
    )


def test_counters_per_channel_and_summary() -> None:
    metrics = Metrics()
    metrics.count("events_accepted", "telegram")
    metrics.count("events_accepted", "telegram")
    metrics.count("events_accepted", "console", 3)
    metrics.count("events_failed", "telegram")
    metrics.observe_processing(0.25)
    metrics.observe_processing(0.5)

    text = metrics.render()
    assert text.endswith("\n")
    lines = text.splitlines()
    assert lines == [
        "# TYPE feedback_bot_events_accepted_total counter",
        'feedback_bot_events_accepted_total{channel="console"} 3',
        'feedback_bot_events_accepted_total{channel="telegram"} 2',
        "# TYPE feedback_bot_events_failed_total counter",
        'feedback_bot_events_failed_total{channel="telegram"} 1',
        "# TYPE feedback_bot_event_processing_seconds summary",
        "feedback_bot_event_processing_seconds_sum 0.750000",
        "feedback_bot_event_processing_seconds_count 2",
    ]


def test_every_line_is_a_type_comment_or_a_valid_sample() -> None:
    metrics = Metrics()
    for name, channel in [("events_processed", "telegram"), ("events_duplicate", "whatsapp")]:
        metrics.count(name, channel)
    metrics.observe_processing(1e-7)
    declared: set[str] = set()
    for line in metrics.render().splitlines():
        if line.startswith("# TYPE "):
            _, _, metric, kind = line.split(" ")
            assert kind in {"counter", "summary"}
            assert metric not in declared  # each metric declared once
            declared.add(metric)
            continue
        assert SAMPLE.match(line), line
        metric = re.split(r"[{ ]", line, maxsplit=1)[0]
        # A sample belongs to a metric declared before it (summary samples carry _sum/_count).
        assert metric in declared or metric.rsplit("_", 1)[0] in declared, line


def test_counts_accumulate_across_renders() -> None:
    metrics = Metrics()
    metrics.count("events_processed", "telegram")
    first = metrics.render()
    metrics.count("events_processed", "telegram")
    assert 'feedback_bot_events_processed_total{channel="telegram"} 1' in first
    assert 'feedback_bot_events_processed_total{channel="telegram"} 2' in metrics.render()
