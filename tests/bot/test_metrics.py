"""The /metrics text: Prometheus exposition format, counters per channel, a latency histogram, gauges."""

from __future__ import annotations

import re

from bot.metrics import Metrics

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"\})? -?[0-9.e+]+$')
HISTOGRAM = "feedback_bot_reply_seconds"


def test_empty_metrics_render_an_empty_histogram() -> None:
    lines = Metrics().render().splitlines()
    assert lines[0] == f"# TYPE {HISTOGRAM} histogram"
    assert lines[-3:] == [
        f'{HISTOGRAM}_bucket{{le="+Inf"}} 0',
        f"{HISTOGRAM}_sum 0.000000",
        f"{HISTOGRAM}_count 0",
    ]


def test_counters_per_channel_and_summary() -> None:
    metrics = Metrics()
    metrics.count("events_accepted", "telegram")
    metrics.count("events_accepted", "telegram")
    metrics.count("events_accepted", "console", 3)
    metrics.count("events_failed", "telegram")
    metrics.observe_processing(0.25)
    metrics.observe_processing(0.5)

    metrics.observe_processing(30.0)  # beyond the last bucket: only in +Inf

    text = metrics.render({"jobs_due": 3, "translation_failures": 0})
    assert text.endswith("\n")
    lines = text.splitlines()
    assert lines[:5] == [
        "# TYPE feedback_bot_events_accepted_total counter",
        'feedback_bot_events_accepted_total{channel="console"} 3',
        'feedback_bot_events_accepted_total{channel="telegram"} 2',
        "# TYPE feedback_bot_events_failed_total counter",
        'feedback_bot_events_failed_total{channel="telegram"} 1',
    ]
    buckets = {line.split('"')[1]: int(line.rsplit(" ", 1)[1]) for line in lines if "_bucket" in line}
    assert (buckets["0.1"], buckets["0.25"], buckets["0.5"], buckets["10.0"], buckets["+Inf"]) == (
        0,
        1,
        2,
        2,
        3,
    )
    assert f"{HISTOGRAM}_sum 30.750000" in lines and f"{HISTOGRAM}_count 3" in lines
    assert lines[-4:] == [
        "# TYPE feedback_bot_jobs_due gauge",
        "feedback_bot_jobs_due 3",
        "# TYPE feedback_bot_translation_failures gauge",
        "feedback_bot_translation_failures 0",
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
            assert kind in {"counter", "histogram", "gauge"}
            assert metric not in declared  # each metric declared once
            declared.add(metric)
            continue
        assert SAMPLE.match(line), line
        metric = re.split(r"[{ ]", line, maxsplit=1)[0]
        # A sample belongs to a metric declared before it (histogram samples carry _bucket/_sum/_count).
        assert metric in declared or metric.rsplit("_", 1)[0] in declared, line


def test_counts_accumulate_across_renders() -> None:
    metrics = Metrics()
    metrics.count("events_processed", "telegram")
    first = metrics.render()
    metrics.count("events_processed", "telegram")
    assert 'feedback_bot_events_processed_total{channel="telegram"} 1' in first
    assert 'feedback_bot_events_processed_total{channel="telegram"} 2' in metrics.render()
