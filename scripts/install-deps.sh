#!/usr/bin/env bash
# Installs every build, test and Python dependency of hphtsim from Debian's archive.
# Idempotent: packages already present are skipped by apt-get. Needs root (or sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(
  g++ cmake ninja-build pkg-config git
  libeigen3-dev libhdf5-dev hdf5-tools libyaml-cpp-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev python3-pybind11 python3-dev python3-venv python3-pip python3-setuptools python3-wheel
  python3-numpy python3-h5py python3-yaml python3-pandas python3-xarray python3-matplotlib python3-pytest
  python3-distributed python3-mpi4py python3-scipy python3-emcee python3-jsonschema
  clang-14 libclang-rt-14-dev libomp-14-dev llvm-14
)
# clang-14 + libclang-rt-14-dev (libFuzzer: libclang_rt.fuzzer*.a, and the sanitizer runtimes),
# libomp-14-dev (clang's OpenMP), llvm-14 (llvm-symbolizer for sanitizer reports): the fuzz
# build of scripts/fuzz.sh.
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
