"""Benchmarks: check cycles, a side-by-side with urlwatch, and alert latency, all on 127.0.0.1."""
