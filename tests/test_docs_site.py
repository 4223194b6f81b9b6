"""The documentation site, built once with `mkdocs build --strict` and opened in headless
Chromium: every page loads with no console error, every internal link and anchor resolves,
every formula is rendered by KaTeX (with its stylesheet: no formula shown twice, no raw TeX
left), and a screenshot of a derivation page is written to ``SCREENSHOT``.

Chromium and its driver are Debian's ``chromium`` and ``chromium-driver`` (``.ci/run``
installs them, and ``libjs-katex`` for the math). Where they are missing the browser tests
skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import functools
import http.server
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = Path(tempfile.gettempdir()) / "backprop-ref-docs" / "derivation-D11.png"
CI = os.environ.get("CI", "").lower() == "true"
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


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


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_gen_files"):
        try:
            __import__(module)
        except ImportError:
            unavailable(f"{module} is not installed: pip install -e '.[docs]'")
    from mkdocs.exceptions import Abort, PluginError

    out = tmp_path_factory.mktemp("site")
    try:
        warnings = build_site(out)
    except PluginError as exc:
        if "KaTeX not found" in str(exc):
            unavailable("KaTeX is not installed: apt-get install libjs-katex, or npm install katex")
        raise
    except Abort as exc:
        pytest.fail(f"mkdocs build --strict failed: {exc}")
    assert not warnings, warnings
    return out


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site. Material's search worker indexes the whole site on every page
    load, which costs about 40% of the crawl: the real index is served to the first page
    that asks (so search is exercised once, console errors and all), later pages get the
    same index with no documents."""

    index_served = False

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.endswith("/search/search_index.json") and _QuietHandler.index_served:
            real = json.loads(Path(self.translate_path(self.path)).read_text("utf-8"))
            body = json.dumps({"config": real["config"], "docs": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.endswith("/search/search_index.json"):
            _QuietHandler.index_served = True
        super().do_GET()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        unavailable("Chromium is not installed: apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("selenium is not installed: pip install -e '.[test]'")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,1600",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


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
};
"""

_RAW_TEX = re.compile(r"\\(frac|partial|sum|mathsf|odot|begin|operatorname|qquad)\b|\\\(|\\\[")


@pytest.fixture(scope="session")
def crawl(site, server, browser):
    """Open every page once; keep what each one reports and its console errors."""
    seen = {}
    for path in pages(site):
        browser.get(server + path)
        info = browser.execute_script(_PAGE_REPORT)
        info["console"] = [e["message"] for e in browser.get_log("browser")
                           if e["level"] == "SEVERE"]
        seen[path] = info
    return seen


def test_the_site_has_every_page(site):
    have = set(pages(site))
    wanted = {"/", "/conventions/", "/errata/", "/check-your-backprop/", "/VERIFY/",
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


def test_every_internal_link_and_anchor_resolves(crawl, server):
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


def test_a_derivation_page_shows_its_equation_code_proof_and_errors(crawl, browser, server):
    info = crawl["/derivations/D11/"]
    for expected in ("def delta_ce_softmax", "PyTorch autograd", "JAX grad",
                     "central differences", "SymPy", "Measured", "torch", "ok"):
        assert expected in info["text"], expected
    assert "measured" in info["ids"]
    browser.get(server + "/derivations/D11/")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height + 120, 4000))   # the whole page, table included
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    browser.set_window_size(1280, 1600)
    assert SCREENSHOT.stat().st_size > 10_000
    print(f"screenshot: {SCREENSHOT}")


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
