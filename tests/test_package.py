"""The project as an installable package: the wheel holds the code, its data files and the console
script, and the installed copy runs from any folder, crawls included, without the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scraper.replica import ReplicaServer, Site
from tests.conftest import ARTICLES, ROOT

SCRIPT = "laichau-scraper"


def _pip(*args: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """A wheel built offline from a copy of the project (a build leaves build/ and *.egg-info behind),
    and that wheel installed into a folder of its own (its scripts in ``bin/``)."""
    tmp = tmp_path_factory.mktemp("package")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "scraper", src / "scraper", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp / "dist"), str(src), cwd=tmp)
    wheel = next((tmp / "dist").glob("laichau_scraper-*.whl"))
    _pip("install", "--no-deps", "--no-index", "--target", str(tmp / "site"), str(wheel), cwd=tmp)
    return wheel, tmp / "site"


def test_the_wheel_holds_the_package_its_data_files_and_the_console_script(built) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        entry_points = whl.read(meta.replace("METADATA", "entry_points.txt")).decode()
        requires = [line for line in whl.read(meta).decode().splitlines() if line.startswith("Requires-Dist:")]
    # every file of the package that is not Python (the JSON Schema, its field notes, …) is shipped
    data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "scraper").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert "scraper/schema/article.schema.json" in data
    assert data <= names, f"not in the wheel (pyproject.toml, [tool.setuptools.package-data]): {sorted(data - names)}"
    assert {"scraper/__main__.py", "scraper/replica/site.py", "scraper/commands/crawl.py"} <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "fixtures/"))]
    assert f"{SCRIPT} = scraper.__main__:main" in entry_points
    # runtime pins plain, test and benchmark tools only with the "dev" extra
    assert "Requires-Dist: scrapy==2.19.0" in requires
    assert [r for r in requires if r.startswith("Requires-Dist: pytest==") and 'extra == "dev"' in r]


def test_the_installed_copy_runs_from_any_folder(built, tmp_path) -> None:
    _, site = built
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    env["PYTHONPATH"] = str(site)  # the installed copy only; the checkout is neither cwd nor on the path

    def run(*argv: str | Path) -> subprocess.CompletedProcess:
        return subprocess.run([str(a) for a in argv], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)

    found = run(sys.executable, "-c", "import scraper, scraper.items as i; print(scraper.__file__); print(len(i.schema()['required']))")
    assert found.returncode == 0, found.stderr[-2000:]
    assert found.stdout.splitlines()[0].startswith(str(site)) and int(found.stdout.splitlines()[1]) > 20

    helped = run(site / "bin" / SCRIPT, "--help")
    assert helped.returncode == 0 and all(c in helped.stdout for c in ("extract", "demo", "cron", "state")), helped.stderr

    page = ARTICLES / "nukeviet-plain.html"
    extracted = run(sys.executable, "-m", "scraper", "extract", page, "--url", "https://congan.laichau.gov.vn/an-ninh-trat-tu/x-1.html")
    assert extracted.returncode == 0, extracted.stderr[-2000:]
    record = json.loads(extracted.stdout)
    assert record["title"] and not [w for w in record["warnings"] if w.startswith("schema:")]  # validated by the shipped schema

    # cron and demo: crawl processes of the installed copy, their outputs under the caller's folder
    with ReplicaServer(Site(n_articles=20, n_categories=2, seed=6)) as replica:
        cron = run(site / "bin" / SCRIPT, "cron", "--base-url", replica.base_url, "--output", "data")
        expected = replica.site.expected_ids()
    assert cron.returncode == 0, cron.stdout + cron.stderr[-2000:]
    feeds = list((elsewhere / "data").glob("articles-*.jsonl"))
    assert len(feeds) == 1 and len(feeds[0].read_text("utf-8").splitlines()) == len(expected)

    demo = run(site / "bin" / SCRIPT, "demo", "--articles", "20")
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert list((elsewhere / "output" / "demo").glob("articles-*.jsonl"))  # under the caller's folder
    assert {p.name for p in elsewhere.iterdir()} == {"data", "output"}
    assert not (site / "output").exists()  # never inside the installed package
