"""Anagen: a practice system for trichology clinics running scalp mesotherapy programmes."""

__version__ = "0.1.0"
