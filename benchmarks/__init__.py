"""labrace's benchmarks: the solver against SciPy and a plain sweep, the model step against the numpy limit
and a naive Mesa model, planning cost, and tournament throughput. Run ``python -m benchmarks [--quick]``;
results go to ``docs/benchmarks.md`` and ``docs/benchmarks.json``.
"""
