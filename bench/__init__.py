"""bench: the software at each inspection station of a device trade-in warehouse."""

__version__ = "0.1.0"
