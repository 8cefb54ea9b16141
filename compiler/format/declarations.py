"""Types and declarations (parameters, variables, constants, fields, robot inputs/outputs)."""

from __future__ import annotations

from compiler.format.emit import Emitter, Segment
from compiler.format.expressions import Block, Entry
from compiler.format.strings import plain_literal
from compiler.syntax import ast


class DeclarationPrinter(Emitter):
    def type_segments(self, ref: ast.TypeRef, used: int) -> list[Segment]:
        suffix = "[]" if ref.multiple else ""
        if ref.name == "select" and ref.argument is None:
            return self._options("select {", ref, used, suffix)
        if ref.argument is not None:
            head = f"{ref.name}({plain_literal(ref.argument)})"
            if ref.options:
                return self._options(head + " {", ref, used, suffix)
            return [head + suffix]
        return [ref.name + suffix]

    def _options(self, opening: str, ref: ast.TypeRef, used: int,
                 suffix: str) -> list[Segment]:
        options = [f"{plain_literal(o.key)}: {self.text(o.label)}" for o in ref.options]
        flat = opening + ", ".join(options) + "}"
        if not options or used + len(flat) + 4 * self.w.indent <= self.x.width:
            return [flat + suffix]
        entries = [Entry("", text, ",", option)
                   for text, option in zip(options, ref.options, strict=True)]
        return [Block(opening, entries, "}"), suffix]

    def _typed(self, head: str, ref: ast.TypeRef, default: ast.Expr | None,
               tail: str) -> list[Segment]:
        segments: list[Segment] = [head]
        segments += self.type_segments(ref, len(head))
        if default is not None:
            segments += [" = ", self.layout(default, len(head) + 3)]
        segments.append(tail)
        return segments

    def _texts(self, *texts: ast.Text | None) -> str:
        out = ""
        for text in texts:
            if text is None:
                break
            out += " " + self.text(text)
        return out

    def decl(self, decl: ast.Decl) -> None:
        tail = (" required" if decl.required else "") + (" asked" if decl.asked else "") + \
            self._texts(decl.label, decl.description)
        self.emit(self._typed(f"{decl.kind} {decl.name}: ", decl.type, decl.default, tail),
                  decl)

    def field(self, decl: ast.FieldDecl) -> None:
        self.emit(self._typed(f"field {decl.name}: ", decl.type, decl.code,
                              self._texts(decl.label)), decl)

    def robot_io(self, io: ast.RobotIO) -> None:
        tail = (" required" if io.required else "") + self._texts(io.label, io.description)
        self.emit(self._typed(f"{io.kind} {io.name}: ", io.type, io.default, tail), io)
