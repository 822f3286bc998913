"""Small helpers for browser tests."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from pathlib import Path

from selenium.webdriver.support.ui import WebDriverWait

from layouts.explorer_ids import ExplorerIds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_folder(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """Serve ``folder`` on a loopback port (a 'report' page on another origin)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait_for_explorer(dash_duo, rows_text: str, timeout: int = 20) -> None:
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.OVERVIEW}", rows_text, timeout=timeout)


def dropdown_value(dash_duo, component_id: str) -> str:
    return dash_duo.find_element(f"#{component_id}").text


def upload_file(dash_duo, path: Path) -> None:
    dash_duo.wait_for_element(f"#{ExplorerIds.UPLOAD} input[type=file]", timeout=20).send_keys(str(path))


def click(dash_duo, selector: str, timeout: int = 30) -> None:
    """Click the element itself, once it is enabled. While a page settles, transient layers can sit over
    the spot where Selenium would aim a native click; dispatching on the element avoids flaky interception.
    A button a background callback keeps disabled (``running=``) stays so for a moment after its result is
    shown, and a click on a disabled button is silently lost: so wait for it to be enabled first."""
    element = dash_duo.wait_for_element(selector)
    WebDriverWait(dash_duo.driver, timeout).until(
        lambda _driver: not element.get_property("disabled"), f"{selector} stayed disabled"
    )
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def wait_for_app_ready(dash_duo, timeout: int = 30) -> None:
    """The renderer is up and the page's initial callbacks have answered: a click now reaches a callback
    (clicked earlier, under load, a button can be pressed before its callback is wired)."""
    wait_until(
        dash_duo,
        lambda _driver: dash_duo.window_store and dash_duo.redux_state_rqs == [],
        timeout,
        "the app never settled",
    )


def wait_until(dash_duo, condition, timeout: float = 30, msg: str = "the condition never held"):
    """Wait for ``condition(driver)`` to be truthy (its value is returned): Selenium's public wait, for what
    dash_duo's own ``wait_for_*`` helpers do not cover."""
    return WebDriverWait(dash_duo.driver, timeout).until(condition, msg)


NOT_YET_BUILT = "return Array.from(document.querySelectorAll('.mount-when-near')).map(function (b) { return b.id; });"


def reveal(dash_duo, *block_ids: str) -> None:
    """Scroll to blocks built only when the page nears them (layouts/common.mounted_when_near), as a reader
    would, and wait until each is built; no ids: every such block on the page, top to bottom."""
    pending = [f"{b}-parent" for b in block_ids] or dash_duo.driver.execute_script(NOT_YET_BUILT)
    for parent in pending:
        dash_duo.driver.execute_script("document.getElementById(arguments[0]).scrollIntoView();", parent)
        wait_until(
            dash_duo,
            lambda d, p=parent: p not in d.execute_script(NOT_YET_BUILT),
            10,
            f"{parent} was not built when scrolled to",
        )
