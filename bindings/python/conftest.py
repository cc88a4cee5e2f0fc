"""Finds the generated `onward_ffi` module (bindings/run-tests writes it to ./generated)."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent / "generated"))
