"""A patron who uses only the keyboard signs in, searches the catalogue, opens a record and
places a hold: Tab, typing and Enter reach every step, and focus shows where they are."""

import pytest

from tests.browser.test_circulation import lend_elsewhere
from tests.conftest import AVERY, BEATRICE, PINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FOCUSED = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return (label || el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
}"""


def tab_to(page, name: str, inside: str = "body", most: int = 120) -> None:
    """Press Tab until the focused element is called `name` (its label, or its text; a result's
    link may add the subtitle after a colon) and sits inside the element `inside` selects."""
    seen = []
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        within = page.evaluate(f"() => !!document.activeElement.closest({inside!r})")
        if (focused == name or focused.startswith(f"{name}: ")) and within:
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{name!r} has focus but shows none"
            return
        seen.append(focused)
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_patron_places_a_hold_with_the_keyboard_only(site, page):
    from libdesk.catalog.models import Item

    lend_elsewhere("39000000000003", BEATRICE)
    record = Item.objects.get(barcode="39000000000003").record
    page.goto(site + "/")

    tab_to(page, "My account")
    press_enter_and_wait(page)
    tab_to(page, "Library card number")
    page.keyboard.type(AVERY)
    tab_to(page, "PIN")
    page.keyboard.type(PINS[AVERY])
    press_enter_and_wait(page)
    assert "/account/" in page.url

    tab_to(page, "Catalogue")
    press_enter_and_wait(page)
    tab_to(page, "Search the catalogue")
    page.keyboard.type(record.title)
    press_enter_and_wait(page)
    tab_to(page, record.title, inside=".result")
    press_enter_and_wait(page)
    assert page.url.endswith(f"/records/{record.pk}/")

    tab_to(page, "Pick up at")
    page.keyboard.press("ArrowDown")  # the next branch in the list
    chosen = page.evaluate("() => document.activeElement.value")
    tab_to(page, "Place a hold")
    press_enter_and_wait(page)

    assert "Your hold is placed" in page.locator(".decision").inner_text()
    from libdesk.circulation.models import Hold

    hold = Hold.objects.get(record=record, patron__card_number=AVERY)
    assert hold.pickup_branch.code == chosen
