"""The only Jinja environment Word templates are rendered in.

An administrator's template is a document from outside: its placeholders must not be
able to reach Python. Jinja's sandbox alone stops the well-known walks
(`cycler.__init__.__globals__`, `self`, `lipsum`), but it still lets a template call
the methods of whatever the context holds and nest loops without end. So every
template is also checked before it is compiled, tag by tag, against the few things
Soket's documents offer: the names below, a handful of text filters, `if`, and one
level of `for` over a list of lines. Anything else is refused with its name, and the
context holds nothing but strings, lists of strings and booleans.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.utils.translation import gettext as _
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

# What a template may print; the lists may be looped over, one line at a time.
LINE_LISTS = frozenset({"superior_lines", "title_lines", "recipients"})
NAMES = LINE_LISTS | frozenset(
    {
        "issuer",
        "number",
        "place_and_date",
        "doc_type",
        "signing_capacity",
        "signer_title",
        "signer_name",
        "is_signed",
        "is_draft",
        "is_annex",
        "attached_to",
        "body",
        "annex",
    }
)
# Filters whose output is never much longer than their input (`replace`, which can
# multiply a text at each use, is left out).
FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d", "join"})
# The document's laid-out parts: already Word XML, printed as they are.
BLOCKS = frozenset({"body", "annex"})
# A Word template holds a few dozen tags; far more is a template made to be slow.
MAX_TAGS = 1000
MAX_NODES = 5000  # in one part's syntax tree
MAX_DEPTH = 40
TESTS = frozenset({"defined", "undefined", "none", "true", "false"})


class TemplateRefused(SecurityError):
    """A template asks for something Soket's documents do not offer."""


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox with no globals, no attribute access, no calls, and a checked syntax."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self.globals.clear()  # range, dict, lipsum, cycler, joiner, namespace
        self.filters = {name: self.filters[name] for name in FILTERS}
        self.tests = {name: self.tests[name] for name in TESTS}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tags = source.count("{{") + source.count("{%")
        if tags > MAX_TAGS:
            raise TemplateRefused(
                _("The template has %(tags)d tags; at most %(limit)d are allowed.")
                % {"tags": tags, "limit": MAX_TAGS}
            )
        try:
            template = super()._parse(source, name, filename)
            check(template)
        except RecursionError:
            raise TemplateRefused(_("The template's tags are nested too deeply.")) from None
        return template


def check(template: nodes.Template) -> None:
    """Refuse any tag beyond what the documents offer (TemplateRefused names it)."""
    _Checker().visit(template, loop_names=frozenset(), in_loop=False)


def allowed_placeholders() -> str:
    """The placeholders an administrator may use, for the message that refuses others."""
    return ", ".join(sorted(NAMES))


class _Checker:
    """Walks a template's syntax tree, refusing what the documents do not offer. It
    also counts the nodes and their depth, so that a template cannot be made slow with
    one enormous tag (`{{ issuer ~ issuer ~ … }}`) instead of many small ones."""

    def __init__(self) -> None:
        self.count = 0

    def visit(
        self, node: nodes.Node, *, loop_names: frozenset[str], in_loop: bool, depth: int = 0
    ) -> None:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            raise TemplateRefused(_("The template's tags are too long or nested too deeply."))
        if isinstance(node, nodes.For):
            self._for(node, loop_names=loop_names, in_loop=in_loop, depth=depth)
            return
        if isinstance(node, nodes.Output | nodes.If):
            # The laid-out body and annex are Word XML: printed whole, or tested, only.
            for child in node.iter_child_nodes():
                if not (isinstance(child, nodes.Name) and child.name in BLOCKS):
                    self.visit(child, loop_names=loop_names, in_loop=in_loop, depth=depth + 1)
            return
        if isinstance(node, nodes.Name):
            if node.name in BLOCKS:
                self.refuse(_("%s other than printed whole") % node.name)
            if node.ctx != "load" or node.name not in NAMES | loop_names:
                self.refuse(node.name)
            return
        if isinstance(node, nodes.Filter):
            if node.name not in FILTERS or node.dyn_args or node.dyn_kwargs:
                self.refuse(f"| {node.name}")
            for argument in [*node.args, *(kw.value for kw in node.kwargs)]:
                if not isinstance(argument, nodes.Const):
                    self.refuse(f"| {node.name}(…)")
        elif isinstance(node, nodes.Test):
            if node.name not in TESTS or node.args or node.kwargs:
                self.refuse(f"is {node.name}")
        elif isinstance(node, nodes.Const):
            if not isinstance(node.value, str | int | float | bool | type(None)):
                self.refuse(repr(node.value)[:40])
        elif not isinstance(node, _PLAIN):
            self.refuse(_describe(node))
        for child in node.iter_child_nodes():
            self.visit(child, loop_names=loop_names, in_loop=in_loop, depth=depth + 1)

    def _for(
        self, node: nodes.For, *, loop_names: frozenset[str], in_loop: bool, depth: int
    ) -> None:
        if in_loop:
            self.refuse(_("a loop inside a loop"))
        if not isinstance(node.iter, nodes.Name) or node.iter.name not in LINE_LISTS:
            self.refuse(f"for … in {_describe(node.iter)}")
        if not isinstance(node.target, nodes.Name) or node.recursive or node.test is not None:
            self.refuse("for")
        names = loop_names | {node.target.name}
        for child in [*node.body, *node.else_]:
            self.visit(child, loop_names=names, in_loop=True, depth=depth + 1)

    def refuse(self, what: str) -> NoReturn:
        raise TemplateRefused(
            _("The template uses “%(what)s”, which Soket's documents do not offer. "
              "Placeholders it may use: %(names)s.")
            % {"what": what, "names": allowed_placeholders()}
        )  # fmt: skip


# Nodes that only hold text, print or choose: their children are checked in turn.
_PLAIN = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
)


def _describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.Getattr):
        return f"{_describe(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_describe(node.node)}[…]"
    if isinstance(node, nodes.Call):
        return f"{_describe(node.node)}(…)"
    if isinstance(node, nodes.Name):
        return node.name
    return type(node).__name__.lower()
