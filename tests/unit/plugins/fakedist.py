"""A fake distribution built at test time: a ``*.dist-info`` folder on a path entry, declaring an
entry point of the group ``lianbao.plugins``, whose module writes a marker file and raises when it
is imported (so "never imported" is something a test can check)."""
from __future__ import annotations

import importlib
import uuid
from pathlib import Path


def make_fake_dist(root: Path, *, dist: str = "lianbao-plugin-evil", version: str = "6.6.6",
                   entry_name: str = "court-reversals") -> dict:
    """Write the distribution under ``root`` (to be put on ``sys.path``); returns
    ``{"path", "module", "marker", "dist", "version"}``."""
    root.mkdir(parents=True, exist_ok=True)
    module = "lianbao_evil_" + uuid.uuid4().hex[:8]
    marker = root / f"{module}.imported"
    (root / f"{module}.py").write_text(
        "from pathlib import Path\n"
        f"Path({str(marker)!r}).write_text('imported')\n"
        "raise RuntimeError('the impostor plug-in was imported')\n")
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[lianbao.plugins]\n{entry_name} = {module}\n")
    (info / "RECORD").write_text("")
    importlib.invalidate_caches()
    return {"path": root, "module": module, "marker": marker, "dist": dist, "version": version}
