"""The `services` component: HTTP calls to the configured services, over aiohttp.

`component.py` is `ServicesComponent`, `config.py` the parsed `services` block, `response.py`
what a call returns. Nothing is imported here, so naming the package does not import aiohttp.
"""
