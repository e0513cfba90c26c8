"""One way to replace a file: write a temporary beside it, fsync, rename over it, so a reader
(or a study resumed after a kill) sees the old file or the new one, never half of one."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, IO, Optional

__all__ = ["write_atomically"]


def write_atomically(path, write: Callable[[IO[str]], object], newline: Optional[str] = None) -> None:
    """Writes ``path`` through ``write(file)`` (a text file) atomically; the temporary is
    removed if ``write`` fails."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "w", newline=newline) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
