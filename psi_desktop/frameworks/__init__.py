"""Framework definitions: loading and validating resources/frameworks/*.json."""

from psi_desktop.frameworks.loader import (
    DEFAULT_FRAMEWORK_ID,
    FORMAT,
    FORMAT_VERSION,
    FrameworkError,
    FrameworkRegistry,
    default_framework,
    default_registry,
    framework_to_data,
    load_framework_file,
    load_frameworks,
    parse_framework,
)

__all__ = [
    "DEFAULT_FRAMEWORK_ID",
    "FORMAT",
    "FORMAT_VERSION",
    "FrameworkError",
    "FrameworkRegistry",
    "default_framework",
    "default_registry",
    "framework_to_data",
    "load_framework_file",
    "load_frameworks",
    "parse_framework",
]
