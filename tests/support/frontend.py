"""The partners' published npm packages, installed once per lockfile, and esbuild bundles.

``tests/frontend/package.json`` and its ``package-lock.json`` pin what the browser tests load
(react, react-dom, react-plaid-link, @mxenabled/web-widget-sdk,
@checkout.com/checkout-web-components), the bundler (esbuild) and
Dwolla's Node SDK (dwolla-v2). ``npm ci`` installs them into a cache folder named by the hash
of those two files, ``$XDG_CACHE_HOME/bankbridge-frontend/<hash>`` (``~/.cache/...`` by
default), so a run after the first installs nothing; a changed lockfile gets a new folder.

Bundles are cached too, under the install folder: a bundle is rebuilt only when the entry
file, a file it imports from outside ``node_modules``, or the build options change.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "frontend"
# Small integrator apps (JSX entry files) that the browser tests bundle.
APPS_DIR = PACKAGE_DIR / "apps"
PACKAGE_FILES = ("package.json", "package-lock.json")
INSTALL_HINT = (
    "install Node.js 20 and npm (Debian: `apt-get install nodejs npm`; "
    "or the Node.js 20 packages from nodejs.org) and run the tests again"
)
NPM_CI = ["ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"]
# esbuild's own package finds its platform binary (an optional dependency) without the
# install script that --ignore-scripts skips.
ESBUILD_OPTIONS = (
    "--bundle",
    "--format=iife",
    "--platform=browser",
    "--target=es2020",
    "--jsx=automatic",
    "--loader:.js=jsx",
    "--log-level=warning",
)


class FrontendUnavailable(Exception):
    """Node.js or npm is missing, or the packages could not be installed."""


@dataclass(frozen=True)
class Frontend:
    """An installed copy of the test packages: run Node scripts and bundle apps against it."""

    root: Path
    node: str

    @property
    def node_modules(self) -> Path:
        """The ``node_modules`` folder every bundle and Node script resolves packages from."""
        return self.root / "node_modules"

    def bundle(
        self,
        entry: Path,
        *,
        define: Mapping[str, str] | None = None,
        production: bool = False,
    ) -> Path:
        """Bundle ``entry`` (JS/JSX/TS/TSX) and what it imports into one browser script.

        ``define`` maps global expressions to JS literals (esbuild ``--define``), e.g.
        ``{"APP_NAME": '"demo"'}``. The result is cached by content; the returned file is
        not to be modified.
        """
        entry = entry.resolve()
        defines = {"process.env.NODE_ENV": '"production"' if production else '"development"'}
        defines.update(define or {})
        options = [*ESBUILD_OPTIONS, *(f"--define:{k}={v}" for k, v in sorted(defines.items()))]
        if production:
            options.append("--minify")
        key = _digest([str(entry).encode(), *(o.encode() for o in options)])
        folder = self.root / "bundles" / key
        output, inputs_file = folder / "bundle.js", folder / "inputs.json"
        if (
            output.exists()
            and inputs_file.exists()
            and _unchanged(json.loads(inputs_file.read_text()))
        ):
            return output
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as work:
            built, meta = Path(work) / "bundle.js", Path(work) / "meta.json"
            arguments = [str(entry), *options, f"--outfile={built}", f"--metafile={meta}"]
            self._esbuild(arguments, cwd=entry.parent)
            inputs = _own_inputs(json.loads(meta.read_text()), cwd=entry.parent)
            os.replace(built, output)
        inputs_file.write_text(json.dumps(inputs))
        return output

    def run_node(
        self,
        script: Path,
        *,
        env: Mapping[str, str] | None = None,
        node_options: str = "",
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        """Run a Node.js script that ``require``s the test packages; output captured as text."""
        environment = {**os.environ, **(env or {}), "NODE_PATH": str(self.node_modules)}
        environment["NODE_OPTIONS"] = node_options
        return subprocess.run(
            [self.node, str(script)],
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _esbuild(self, arguments: list[str], cwd: Path) -> None:
        """Run the installed esbuild; packages resolve from the cached ``node_modules``."""
        command = [self.node, str(self.node_modules / "esbuild" / "bin" / "esbuild"), *arguments]
        # esbuild's CLI honours NODE_PATH like Node does: the entry needs no node_modules nearby.
        environment = {**os.environ, "NODE_PATH": str(self.node_modules)}
        result = subprocess.run(
            command,
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"esbuild failed:\n{result.stderr}")


def install_frontend() -> Frontend:
    """The installed test packages (``npm ci`` on the first call for this lockfile)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise FrontendUnavailable(f"Node.js and npm are needed but not found: {INSTALL_HINT}.")
    sources = [(PACKAGE_DIR / name).read_bytes() for name in PACKAGE_FILES]
    root = cache_root() / _digest(sources)
    if (root / "node_modules" / ".package-lock.json").exists():
        return Frontend(root, node)
    root.parent.mkdir(parents=True, exist_ok=True)
    # Install beside the final folder and rename it into place: a run that stops half-way,
    # or two runs at once, never leave a half-installed folder behind the final name.
    partial = Path(tempfile.mkdtemp(prefix=f"{root.name}.partial-", dir=root.parent))
    try:
        for name, content in zip(PACKAGE_FILES, sources, strict=True):
            (partial / name).write_bytes(content)
        try:
            result = subprocess.run(
                [npm, *NPM_CI],
                cwd=partial,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise FrontendUnavailable(f"`npm ci` took over 10 minutes: {INSTALL_HINT}.") from exc
        if result.returncode != 0:
            raise FrontendUnavailable(
                f"`npm ci` of {PACKAGE_DIR / 'package-lock.json'} failed "
                f"(exit {result.returncode}): "
                f"{result.stderr.strip()[-2000:]}\nCheck that the npm registry is reachable, "
                f"or {INSTALL_HINT}."
            )
        try:
            partial.rename(root)
        except OSError:
            if not (root / "node_modules" / ".package-lock.json").exists():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return Frontend(root, node)


def cache_root() -> Path:
    """Where installs live: ``$XDG_CACHE_HOME/bankbridge-frontend`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bankbridge-frontend"


def _digest(parts: list[bytes]) -> str:
    """A short, stable hash of several byte strings (length-prefixed, so no two lists collide)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()[:16]


def _own_inputs(metafile: dict[str, object], cwd: Path) -> dict[str, str]:
    """The bundle's inputs outside ``node_modules`` (which the lockfile pins), with hashes."""
    inputs = metafile.get("inputs")
    assert isinstance(inputs, dict)
    found = {}
    for name in inputs:
        path = (cwd / name).resolve()
        if "node_modules" not in path.parts:
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _unchanged(inputs: dict[str, str]) -> bool:
    """Whether every recorded input still has the recorded content."""
    for name, digest in inputs.items():
        path = Path(name)
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return True
