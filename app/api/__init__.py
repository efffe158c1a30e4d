"""HTTP API: health, metrics and REST under /api/v1."""
