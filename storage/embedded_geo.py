"""SecantusDB's geo modules, loaded the first time a geo index or operator needs them.

`secantus.geo` and `secantus.geo_index` import shapely, and with it numpy and OpenBLAS (~18 MiB of the
embedded server's memory), s2sphere too; SecantusDB's storage and command modules import them at start-up
although only `2d`/`2dsphere` indexes and geo operators use them, and nothing of ours does. `defer()`,
called in the server's process before SecantusDB is imported, puts stand-ins in their place: each
stand-in offers the names SecantusDB binds at import time, and runs the real module on first use.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

# Per module: the functions SecantusDB's modules import by name at their own import time (each bound
# to a stand-in function that runs the real one); any other name loads the module when it is read.
_EARLY_FUNCTIONS = {
    "secantus.geo": ("parse_doc_geometry", "parse_query_geometry", "validate_coordinates"),
    "secantus.geo_index": (
        "encode_cell",
        "planar_2d_covering_ranges",
        "planar_2d_index_for_point",
        "s2_doc_covering",
        "s2_query_covering",
    ),
}
_lock = threading.RLock()  # RLock: loading geo_index loads geo


class GeoError(ValueError):
    """Malformed query geometry. Surfaced as ``BadValue`` to the client."""


# storage and commands catch GeoError as imported at start-up, so the real module's functions must
# raise this very class: it replaces the one the real module defines (the same ValueError subclass).
GeoError.__module__ = "secantus.geo"
_EARLY_CLASSES: dict[str, dict[str, type]] = {"secantus.geo": {"GeoError": GeoError}}


class _Deferred(types.ModuleType):
    """Stands in sys.modules for a module until one of its names is needed."""

    _real: types.ModuleType | None = None

    def _load(self) -> types.ModuleType:
        with _lock:
            if self._real is None:
                spec = self.__spec__
                assert spec is not None and spec.loader is not None
                # A fresh module object: another thread never sees one half executed.
                real = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(real)
                for name, cls in _EARLY_CLASSES.get(self.__name__, {}).items():
                    setattr(real, name, cls)
                self._real = real
                sys.modules[self.__name__] = real
            return self._real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # import machinery's probes (__path__, ...) load nothing
            raise AttributeError(name)
        return getattr(self._load(), name)


def _forwarder(module: _Deferred, name: str) -> Callable[..., Any]:
    def forward(*args: Any, **kwargs: Any) -> Any:
        return getattr(module._load(), name)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = name
    return forward


def defer() -> None:
    """Put the stand-ins in sys.modules; before anything imports SecantusDB, else nothing is saved."""
    if "secantus" in sys.modules:
        raise RuntimeError("SecantusDB is imported already: its geo modules cannot be deferred")
    # The package's own spec does not import it (its __init__ would import the geo modules).
    package = importlib.util.find_spec("secantus")
    assert package is not None and package.submodule_search_locations is not None
    for name, functions in _EARLY_FUNCTIONS.items():
        spec = importlib.machinery.PathFinder.find_spec(name, list(package.submodule_search_locations))
        if spec is None:
            raise RuntimeError(f"{name} not found: is SecantusDB's version the pinned one?")
        module = _Deferred(name)
        module.__spec__ = spec
        module.__file__ = spec.origin
        module.__loader__ = spec.loader
        module.__package__ = "secantus"
        for function in functions:
            setattr(module, function, _forwarder(module, function))
        for early, cls in _EARLY_CLASSES.get(name, {}).items():
            setattr(module, early, cls)
        sys.modules[name] = module
