"""A real Chromium walks every page of every persona on the demo, in Spanish, at 1280 and 390 px.

Each page must: request nothing from another host, never scroll sideways (document width <=
viewport), keep its columns visible at 1280 px without an inner scroll box, and show no English
text that the catalogue translates. Pages whose layout another branch owns are walked in a
second test (they pass with the shared CSS; a failure there names the owning branch).
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from tests.pichanaki.walker import DEMO_PERSONAS, Page, persona, seed_site, site_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCALE = 0.05
WIDTHS = (1280, 390)
PERSONAS = (*DEMO_PERSONAS, "anonymous")

# English msgids that are also ordinary Spanish (or data: codes, units, names) on these pages.
SAME_IN_SPANISH = {
    "api",
    "buffer",
    "error",
    "general",
    "id",
    "no",
    "total",
    "pch",
    "per",
    "ver",
    "usd",
    "pen",
    "eur",
    "dni",
    "ruc",
    "ha",
    "gps",
    "csv",
    "xlsx",
    "geojson",
    "kml",
    "kmz",
    "zip",
    "json",
    "url",
    "email",
    "e-mail",
    "sí",
    "ok",
    "admin",
    "manual",
    "final",
    "normal",
    "real",
    "english",  # the language switcher names each language in its own language
}

OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  const boxes = [...document.querySelectorAll('body *')].filter(el => {
    const style = getComputedStyle(el);
    return ['auto', 'scroll'].includes(style.overflowX)
      && !['TEXTAREA', 'SELECT'].includes(el.tagName)
      && el.scrollWidth > el.clientWidth + 1 && el.offsetParent !== null;
  }).map(el => (el.id || el.className || el.tagName) + ` ${el.clientWidth}px<${el.scrollWidth}px`);
  return {width: doc.scrollWidth, boxes: boxes};
}"""


def _english_phrases() -> tuple[set[str], set[str]]:
    """(msgids that make a whole text segment, multi-word msgids found inside text) that have
    a different Spanish translation: project, Django and admin catalogues together."""
    catalog = trans_real.translation("es")._catalog
    singles, phrases = set(), set()
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04")[-1].strip()
        if not msgid or "%" in msgid or "{" in msgid or value.strip() == msgid:
            continue
        if not re.search("[a-z]{2}", msgid) or msgid.lower() in SAME_IN_SPANISH:
            continue
        singles.add(msgid.lower().rstrip(".:"))
        if len(msgid.split()) >= 3:
            phrases.add(msgid)
    return singles, phrases


SEGMENT = re.compile(r"[\n\t()\[\]|·:;,•/]+")


def _untranslated(text: str, singles: set[str], phrases: set[str]) -> list[str]:
    found = {s.strip() for s in SEGMENT.split(text) if s.strip().lower().rstrip(".") in singles}
    found |= {phrase for phrase in phrases if phrase in text}
    return sorted(found)


def _login(context, user, base_url: str) -> None:
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "es", "url": base_url}])
    if user.is_anonymous:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])


def _walk(browser, base_url: str, user, pages: list[Page]) -> list[str]:
    """Every problem of every page at both widths, as readable lines."""
    singles, phrases = _english_phrases()
    problems: list[str] = []
    server = urlsplit(base_url).netloc
    foreign: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="es-PE")
        _login(context, user, base_url)
        page = context.new_page()
        page.on("request", lambda r, seen=foreign: _note_foreign(seen, r.url, server))
        for item in pages:
            foreign.clear()
            response = page.goto(base_url + item.url, wait_until="load")
            where = f"{item.key} ({item.url}) at {width}px"
            if response is None or response.status >= 400:
                problems.append(f"{where}: status {response and response.status}")
                continue
            problems += [f"{where}: requests another host: {url}" for url in foreign]
            layout = page.evaluate(OVERFLOW_JS)
            if layout["width"] > width:
                problems.append(f"{where}: page is {layout['width']}px wide")
            if width == WIDTHS[0] and layout["boxes"]:
                problems.append(f"{where}: columns in a scroll box: {layout['boxes']}")
            if width == WIDTHS[0]:
                english = _untranslated(page.inner_text("body"), singles, phrases)
                if english:
                    problems.append(f"{where}: English in the Spanish page: {english}")
        context.close()
    return problems


def _note_foreign(seen: list[str], url: str, server: str) -> None:
    if _host(url) != server:
        seen.append(url)


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc if parts.scheme in ("http", "https", "ws", "wss") else ""


def _persona_pages(username: str) -> tuple[object, list[Page]]:
    seed_site(SCALE)
    user = persona(username)
    with translation.override("es"):
        return user, site_pages(user)


@pytest.mark.parametrize("username", PERSONAS)
def test_every_page_is_local_narrow_and_spanish(live_server, browser, username) -> None:
    user, pages = _persona_pages(username)
    mine = [item for item in pages if not item.owner]
    assert mine, "the walker found no page"
    problems = _walk(browser, live_server.url, user, mine)
    assert not problems, "\n".join(problems)


OWNED_ELSEWHERE = ("imports", "runs-demo")  # branches owning these pages' layout


@pytest.mark.parametrize("owner", OWNED_ELSEWHERE)
@pytest.mark.parametrize("username", DEMO_PERSONAS)
def test_pages_owned_by_other_branches(live_server, browser, username, owner) -> None:
    user, pages = _persona_pages(username)
    theirs = [item for item in pages if item.owner == owner]
    if not theirs:
        pytest.skip(f"{username} sees no page owned by {owner}")
    problems = _walk(browser, live_server.url, user, theirs)
    assert not problems, f"pages owned by branch {owner}:\n" + "\n".join(problems)
