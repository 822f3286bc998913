"""No page shows an exception's own text: a failure reaches the page through ``error_alert`` or
``user_message``, which show a named error's message and replace anything else by a logged reference.
Read from the source of every callback and layout module (an ``except ... as exc`` whose body formats
``exc`` itself is the way library text would leak)."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PAGE_CODE = sorted([*REPO.glob("callbacks/*.py"), *REPO.glob("layouts/*.py")])


def exception_text_uses(tree: ast.AST) -> list[int]:
    """Lines where a caught exception is turned into text directly (``str(exc)``, ``f"{exc}"``, ``repr``)."""
    lines = []
    for handler in ast.walk(tree):
        if not isinstance(handler, ast.ExceptHandler) or not handler.name:
            continue
        for node in (n for statement in handler.body for n in ast.walk(statement)):
            direct = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("str", "repr")
            formatted = isinstance(node, ast.FormattedValue)
            value = node.args[0] if direct and node.args else node.value if formatted else None
            if isinstance(value, ast.Name) and value.id == handler.name:
                lines.append(node.lineno)
    return lines


def test_the_scan_sees_every_way_of_formatting_an_exception():
    source = (
        "try:\n    pass\nexcept ValueError as exc:\n    a = str(exc)\n    b = f'{exc}!'\n    c = repr(exc)\n"
        "except KeyError as err:\n    d = user_message(err)\n"
    )
    assert exception_text_uses(ast.parse(source)) == [4, 5, 6]


def test_no_page_module_shows_an_exception_text():
    assert PAGE_CODE, "no page modules found"
    leaks = {
        str(path.relative_to(REPO)): lines
        for path in PAGE_CODE
        if (lines := exception_text_uses(ast.parse(path.read_text())))
    }
    assert leaks == {}
