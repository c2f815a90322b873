"""Composition root of Sportello Welfare: settings, wiring and the `sportello` command."""

__all__: list[str] = []
