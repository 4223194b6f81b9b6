"""MkDocs hooks: the generated pages in the navigation, and KaTeX in the site.

KaTeX is not stored in the repository and not fetched from a CDN: it is copied at build
time from an installed package, the first found of `$KATEX_DIR`, npm's
`node_modules/katex/dist` (`npm install katex`) and Debian's `libjs-katex`
(`/usr/share/javascript/katex`). The build fails loudly when none is installed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).parent))
from site_pages import ROOT, nav_api, nav_derivations  # noqa: E402

KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.js")


def katex_dir() -> Path:
    candidates = [os.environ.get("KATEX_DIR"), ROOT / "node_modules/katex/dist",
                  "/usr/share/javascript/katex"]
    for c in candidates:
        if c and all((Path(c) / f).is_file() for f in KATEX_FILES) \
                and (Path(c) / "fonts").is_dir():
            return Path(c)
    raise PluginError(
        "KaTeX not found: install Debian's libjs-katex (apt-get install libjs-katex), or "
        "run `npm install katex` in the repository, or set KATEX_DIR to a KaTeX dist folder")


def on_config(config):
    generated = {"derivations/": nav_derivations(), "api/": nav_api()}
    for i, entry in enumerate(config["nav"]):
        (title, target), = entry.items()
        if isinstance(target, str) and target in generated:
            config["nav"][i] = {title: generated[target]}
    return config


def on_files(files, config):
    src = katex_dir()
    rel = list(KATEX_FILES) + [f"fonts/{p.name}" for p in sorted((src / "fonts").iterdir())
                               if p.suffix in (".woff2", ".woff", ".ttf")]
    for r in rel:
        files.append(File.generated(config, f"assets/katex/{r}", abs_src_path=str(src / r)))
    return files
