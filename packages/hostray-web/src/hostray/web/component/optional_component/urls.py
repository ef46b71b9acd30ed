"""URL helpers shared by the optional components: hostray-config's one way to hide secrets."""

from __future__ import annotations

from hostray.config import mask_url

__all__ = ["mask_url"]
