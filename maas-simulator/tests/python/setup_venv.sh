#!/usr/bin/env bash
# Create (or update) a Python virtualenv with python-libmaas 0.6.8 for tests/python_libmaas.rs.
#
#   maas-simulator/tests/python/setup_venv.sh VENV_DIR
#   export LIBMAAS_PYTHON=VENV_DIR/bin/python
#
# setuptools is installed too: python-libmaas 0.6.8 imports distutils, which newer Pythons
# only get from setuptools. Set PYTHON to choose the interpreter (default python3).
set -euo pipefail

venv=${1:?usage: setup_venv.sh VENV_DIR}
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "python-libmaas==0.6.8" setuptools
"$venv/bin/python" -c "import maas.client, maas.client.viscera" \
    || { echo "python-libmaas does not import in $venv" >&2; exit 1; }
echo "LIBMAAS_PYTHON=$venv/bin/python"
