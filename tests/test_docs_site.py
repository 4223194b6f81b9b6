"""The documentation site, built once per run with `mkdocs build --strict` and opened in
headless Chromium at 1280 px: every page loads with no console error, every internal link
and anchor resolves, every formula is rendered by KaTeX (with its stylesheet: no formula
shown twice, no raw TeX left, no display formula wider than the page), the navigation and
the page titles read in plain words, the derivation pages show their reference code with
the docstring rendered, every name an API page mentions is a link, and screenshots of the
D11 and D17 pages are written to ``SCREENSHOTS``.

The whole module is marked ``full``: the build and the crawl cost about 35 CPU-seconds (a
third of the default run), so they run with ``pytest --full``, as CI does. The pages'
sources are checked in the default run too (tests/test_docs_*.py): code blocks, notes,
formulas, the committed reports.

One build and one crawl serve every pytest-xdist worker: the first worker that needs them
builds the site and opens every page under a file lock, in a folder of the run's temporary
directory keyed by the content of the docs' inputs; the others read what it recorded
(pytest-xdist's recipe for session fixtures).

Chromium and its driver are Debian's ``chromium`` and ``chromium-driver`` (``.ci/run``
installs them, and ``libjs-katex`` for the math). Where they are missing the browser tests
skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = Path(tempfile.gettempdir()) / "backprop-ref-docs"
SCREENSHOT = SCREENSHOTS / "derivation-D11.png"
CI = os.environ.get("CI", "").lower() == "true"
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
WIDTH = 1280
#: what the build reads: a change to any of these makes a new build
INPUTS = ("mkdocs.yml", "docs", "backprop_ref", "comparisons", "benchmarks", "tests")


def unavailable(reason: str):
    """Skip, or fail under CI=true, where the browser tests must run."""
    if CI:
        pytest.fail(f"{reason} (CI=true: the docs must be built and checked)")
    pytest.skip(reason)


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build_site(out: Path, config_file: Path = ROOT / "mkdocs.yml") -> list[str]:
    """`mkdocs build --strict`, in this process (numpy, torch and the backends' memo are
    already loaded: half the time of a subprocess). Returns the warnings; raises
    `mkdocs.exceptions.Abort` when the strict build fails."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.environ.update(QUIET)
    warnings = _Warnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(warnings)
    cwd = os.getcwd()
    os.chdir(config_file.parent)          # the config's paths are relative to its folder
    try:
        build(load_config(str(config_file), site_dir=str(out), strict=True))
    finally:
        os.chdir(cwd)
        logger.removeHandler(warnings)
    return warnings.messages


class _Unavailable(Exception):
    """A tool the docs tests need is not installed (skip, or fail under CI=true)."""


# ------------------------------------------------------------------ one build, one crawl
def inputs_key() -> str:
    """A digest of every file the build reads (sources, pages, the committed reports)."""
    digest = hashlib.sha256()
    for name in INPUTS:
        top = ROOT / name
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def shared_once(tmp_path_factory, name: str, make) -> dict:
    """``make(folder)`` run by the first worker that asks, under a lock; the JSON record
    of what happened (the data, a reason to skip, a failure) read by every other."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):    # a worker's base: one folder per worker
        base = base.parent
    folder = base / f"docs-site-{inputs_key()}"
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / f"{name}.json"
    with FileLock(str(folder / f"{name}.lock")):
        if not record.exists():
            try:
                result = {"data": make(folder)}
            except _Unavailable as exc:
                result = {"unavailable": str(exc)}
            except Exception as exc:  # noqa: BLE001 - recorded, and failed in every worker
                result = {"failed": f"{type(exc).__name__}: {exc}"}
            record.write_text(json.dumps(result), encoding="utf-8")
    result = json.loads(record.read_text(encoding="utf-8"))
    if "unavailable" in result:
        unavailable(result["unavailable"])
    if "failed" in result:
        pytest.fail(f"{name}: {result['failed']}")
    return result["data"]


def _build(folder: Path) -> dict:
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_gen_files"):
        try:
            importlib.import_module(module)
        except ImportError:
            raise _Unavailable(f"{module} is not installed: pip install -e '.[docs]'") \
                from None
    from mkdocs.exceptions import Abort, PluginError

    out = folder / "site"
    try:
        warnings = build_site(out)
    except PluginError as exc:
        if "KaTeX not found" in str(exc):
            raise _Unavailable("KaTeX is not installed: apt-get install libjs-katex, or npm "
                               "install katex") from None
        raise
    except Abort as exc:
        raise RuntimeError(f"mkdocs build --strict failed: {exc}") from None
    return {"site": str(out), "warnings": warnings}


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    built = shared_once(tmp_path_factory, "build", _build)
    assert not built["warnings"], built["warnings"]
    return Path(built["site"])


class _Server:
    """The built site over HTTP on a free port, in a thread."""

    def __init__(self, site: Path):
        handler = functools.partial(_QuietHandler, directory=str(site))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site.  Material's search costs half of Chromium's CPU time on every page
    load (0.36 of 0.77 CPU-seconds a page, measured): a worker that loads lunr and indexes
    the whole site.  The first page that asks gets the real worker and index, so search is
    exercised once, console errors and all; later pages get the same index with no
    documents and a stand-in worker that speaks the real one's protocol (setup → ready, a
    query → no results)."""

    index_served = worker_served = False
    STAND_IN_WORKER = (b"addEventListener('message', e => postMessage("
                       b"e.data.type === 0 ? {type: 1} : {type: 3, data: {items: []}}));")

    def log_message(self, *args):
        pass

    def end_headers(self):
        if "/search/" in self.path or "/workers/search." in self.path:
            self.send_header("Cache-Control", "no-store")   # asked for again on every page
        super().end_headers()

    def _send(self, body: bytes, content_type: str):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.endswith("/search/search_index.json") and _QuietHandler.index_served:
            real = json.loads(Path(self.translate_path(self.path)).read_text("utf-8"))
            self._send(json.dumps({"config": real["config"], "docs": []}).encode(),
                       "application/json")
            return
        if "/workers/search." in self.path and _QuietHandler.worker_served:
            self._send(self.STAND_IN_WORKER, "text/javascript")
            return
        if self.path.endswith("/search/search_index.json"):
            _QuietHandler.index_served = True
        if "/workers/search." in self.path:
            _QuietHandler.worker_served = True
        super().do_GET()


def _browser(profile: Path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        raise _Unavailable("Chromium is not installed: apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise _Unavailable("selenium is not installed: pip install -e '.[test]'") from None
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--window-size={WIDTH},1600", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    driver.set_page_load_timeout(30)
    return driver


def pages(site: Path) -> list[str]:
    """Every page of the site, as its URL path."""
    rels = (p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    return sorted("/" if rel == "." else f"/{rel}/" for rel in rels)


# what the browser reports about a page, in one round trip
_PAGE_REPORT = """
const mathml = document.querySelector('.katex-mathml');
const prose = document.body.cloneNode(true);   // the text outside code listings
prose.querySelectorAll('pre, code').forEach(e => e.remove());
document.body.appendChild(prose);
prose.style.position = 'absolute';
const text = prose.innerText;
prose.remove();
let refMath = 0, refNames = [];                // the reference code's section
const bare = e => !e.closest('a, pre, h1, h2, h3, h4, h5, h6, .doc-signature')
                  && !e.querySelector('a');          // Bases: <code><a>Head</a></code>
for (let e = document.getElementById('reference-code'); e; e = e.nextElementSibling) {
  if (e.id === 'proof') break;
  refMath += e.matches('.arithmatex') ? 1 : e.querySelectorAll('.arithmatex').length;
  refNames.push(...Array.from(e.querySelectorAll('code')).filter(bare)
                        .map(c => c.innerText.trim()));
}
return {
  text: document.body.innerText,
  prose: text,
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  images: Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth > 0]),
  arithmatex: document.querySelectorAll('.arithmatex').length,
  unrendered: Array.from(document.querySelectorAll('.arithmatex'))
                   .filter(e => !e.querySelector('.katex')).length,
  katex_errors: document.querySelectorAll('.katex-error').length,
  mathml_hidden: mathml === null || getComputedStyle(mathml).position === 'absolute',
  wide_math: Array.from(document.querySelectorAll('div.arithmatex, .katex-display'))
                  .filter(e => e.scrollWidth > e.clientWidth + 1)
                  .map(e => [e.scrollWidth, e.clientWidth,
                             (e.querySelector('annotation') || e).textContent.slice(0, 80)]),
  nav: Array.from(document.querySelectorAll('.md-nav--primary .md-nav__link'))
            .filter(e => !e.closest('.md-nav--secondary'))     // not the page's own contents
            .map(e => e.innerText.trim()).filter(t => t),
  titles: Array.from(document.querySelectorAll('h1')).map(e => e.innerText),
  listings: Array.from(document.querySelectorAll('pre')).map(e => e.innerText),
  ref_math: refMath,
  ref_names: refNames,
  code_names: Array.from(document.querySelectorAll('.md-content code')).filter(bare)
                   .map(e => e.innerText.trim()),
};
"""

_RAW_TEX = re.compile(r"\\(frac|partial|sum|mathsf|odot|begin|operatorname|qquad)\b|\\\(|\\\[")
#: TeX or its Unicode imitation in a label: a brace group after ^ or _, a command, a
#: subscript or superscript written with _ or ^, a $ delimiter
_RAW_MARKUP = re.compile(r"[\^_]\{|\\[A-Za-z]+|\^[\w(]|\w_\w|\$")
#: the pages whose screenshots the crawl saves
SHOTS = {"/derivations/D11/": SCREENSHOT, "/derivations/D17/": SCREENSHOTS / "derivation-D17.png"}


def _crawl(site: Path, folder: Path) -> dict:
    """Open every page once at 1280 px; keep what each one reports and its console
    errors, and save the screenshots."""
    server = _Server(site)
    try:
        browser = _browser(folder / "chromium-profile")
    except _Unavailable:
        server.close()
        raise
    try:
        seen = {}
        for path in pages(site):
            browser.get(server.url + path)
            info = browser.execute_script(_PAGE_REPORT)
            info["console"] = [e["message"] for e in browser.get_log("browser")
                               if e["level"] == "SEVERE"]
            seen[path] = info
            if path in SHOTS:                    # the whole page, table included
                height = browser.execute_script(
                    "return document.documentElement.scrollHeight")
                browser.set_window_size(WIDTH, min(height + 120, 5000))
                SHOTS[path].parent.mkdir(parents=True, exist_ok=True)
                browser.save_screenshot(str(SHOTS[path]))
                browser.set_window_size(WIDTH, 1600)
        return {"server": server.url, "pages": seen}
    finally:
        browser.quit()
        server.close()


@pytest.fixture(scope="session")
def crawled(site, tmp_path_factory) -> dict:
    return shared_once(tmp_path_factory, "crawl", functools.partial(_crawl, site))


@pytest.fixture(scope="session")
def crawl(crawled) -> dict:
    return crawled["pages"]


def names_of(module_name: str) -> set[str]:
    """What a page that documents ``backprop_ref.<module_name>`` may not leave unlinked:
    the module's own public names (bare), the package's top-level names (``bp.softmax``),
    and any public name of any module written out (``two_layer.loss_and_grads``,
    ``backprop_ref.heads``). A parameter that shares a name with another module's function
    (``layer_sizes``) is not a mention of it."""
    sys.path.insert(0, str(ROOT / "docs" / "_gen"))
    try:
        from site_pages import api_modules
    finally:
        sys.path.remove(str(ROOT / "docs" / "_gen"))
    import backprop_ref

    names = {n for n in backprop_ref.__all__
             if not isinstance(getattr(backprop_ref, n), type(backprop_ref))}
    for m, _ in api_modules():
        module = importlib.import_module(f"backprop_ref.{m}")
        public = set(getattr(module, "__all__", ())) | {
            n for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__}
        names.add(f"backprop_ref.{m}")
        names |= {f"{m}.{n}" for n in public} | {f"backprop_ref.{m}.{n}" for n in public}
        if m == module_name:
            names |= public
    return names


def _module_of(info: dict) -> str:
    """The module a derivation page's reference lives in (from its API link)."""
    found = re.search(r"backprop_ref\.(\w+)\.\w+ in the API reference", info["text"])
    return found.group(1) if found else ""


# ------------------------------------------------------------------ the tests
pytestmark = pytest.mark.full


def test_the_site_has_every_page(site):
    have = set(pages(site))
    wanted = {"/", "/conventions/", "/agreement/", "/bad-input/", "/benchmark-targets/",
              "/maintainers/", "/errata/", "/check-your-backprop/", "/VERIFY/",
              "/benchmarks/REPORT/", "/api/", "/derivations/"}
    wanted |= {f"/notes/00{i}/" for i in range(5)}
    wanted |= {f"/derivations/D{i}/" for i in range(1, 21)}
    assert wanted <= have, sorted(wanted - have)


def test_no_page_mentions_the_private_sources(site):
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for word in ("SP" + "EC", "../sha" + "red", "se" + "eds/"):   # in pieces: see above
            assert word not in text, f"{html.relative_to(site)} mentions {word!r}"


def test_every_page_loads_without_a_console_error(crawl):
    errors = {path: info["console"] for path, info in crawl.items() if info["console"]}
    assert not errors, errors


def test_every_internal_link_and_anchor_resolves(crawled):
    crawl, server = crawled["pages"], crawled["server"]
    broken = []
    for path, info in crawl.items():
        for href in info["links"]:
            if not href.startswith(server):
                continue
            url, fragment = urldefrag(href)
            target = urlparse(url).path
            if target not in crawl:
                if not target.endswith("/") and Path(target).suffix:   # a file, e.g. a PNG
                    continue
                broken.append((path, href))
            elif fragment and fragment not in crawl[target]["ids"]:
                broken.append((path, href))
        broken += [(path, src) for src, ok in info["images"] if not ok]
    assert not broken, broken


def test_every_formula_is_rendered(crawl):
    assert sum(info["arithmatex"] for info in crawl.values()) > 200
    for path, info in crawl.items():
        assert info["unrendered"] == 0, f"{path}: {info['unrendered']} formulas not rendered"
        assert info["katex_errors"] == 0, f"{path}: KaTeX could not parse a formula"
        assert info["mathml_hidden"], f"{path}: KaTeX's stylesheet is missing (math twice)"
        raw = _RAW_TEX.search(info["prose"])
        assert raw is None, f"{path}: raw TeX {raw.group(0)!r} in the page text"


def test_no_display_formula_needs_a_scrollbar_at_1280_px(crawl):
    """Long equations are broken over lines (aligned): none is wider than the page."""
    wide = {path: info["wide_math"] for path, info in crawl.items() if info["wide_math"]}
    assert not wide, wide


def test_the_navigation_and_the_titles_read_in_plain_words(crawl):
    labels = {label for info in crawl.values() for label in info["nav"] + info["titles"]}
    assert "D15 · hidden delta" in labels and len(labels) > 60
    raw = sorted(label for label in labels if _RAW_MARKUP.search(label))
    assert not raw, raw


def test_the_reference_code_shows_the_docstring_rendered(crawl):
    """The derivation pages' listings hold the code without its docstring; the docstring
    above them is rendered, math included."""
    tex = re.compile(r"\$\$|\\(frac|mathrm|operatorname|partial|sum|begin|odot)\b")
    for i in range(1, 21):
        info = crawl[f"/derivations/D{i}/"]
        code = [listing for listing in info["listings"] if "def " in listing]
        assert code, f"D{i}: no reference code"
        raw = [m.group(0) for listing in code for m in [tex.search(listing)] if m]
        assert not raw, f"D{i}: raw TeX {raw} in the reference code"
        assert info["ref_math"] >= 1, f"D{i}: the docstring's equation is not rendered"
    assert crawl["/derivations/D17/"]["ref_math"] >= 4


def test_every_name_an_api_page_mentions_is_a_link(crawl):
    """`KINDS`, `check`, `Result` …: a public name in a code span is a link to its entry,
    on the API pages and in the docstrings the derivation pages render."""
    assert {"KINDS", "check", "targets"} <= names_of("testing")
    assert "targets" not in names_of("heads") and "Head" in names_of("heads")
    unlinked = {}
    for path, info in crawl.items():
        if path.startswith("/api/"):
            module, found = path.strip("/").partition("/")[2], info["code_names"]
        elif path.startswith("/derivations/D"):
            module, found = _module_of(info), info["ref_names"]
        else:
            continue
        missed = sorted(set(found) & names_of(module))
        if missed:
            unlinked[path] = missed
    assert not unlinked, unlinked
    assert "KINDS" in crawl["/api/testing/"]["text"]


def test_a_derivation_page_shows_its_equation_code_proof_and_errors(crawl):
    info = crawl["/derivations/D11/"]
    for expected in ("def delta_ce_softmax", "PyTorch autograd", "JAX grad",
                     "central differences", "SymPy", "Measured", "torch", "ok"):
        assert expected in info["text"], expected
    assert "measured" in info["ids"]
    for shot in SHOTS.values():
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")


def test_a_broken_link_fails_the_strict_build(tmp_path):
    """The build is strict: a link to a missing page stops it, naming the page."""
    pytest.importorskip("mkdocs")
    from mkdocs.exceptions import Abort

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\n[gone](missing.md)\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nstrict: true\n")
    handler = _Warnings()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        with pytest.raises(Abort):
            build_site(tmp_path / "out", tmp_path / "mkdocs.yml")
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    assert any("missing.md" in m for m in handler.messages), handler.messages
