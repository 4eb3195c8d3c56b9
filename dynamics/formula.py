"""Safe parsing of surface formulas in ``x`` and ``y``.

A formula is data, not code: the string is parsed with :mod:`ast` and only
numbers, the names ``x``, ``y``, ``pi``, ``e``, arithmetic operators and a
fixed set of functions are accepted. The sympy expression is then built node by
node from that tree; nothing is ever passed to ``eval`` or ``sympify``.
"""

from __future__ import annotations

import ast
import re

import sympy as sp

from .errors import FormulaError

X, Y = sp.symbols("x y", real=True)

FUNCTIONS: dict[str, sp.Function] = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "sqrt": sp.sqrt,
    "abs": sp.Abs,
    "tanh": sp.tanh,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "atan": sp.atan,
    "arctan": sp.atan,
}
NAMES: dict[str, sp.Expr] = {"x": X, "y": Y, "pi": sp.pi, "e": sp.E}
MAX_EXPONENT = 64  # guards against '9**9**9**9' tying up sympy
#: The longest formula accepted, in characters: every catalog formula is a few
#: hundred at most, while tens of thousands of terms exhaust Python's recursion
#: limit in the parser and in sympy.
MAX_LENGTH = 2000
_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _pointer(text: str, col: int, message: str) -> FormulaError:
    caret = " " * max(col, 0) + "^"
    return FormulaError(
        f"cannot use formula at position {col + 1}: {message}\n  {text}\n  {caret}\n"
        "A formula uses x, y, numbers, + - * / ** (or ^), parentheses, pi, e and "
        f"the functions {', '.join(sorted(FUNCTIONS))}; e.g. '0.1*x**2 + 2*y**2'."
    )


def parse_formula(text: str) -> sp.Expr:
    """Parse ``text`` into a sympy expression in ``x`` and ``y``.

    ``^`` is read as a power, as in most math notation. Raises
    :class:`FormulaError` pointing at the offending position.
    """
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("a formula must be a non-empty string such as '0.1*x**2 + 2*y**2'")
    if len(text) > MAX_LENGTH:
        raise too_long(text)
    try:
        expr = _parse(text)
    except RecursionError:
        raise too_deep(text) from None
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise FormulaError(f"{text!r} is infinite or undefined everywhere (a division by zero, "
                           "log(0)?); write a formula with finite values")
    if expr.has(sp.I):
        raise FormulaError(f"{text!r} has imaginary values (a root or log of a negative "
                           "number?); a loss must be real")
    return expr


def too_long(text: str) -> FormulaError:
    """The error for a formula longer than :data:`MAX_LENGTH`."""
    return FormulaError(
        f"formula is too long: {len(text):,} characters, the limit is {MAX_LENGTH:,}. "
        f"Simplify the formula (e.g. write '3*x' for 'x + x + x'). It starts {text[:40]!r}"
    )


def too_deep(text: str) -> FormulaError:
    """The error for a formula nested too deeply for Python's parser or sympy."""
    return FormulaError(
        "formula is nested too deeply to work with (Python's recursion limit was reached). "
        f"Simplify the formula: fewer nested parentheses, signs or terms. It starts {text[:40]!r}"
    )


def _parse(text: str) -> sp.Expr:
    """:func:`parse_formula` once the length is checked (may raise RecursionError)."""
    source, index = _caret_to_power(text)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        end = len(text.rstrip())
        if text.rstrip()[-1] in "+-*/^(,":  # nothing follows the last operator
            raise _pointer(text, end - 1, "the formula ends too early: something must follow "
                                      f"{text.rstrip()[-1]!r}") from None
        col = min(max((err.offset or 1) - 1, 0), len(index) - 1)
        raise _pointer(text, index[col], err.msg or "syntax error") from None
    expr = _build(tree.body, text, index)
    if not isinstance(expr, sp.Expr) or expr.free_symbols - {X, Y}:
        raise FormulaError(f"formula {text!r} must be an expression in x and y")
    return expr


def _caret_to_power(text: str) -> tuple[str, list[int]]:
    """Replace ``^`` by ``**``; also return, per source column, the text column."""
    source, index = [], []
    for i, ch in enumerate(text):
        piece = "**" if ch == "^" else ch
        source.append(piece)
        index.extend([i] * len(piece))
    index.append(len(text))
    return "".join(source), index


def _col(node: ast.AST, index: list[int]) -> int:
    col = getattr(node, "col_offset", 0)
    return index[min(col, len(index) - 1)]


def _build(node: ast.AST, text: str, index: list[int]) -> sp.Expr:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _pointer(text, _col(node, index), f"{node.value!r} is not a number")
        return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
    if isinstance(node, ast.Name):
        if node.id in NAMES:
            return NAMES[node.id]
        raise _pointer(text, _col(node, index), f"unknown name {node.id!r}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _build(node.left, text, index)
        right = _build(node.right, text, index)
        if isinstance(node.op, ast.Pow) and right.is_number and abs(right) > MAX_EXPONENT:
            raise _pointer(
                text, _col(node.right, index), f"exponent {right} is larger than {MAX_EXPONENT}"
            )
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _build(node.operand, text, index)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            what = func.id if isinstance(func, ast.Name) else ast.unparse(func)
            raise _pointer(text, _col(node, index), f"{what!r} is not an allowed function")
        if node.keywords or len(node.args) != 1:
            raise _pointer(text, _col(node, index), f"{func.id} takes one argument")
        return FUNCTIONS[func.id](_build(node.args[0], text, index))
    what = type(node).__name__
    raise _pointer(text, _col(node, index), f"{what} is not allowed in a formula")


class TypstPrinter(sp.printing.str.StrPrinter):
    """Print a sympy expression as Typst math (``x^2 / 16 + 9 y^2``)."""

    def _print_Pow(self, expr: sp.Pow) -> str:
        base, exp = expr.as_base_exp()
        if exp == sp.Rational(1, 2):
            return f"sqrt({self._print(base)})"
        if exp.is_negative:
            return f"1 / {self.parenthesize(base ** -exp, 60)}"
        b = self.parenthesize(base, 60)
        # a fraction in an exponent is set inline (x^(a \/ b)): stacked, it is a third
        # of the text's size, and its digits are unreadable (as TeX sets e^{-x^2/2})
        e = re.sub(r"(?<!\\)/", r"\\/", self._print(exp))  # (an inner power's is set)
        return f"{b}^({e})" if len(e) > 1 else f"{b}^{e}"

    def _print_Mul(self, expr: sp.Mul) -> str:
        text = super()._print_Mul(expr)
        return text.replace("*", " ")

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: sp.Expr) -> str:
        return "e"

    def _print_Pi(self, expr: sp.Expr) -> str:
        return "pi"

    def _print_Function(self, expr: sp.Function) -> str:
        name = {"atan": "arctan"}.get(expr.func.__name__, expr.func.__name__)
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{name}({args})"


def to_typst(expr: sp.Expr) -> str:
    """Typst math source for ``expr`` (for ``MathTypst`` labels)."""
    return TypstPrinter().doprint(expr)


def to_typst_as_written(text: str, expr: sp.Expr) -> str:
    """Typst math for the formula ``text`` (parsed to ``expr``) with its terms in the
    order they are written: ``(x^2 - 1)^2 + 0.5 y^2 + 0.3 x``, not sympy's ``0.3 x +
    0.5 y^2 + (x^2 - 1)^2``. Where sympy merged or cancelled written terms (``x + x``),
    its own order."""
    try:
        source, index = _caret_to_power(text)
        terms = [sign * _build(node, text, index)
                 for sign, node in _written_terms(ast.parse(source, mode="eval").body)]
    except (FormulaError, SyntaxError, RecursionError):
        return to_typst(expr)
    if len(terms) < 2 or sorted(map(sp.srepr, terms)) != sorted(
            map(sp.srepr, sp.Add.make_args(expr))):
        return to_typst(expr)
    out = ""
    for term in terms:
        piece = to_typst(term)
        if not out:
            out = piece
        elif piece.startswith("-"):
            out += " - " + piece[1:]
        else:
            out += " + " + piece
    return out


def _written_terms(node: ast.AST, sign: int = 1) -> list[tuple[int, ast.AST]]:
    """The top-level terms of a sum as written, each with its sign (``a - (b + c)``
    has the two terms ``a`` and ``-(b + c)``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        right = sign if isinstance(node.op, ast.Add) else -sign
        return _written_terms(node.left, sign) + [(right, node.right)]
    return [(sign, node)]
