"""The HTTP API: yente-compatible matching plus registry reads, behind API keys and roles."""
