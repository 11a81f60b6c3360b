"""The wheel's build hook: compile the German catalog (`dispatch/locale/*/LC_MESSAGES/*.po`)
into the `dispatch.mo` an installed dispatch reads, so its first start compiles nothing.

Loads `dispatch/i18n_compile.py` by its path: the build environment has Babel (the hook's
dependency) but not dispatch or its other dependencies.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location(
            "dispatch_i18n_compile", root / "dispatch" / "i18n_compile.py"
        )
        assert spec is not None and spec.loader is not None
        compiler = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(compiler)
        for mo in compiler.compile_all(root / "dispatch" / "locale"):
            # the .mo is ignored by git (a build product), so name it for the wheel
            build_data["force_include"][str(mo)] = str(mo.relative_to(root))
