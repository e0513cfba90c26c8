"""Builds hphtsim._core with CMake (the repository root is this file's parent directory) and
installs it with the pure-Python package. See pyproject.toml for the pip command."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def project_version() -> str:
    m = re.search(r"project\(\s*hphtsim\s+VERSION\s+([0-9.]+)", (ROOT / "CMakeLists.txt").read_text())
    return m.group(1) if m else "0.0.0"


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = Path(self.get_ext_fullpath(ext.name)).resolve()
        build_dir = Path(self.build_temp).resolve() / "cmake"
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build_dir), *generator,
                               "-DCMAKE_BUILD_TYPE=Release", f"-DPython_EXECUTABLE={sys.executable}",
                               "-DHPHTSIM_ENABLE_TESTS=OFF", "-DHPHTSIM_ENABLE_BENCHMARKS=OFF",
                               "-DHPHTSIM_ENABLE_PYTHON=ON"])
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_core", "-j", jobs])
        built = sorted((build_dir / "python" / "hphtsim").glob("_core*.so"))
        if not built:
            raise RuntimeError(f"CMake built no _core module under {build_dir}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], target)


setup(version=project_version(), ext_modules=[CMakeExtension("hphtsim._core")], cmdclass={"build_ext": CMakeBuild})
