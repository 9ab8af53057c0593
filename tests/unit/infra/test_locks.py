"""The two dependency locks: runtime (requirements.lock, what the image installs) and test + demo
(requirements-test.lock), each compiled by pip-tools from its ``.in`` file (``make lock``)."""
import re
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(30)

ROOT = Path(__file__).resolve().parents[3]
TEST_ONLY = {"pytest", "pytest-timeout", "hypothesis", "schemathesis", "openapi-spec-validator", "matplotlib"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(path: Path) -> dict:
    """``{name: spec}`` of a requirements file (comments, options and ``via`` lines left out)."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", line)
        out[_norm(m.group(1))] = m.group(2).strip()
    return out


def _pins(path: Path) -> dict:
    pins = _requirements(path)
    loose = {n: s for n, s in pins.items() if not s.startswith("==")}
    assert not loose, f"{path.name}: not pinned: {loose}"
    return {n: s[2:] for n, s in pins.items()}


def test_every_input_is_pinned_in_its_lock_and_the_locks_agree():
    runtime, test = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-test.lock")
    assert set(_requirements(ROOT / "requirements.in")) <= set(runtime)
    assert set(_requirements(ROOT / "requirements-test.in")) <= set(test)
    differ = {n: (runtime[n], test[n]) for n in set(runtime) & set(test) if runtime[n] != test[n]}
    assert not differ, f"the locks pin these differently: {differ}"


def test_the_runtime_lock_holds_no_test_or_demo_package():
    runtime = _pins(ROOT / "requirements.lock")
    assert not TEST_ONLY & set(runtime), sorted(TEST_ONLY & set(runtime))
    assert TEST_ONLY <= set(_pins(ROOT / "requirements-test.lock"))


def test_pyproject_declares_what_the_inputs_list():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_norm(re.match(r"[A-Za-z0-9_.\-]+", d).group(0)) for d in project["dependencies"]}
    assert declared == set(_requirements(ROOT / "requirements.in"))
    extras = {_norm(re.match(r"[A-Za-z0-9_.\-]+", d).group(0))
              for group in ("test", "demo") for d in project["optional-dependencies"][group]}
    assert extras == set(_requirements(ROOT / "requirements-test.in"))


def test_every_forced_pin_says_why():
    text = (ROOT / "requirements.in").read_text().splitlines()
    for i, line in enumerate(text):
        if re.match(r"(werkzeug|setuptools)\b.*<", line):
            assert text[i - 1].startswith("#") and "nameko" in text[i - 1] + text[i - 2], line


def test_the_image_installs_the_runtime_lock_only_and_make_and_ci_both():
    docker = "\n".join(line for line in (ROOT / "infra" / "Dockerfile").read_text().splitlines()
                       if not line.lstrip().startswith("#"))
    assert "-r requirements.lock" in docker and "requirements-test" not in docker
    for name in ("Makefile", ".ci/run"):
        text = (ROOT / name).read_text()
        assert "-r requirements.lock -r requirements-test.lock" in text, name


def test_every_package_the_code_imports_is_an_input():
    """A third-party module imported by the services, shared/ or the ``lianbao`` command comes from
    a package requirements.in names (the demo's from requirements-test.in): none arrives only
    because another package happens to pull it in."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    runtime = set(_requirements(ROOT / "requirements.in"))
    demo = set(_requirements(ROOT / "requirements-test.in"))
    distributions = packages_distributions()
    missing = []
    for folder in ("services", "shared", "lianbao"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for top in {name.split(".")[0] for name in names}:
                    if top in sys.stdlib_module_names or top in ("services", "shared", "lianbao"):
                        continue
                    owners = {_norm(d) for d in distributions.get(top, [top])}
                    allowed = runtime | (demo if "demo" in path.parts else set())
                    if not owners & allowed:
                        missing.append(f"{path.relative_to(ROOT)}: {top}")
    assert missing == []
