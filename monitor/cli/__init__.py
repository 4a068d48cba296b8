"""The command line `legal-monitor`: its arguments, its commands and their printing, over the library."""

from monitor.cli.commands import main

__all__ = ["main"]
