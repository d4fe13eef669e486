"""Screenshots of the desk's serving page for the docs, taken by hand against `./dev run`:

    ./dev run                                   # in one terminal: the demo library
    .venv/bin/python docs/screenshots/take.py   # in another (--site to point elsewhere)

Signs in as the demo clerk at MAIN-DESK-1, opens Avery Lindqvist's account by card, scans a
copy on the shelf (a loan, added to the list in place), then saves the page at 1280x800
(serving-desktop.png) and 360x740 (serving-phone.png) beside this file. It checks the copy in
again afterwards, so the demo library is left as it was. Uses Debian's Chromium
(/usr/bin/chromium), as the browser tests do.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CARD, LENT = "29000000000001", "39000000000001"
SIZES = {"serving-desktop.png": (1280, 800), "serving-phone.png": (360, 740)}


def sign_in(page, site: str) -> None:
    page.goto(site + "/staff/sign-in/")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("libdesk-demo")
    page.get_by_label("Workstation").select_option("MAIN-DESK-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def scan(page, barcode: str) -> None:
    page.get_by_label("Item barcode").fill(barcode)
    with page.expect_response(lambda r: "/checkout/" in r.url):
        page.get_by_label("Item barcode").press("Enter")
    page.wait_for_timeout(300)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="http://127.0.0.1:8000")
    site = parser.parse_args().site.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(locale="en-CA").new_page()
        page.set_viewport_size({"width": 1280, "height": 800})
        sign_in(page, site)
        page.goto(site + "/staff/desk/")
        page.get_by_label("Patron's card").fill(CARD)
        page.get_by_role("button", name="Open account").click()
        page.wait_for_load_state()
        scan(page, LENT)
        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(300)
            page.screenshot(path=str(HERE / name))
            print(f"wrote {HERE / name} ({width}x{height})")
        page.goto(site + "/staff/checkin/")
        page.locator("#id_barcode").fill(LENT)
        page.locator("#id_barcode").press("Enter")
        page.wait_for_load_state()
        browser.close()


if __name__ == "__main__":
    main()
