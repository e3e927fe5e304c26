#!/usr/bin/env python3
"""Lists public declarations of the library modules that have no `///` doc comment.

Usage: Scripts/check-docs.py [--count] [Module ...]   (default: Keras KerasCore KerasDistributed KerasServing)
Prints `path:line: declaration` for each gap and exits 1 when there is any.

A declaration counts when it is `public` or `open` (or an enum case of a public enum, or a
requirement of a public protocol) and its enclosing types are public. `override`s are skipped:
DocC shows the overridden declaration's documentation for them.
"""
import os
import re
import sys

MODULES = ["Keras", "KerasCore", "KerasDistributed", "KerasServing"]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

ATTR = r"(?:@[A-Za-z_][A-Za-z0-9_.]*(?:\([^)]*\))?\s+)*"
MODIFIERS = r"(?:(?:public|open|final|override|static|class|mutating|nonmutating|required|convenience|indirect|nonisolated|lazy|weak|unowned|dynamic|private\(set\)|fileprivate\(set\)|internal\(set\)|package\(set\))\s+)*"
DECL = re.compile(r"^\s*" + ATTR + MODIFIERS + r"(?P<kind>func|var|let|init[?!]?|subscript|struct|class|enum|protocol|actor|typealias|associatedtype|case|extension|deinit)\b")
TYPE_DECL = re.compile(r"^\s*" + ATTR + r"(?P<mods>" + MODIFIERS + r")(?P<kind>struct|class|enum|protocol|actor|extension)\s+(?P<name>[A-Za-z_][A-Za-z0-9_.]*)")
PUBLIC = re.compile(r"\b(public|open)\b(?!\s*\()")
PROTOCOL_MEMBER = re.compile(r"^\s*" + ATTR + MODIFIERS + r"(func|var|init|subscript|associatedtype|typealias)\b")
ENUM_CASE = re.compile(r"^\s*" + ATTR + r"(indirect\s+)?case\s+[A-Za-z_`]")
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def code_part(line, in_multiline):
    """The line without comments and string literals; tracks `\"\"\"` strings."""
    out = ""
    rest = line
    while rest:
        if in_multiline:
            end = rest.find('"""')
            if end < 0:
                return out, True
            rest = rest[end + 3:]
            in_multiline = False
            continue
        start = rest.find('"""')
        segment = rest if start < 0 else rest[:start]
        segment = STRING.sub('""', segment)
        comment = segment.find("//")
        if comment >= 0:
            return out + segment[:comment], False
        out += segment
        if start < 0:
            break
        rest = rest[start + 3:]
        in_multiline = True
    return out, in_multiline


def has_doc(lines, index):
    j = index - 1
    while j >= 0:
        text = lines[j].strip()
        if text.startswith("@") or text.startswith("#if") or text.startswith("#else") or text.startswith("#endif"):
            j -= 1
            continue
        return text.startswith("///") or text.endswith("*/")
    return False


def scan(path):
    gaps = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    # Each open brace pushes a context: ("type", is_public, kind) for type bodies, ("other",) otherwise.
    stack = []
    in_multiline = False
    in_block_comment = False
    pending_type = None
    for i, raw in enumerate(lines):
        line = raw
        if in_block_comment:
            end = line.find("*/")
            if end < 0:
                continue
            line = line[end + 2:]
            in_block_comment = False
        was_multiline = in_multiline
        code, in_multiline = code_part(line, in_multiline)
        block = code.find("/*")
        if block >= 0:
            if code.find("*/", block) < 0:
                in_block_comment = True
            code = code[:block]
        visible = all(c[0] == "type" and c[1] for c in stack)
        top = stack[-1] if stack else None
        if not was_multiline and visible and code.strip():
            decl = DECL.match(code)
            stripped = code.strip()
            counted = False
            if decl and decl.group("kind") != "extension" and decl.group("kind") != "deinit":
                if PUBLIC.search(code.split(decl.group("kind"))[0]) and not re.search(r"\boverride\b", code.split(decl.group("kind"))[0]):
                    counted = True
                elif top and top[2] == "protocol" and PROTOCOL_MEMBER.match(code):
                    counted = True
                elif top and top[2] == "enum" and ENUM_CASE.match(code):
                    counted = True
            if counted and not has_doc(lines, i):
                owner = next((c[3] for c in reversed(stack) if c[0] == "type"), None)
                gaps.append((i + 1, stripped, owner))
        type_decl = TYPE_DECL.match(code) if not was_multiline else None
        if type_decl:
            kind = type_decl.group("kind")
            is_public = kind == "extension" or bool(PUBLIC.search(type_decl.group("mods")))
            pending_type = ("type", is_public, kind, type_decl.group("name"))
        for ch in code:
            if ch == "{":
                stack.append(pending_type or ("other", False, None, None))
                pending_type = None
            elif ch == "}":
                if stack:
                    stack.pop()
    return gaps


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count_only = "--count" in sys.argv
    total = 0
    for module in args or MODULES:
        base = os.path.join(ROOT, "Sources", module)
        n = 0
        for folder, _, files in sorted(os.walk(base)):
            for name in sorted(files):
                if not name.endswith(".swift"):
                    continue
                path = os.path.join(folder, name)
                for line, text, _ in scan(path):
                    n += 1
                    if not count_only:
                        print(f"{os.path.relpath(path, ROOT)}:{line}: {text}")
        total += n
        if count_only:
            print(f"{module}: {n}")
    print(f"{total} public declarations without a /// comment", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
