"""``python3 -m hphtsim sweep|plot|run ...`` (see hphtsim.cli)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
