# Sourced by the build and test scripts: keep Jupyter, IPython and matplotlib state out of the
# home directory (and out of the repository), and make runs deterministic.
state="$(mktemp -d "${TMPDIR:-/tmp}/bpcourse-state.XXXXXX")"
export JUPYTER_CONFIG_DIR="$state/jupyter-config" JUPYTER_DATA_DIR="$state/jupyter-data"
export JUPYTER_RUNTIME_DIR="$state/jupyter-runtime" IPYTHONDIR="$state/ipython"
export MPLCONFIGDIR="$state/matplotlib" PYTHONHASHSEED=0 PYDEVD_DISABLE_FILE_VALIDATION=1
export JUPYTER_PLATFORM_DIRS=1
export PATH="$PWD/.venv/bin:$PATH"
trap 'rm -rf "$state"' EXIT
