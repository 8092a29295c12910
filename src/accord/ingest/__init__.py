"""News in: a news text read into a patch of proposed, quoted edits (``accord ingest``), and
a reviewed patch applied to a scenario (``accord apply``)."""

from accord.ingest.patch import PatchError, apply_patch, ingest_text, load_patch, write_patch

__all__ = ["PatchError", "apply_patch", "ingest_text", "load_patch", "write_patch"]
