"""mia_lib installs as a package: build the wheel, install it into a fresh venv, import it all.

The wheel is built offline from a copy of the sources (``pip wheel --no-deps
--no-build-isolation``, with the setuptools of this environment), so that no ``build/`` or
``*.egg-info`` lands in the working tree. The fresh venv sees this environment's
site-packages for the dependencies (numpy, torch, ...) through a ``.pth`` line, which does
not activate the editable install of the checkout; the check runs in isolated mode (``-I``)
from a temporary folder, so the only ``mia_lib`` it can import is the installed wheel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mia_lib"
DATA_SUFFIXES = (".toml", ".json", ".csv")

pytestmark = pytest.mark.slow


def _source_files() -> tuple[list[str], list[str]]:
    """Modules and data files under mia_lib/, as paths relative to the repository root."""
    modules, data = [], []
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(ROOT).as_posix()
        if path.suffix == ".py":
            modules.append(rel)
        elif path.suffix in DATA_SUFFIXES:
            data.append(rel)
    return modules, data


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / "mia_lib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    cmd += ["--no-index", "--quiet", "--wheel-dir", str(dist), str(src)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"pip wheel failed:\n{done.stdout}\n{done.stderr}"
    wheels = list(dist.glob("mia_lib-*.whl"))
    assert len(wheels) == 1, f"expected one mia_lib wheel in {dist}, found {wheels}"
    return wheels[0]


def test_wheel_holds_every_module_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules, data = _source_files()
    missing = [f for f in modules + data if f not in names]
    assert not missing, (
        f"the wheel lacks {missing}: a package without __init__.py, or a data suffix not in "
        "[tool.setuptools.package-data] of pyproject.toml"
    )


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; dependencies come from this environment."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Dependencies from this environment's site-packages: a plain path line, so that the
    # .pth files there (the editable install of the checkout among them) are not processed.
    (Path(site) / "_main_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    cmd = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    cmd += ["--no-index", "--quiet", str(wheel)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"pip install of the wheel failed:\n{done.stdout}\n{done.stderr}"
    return python


CHECK = textwrap.dedent(
    """
    import importlib, importlib.resources, json, pkgutil, sys
    import mia_lib
    modules, errors = ["mia_lib"], {}
    for info in pkgutil.walk_packages(mia_lib.__path__, "mia_lib."):
        modules.append(info.name)
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            errors[info.name] = f"{type(exc).__name__}: {exc}"
    data = []
    def walk(node, rel):
        for child in node.iterdir():
            if child.is_dir():
                walk(child, rel + child.name + "/")
            elif child.name.endswith((".toml", ".json", ".csv")):
                child.read_bytes()
                data.append(rel + child.name)
    walk(importlib.resources.files("mia_lib"), "mia_lib/")
    print(json.dumps({"file": mia_lib.__file__, "modules": modules, "errors": errors,
                      "data": sorted(data)}))
    """
)


def test_installed_wheel_imports_every_module_and_reads_its_data(installed, tmp_path):
    done = subprocess.run(
        [str(installed), "-I", "-c", CHECK],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, f"the check failed in the fresh venv:\n{done.stderr}"
    got = json.loads(done.stdout.strip().splitlines()[-1])
    venv_dir = installed.parent.parent
    assert Path(got["file"]).is_relative_to(venv_dir), (
        f"mia_lib was imported from {got['file']}, not from the venv {venv_dir}: "
        "the check did not test the wheel"
    )
    assert not got["errors"], f"modules that fail to import from the wheel: {got['errors']}"
    modules, data = _source_files()
    want = {
        f[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        for f in modules
        if not f.endswith("__main__.py")
    }
    missing = sorted(want - set(got["modules"]))
    assert not missing, f"modules of the checkout not importable from the wheel: {missing}"
    missing_data = sorted(set(data) - set(got["data"]))
    assert not missing_data, f"data files of the checkout not installed: {missing_data}"


def test_installed_command_line_answers_help(installed, tmp_path):
    done = subprocess.run(
        [str(installed), "-I", "-m", "mia_lib", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, f"python -m mia_lib --help failed:\n{done.stderr}"
    assert "replicate" in done.stdout
