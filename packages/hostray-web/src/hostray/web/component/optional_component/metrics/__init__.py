"""The `metrics` component: Prometheus metrics of the server.

`component.py` is `MetricsComponent`, `collectors.py` what it reads at scrape time,
`processes.py` the multiprocess directory of `--processes N`. Nothing is imported here, so
naming the package (as the CLI does for `processes.py`) does not import prometheus-client.
"""
