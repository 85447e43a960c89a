"""floec: a compiler for data-platform configuration."""

__version__ = "0.1.0"
