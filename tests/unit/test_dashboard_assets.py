"""The dashboard's files as shipped: nothing loads from another host, and every text the
page shows has a Portuguese and an English version."""

import re

import pytest

from bgc_api.dashboard import STATIC, assets, page

SCRIPT = (STATIC / "painel.js").read_text(encoding="utf-8")


def language_block(lang: str) -> str:
    """The object literal of one language in the script's TEXT table."""
    found = re.search(rf"^  {lang}: \{{\n(.*?)^  \}},$", SCRIPT, re.S | re.M)
    assert found, f"no {lang} texts"
    return found.group(1)


@pytest.mark.parametrize("name", ["painel.html", "painel.js", "painel.css"])
def test_no_file_of_the_page_names_another_host(name: str) -> None:
    text = (STATIC / name).read_text(encoding="utf-8")
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I) == []


def test_the_page_names_each_asset_by_a_hash_of_its_content() -> None:
    html = page("/data/landing").decode("utf-8")
    for name, asset in assets().items():
        assert f"/painel/assets/{name}?v={asset.version}" in html
    assert "{{" not in html and 'data-landing="/data/landing"' in html


def test_the_landing_folder_is_escaped_in_the_page() -> None:
    assert 'data-landing="/x/&quot;&lt;b&gt;"' in page('/x/"<b>').decode("utf-8")


def test_plotly_js_comes_from_the_plotly_package() -> None:
    plotly = assets()["plotly.min.js"]
    assert plotly.media_type.startswith("text/javascript")
    assert len(plotly.body) > 1_000_000 and b"plotly.js" in plotly.body[:500]


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_every_text_of_the_page_exists_in_both_languages(lang: str) -> None:
    html = (STATIC / "painel.html").read_text(encoding="utf-8")
    keys = set(re.findall(r'data-i18n(?:-label|-placeholder)?="(\w+)"', html))
    keys |= set(re.findall(r'\bt\("(\w+)"\)', SCRIPT))
    defined = set(re.findall(r"^\s*(\w+):", language_block(lang), re.M))
    defined |= set(re.findall(r"[,{]\s*(\w+):", language_block(lang)))
    assert keys and keys - defined == set()
