"""A registry of kinds by name whose modules are imported on first use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class Kinds(Mapping[str, T], Generic[T]):
    """`kind name -> class`, written as `kind name -> "module:Class"` (the module relative to
    `package`). Listing the names imports nothing; looking one up imports the module that
    defines it, once, so a config that uses only some kinds never loads the others (nor the
    libraries they parse with)."""

    def __init__(self, package: str, where: dict[str, str]):
        self._package = package
        self._where = dict(where)
        self._loaded: dict[str, T] = {}

    def __getitem__(self, name: str) -> T:
        if name not in self._loaded:
            module, _, attr = self._where[name].partition(":")
            self._loaded[name] = getattr(import_module(module, self._package), attr)
        return self._loaded[name]

    def __contains__(self, name: Any) -> bool:
        return name in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __repr__(self) -> str:
        return f"Kinds({self._where!r})"


def lazy_names(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A package's module `__getattr__` (PEP 562) for the names of its face that only some commands
    use: `name -> ".module:name"`; the module is imported when the name is first read."""
    names: Kinds[Any] = Kinds(package, where)

    def __getattr__(name: str) -> Any:
        if name in names:
            return names[name]
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return __getattr__
