"""The installed distribution's version, read once."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("thinkroom")
except PackageNotFoundError:  # running from a source tree without an install
    VERSION = "0.0.0+source"
