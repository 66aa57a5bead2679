#!/usr/bin/env python3
"""Reports import cycles between the source files of a Rust crate.

Usage: scripts/import-cycles.py [--tests] [CRATE_DIR ...]
       (default: engine adapters/http adapters/sqlite)

Each file of `CRATE_DIR/src` is a node. File A has an edge to file B when A names an item
of B: in a `use crate::…`, `use super::…` or `use self::…` declaration, or in a path written
in the code (`crate::plan::CompiledWorkflow`, `super::local_date(…)`, or `child::item(…)`
from a module's own child). A path is resolved to
the file that defines the item: the longest prefix that is a module (a file, or an inline
`mod x { … }` inside one), then through that module's own `use` declarations, so
`crate::workflow::Workflow` leads to `workflow/model.rs` when `workflow/mod.rs` has
`pub use model::Workflow`. A `pub use` re-export is followed, not counted as an edge of the
file that re-exports: a `mod.rs` that only exposes its children is their facade, not their
dependant. `mod x;` declarations are not edges. Glob imports (`use super::*`) are an edge
to the module globbed.

Test code (`#[cfg(test)] mod x;` files and `#[cfg(test)] mod x { … }` blocks) is left out:
it is built only into the test binary and imports what it tests. `--tests` counts it too.

Prints every strongly connected group of two or more files, with the edges inside it and
the line that makes each, and exits 1 if there is one. Comments and string literals are
skipped; macros and `#[path]` attributes are not understood.
"""

import os
import re
import sys
from collections import defaultdict

DEFAULT_CRATES = ["engine", "adapters/http", "adapters/sqlite"]


def strip(text):
    """Blanks comments and string/char literals, keeping newlines and offsets."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:]) and not re.match(r"\w", text[i - 1 : i] or " "):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'":
            # A char literal ('a', '\n', '{'), not a lifetime ('a).
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def module_of(src, path):
    rel = os.path.relpath(path, src)[: -len(".rs")].split(os.sep)
    if rel[-1] in ("lib", "main", "mod"):
        rel = rel[:-1]
    return tuple(rel)


def expand_use_tree(tree):
    """`a::{b, c::{d, e}, self}` → [(["a","b"], "b"), (["a","c","d"], "d"), (["a","c","e"], "e"), (["a"], "a")]."""
    tree = re.sub(r"\s+", "", tree)

    def split_top(s):
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        return parts

    def go(prefix, s):
        if "{" in s:
            head, rest = s.split("{", 1)
            rest = rest[: rest.rfind("}")]
            head_segs = [x for x in head.split("::") if x]
            result = []
            for part in split_top(rest):
                result.extend(go(prefix + head_segs, part))
            return result
        segs = [x for x in s.split("::") if x]
        if segs and segs[-1] == "self":
            segs = segs[:-1]
        if not segs and not prefix:
            return []
        full = prefix + segs
        name = full[-1] if full else None
        return [(full, name)]

    return go([], tree)


USE_RE = re.compile(r"(?m)^[ \t]*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")
MOD_OPEN_RE = re.compile(r"\bmod\s+(\w+)\s*\{")
TEST_MOD_RE = re.compile(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*([;{])")
# A path in the code: from `crate`, `super` or `self`, or from the name of a child module
# (`application::schema(…)` in the file that declares `mod application;`); `absolute`
# drops the paths of other crates.
PATH_RE = re.compile(r"(?<![\w:])((?:crate|super|self|[a-z_]\w*)(?:::(?:super|\w+))+)")


class File:
    def __init__(self, path, module, text):
        self.path = path
        self.module = module
        self.text = strip(text)
        self.inline = self.inline_modules()
        # Offsets of `#[cfg(test)] mod x { … }` blocks, and names of `#[cfg(test)] mod x;`.
        self.test_spans = []
        self.test_children = []
        for m in TEST_MOD_RE.finditer(self.text):
            if m.group(2) == ";":
                self.test_children.append(self.module_at(m.start()) + (m.group(1),))
            else:
                for start, end, name in self.inline:
                    if start >= m.start() and name == m.group(1):
                        self.test_spans.append((start, end))
                        break

    def in_test(self, offset):
        return any(a <= offset < b for a, b in self.test_spans)

    def inline_modules(self):
        """[(start, end, name)] of `mod x { … }` blocks, by offset."""
        found = []
        for m in MOD_OPEN_RE.finditer(self.text):
            depth, j = 1, m.end()
            while j < len(self.text) and depth:
                if self.text[j] == "{":
                    depth += 1
                elif self.text[j] == "}":
                    depth -= 1
                j += 1
            found.append((m.start(), j, m.group(1)))
        return found

    def module_at(self, offset):
        """The module path in effect at `offset` (the file's, plus inline modules)."""
        path = list(self.module)
        for start, end, name in self.inline:
            if start < offset < end:
                path.append(name)
        return tuple(path)

    def line_of(self, offset):
        return self.text.count("\n", 0, offset) + 1


def absolute(segs, here, modules=()):
    """Resolves `crate::`/`super::`/`self::` (or a child module's name) against module path
    `here`; None if the path is another crate's."""
    if not segs:
        return None
    if tuple(here) + (segs[0],) in modules:
        return tuple(here) + tuple(segs)
    if segs[0] == "crate":
        base, rest = [], segs[1:]
    elif segs[0] in ("super", "self"):
        base, rest = list(here), list(segs)
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    else:
        return None
    return tuple(base) + tuple(rest)


def main(args):
    with_tests = "--tests" in args
    crates = [a for a in args if a != "--tests"] or DEFAULT_CRATES
    found_cycle = False
    for crate in crates:
        src = os.path.join(crate, "src")
        files = {}
        for root, _, names in os.walk(src):
            for name in sorted(names):
                if name.endswith(".rs"):
                    path = os.path.join(root, name)
                    module = module_of(src, path)
                    with open(path, encoding="utf-8") as f:
                        files[module] = File(os.path.relpath(path), module, f.read())
        if not with_tests:
            test_modules = [t for f in files.values() for t in f.test_children]
            files = {
                m: f
                for m, f in files.items()
                if not any(m[: len(t)] == t for t in test_modules)
            }
            for f in files.values():
                for a, b in f.test_spans:
                    f.text = f.text[:a] + re.sub(r"[^\n]", " ", f.text[a:b]) + f.text[b:]
                f.inline = f.inline_modules()
        # Modules (file or inline) → the file holding them.
        modules = {}
        for module, f in files.items():
            modules[module] = module
            for start, end, name in f.inline:
                modules[f.module_at(start) + (name,)] = module
        # Names each module brings in with `use`: module → name → (absolute path, is pub).
        imports = defaultdict(dict)
        uses = []  # (file module, offset, absolute path, is pub, is glob)
        for module, f in files.items():
            for m in USE_RE.finditer(f.text):
                here = f.module_at(m.start())
                tree = re.sub(r"\s+as\s+", " as ", m.group(2))
                for part_tree, alias in split_aliases(tree):
                    for segs, name in expand_use_tree(part_tree):
                        target = absolute(segs, here, modules)
                        if target is None:
                            continue
                        glob = segs[-1] == "*"
                        name = alias or name
                        if not glob:
                            imports[here][name] = target
                        uses.append((module, m.start(), target, bool(m.group(1)), glob))

        def resolve(target, depth=0):
            """The file defining `target` (a module path or a module path plus an item)."""
            target = tuple(x for x in target if x != "*")
            for k in range(len(target), -1, -1):
                prefix = target[:k]
                if prefix in modules:
                    rest = target[k:]
                    if rest and depth < 8 and rest[0] in imports.get(prefix, {}):
                        via = imports[prefix][rest[0]]
                        if via != prefix + (rest[0],):
                            return resolve(via + rest[1:], depth + 1)
                    return modules[prefix]
            return None

        edges = defaultdict(dict)  # from file → to file → line
        for module, offset, target, is_pub, glob in uses:
            if is_pub:
                continue
            to = resolve(target)
            if to is not None and to != module:
                edges[module].setdefault(to, files[module].line_of(offset))
        for module, f in files.items():
            spans = [(m.start(), m.end()) for m in USE_RE.finditer(f.text)]
            for m in PATH_RE.finditer(f.text):
                if any(a <= m.start() < b for a, b in spans):
                    continue
                segs = m.group(1).split("::")
                target = absolute(segs, f.module_at(m.start()), modules)
                to = resolve(target) if target is not None else None
                if to is not None and to != module:
                    edges[module].setdefault(to, f.line_of(m.start()))

        for group in strongly_connected(files.keys(), edges):
            if len(group) < 2:
                continue
            found_cycle = True
            print(f"{crate}: import cycle between {len(group)} files:")
            for a in sorted(group):
                for b, line in sorted(edges[a].items()):
                    if b in group:
                        print(f"  {files[a].path}:{line} → {files[b].path}")
        if not any(len(g) > 1 for g in strongly_connected(files.keys(), edges)):
            print(f"{crate}: no import cycle between its {len(files)} files")
    return 1 if found_cycle else 0


def split_aliases(tree):
    """Yields (tree, alias) with a top-level `x as y` alias taken off."""
    m = re.match(r"^([\w:]+) as (\w+)$", tree.strip())
    if m:
        yield m.group(1), m.group(2)
        return
    # Aliases inside braces: drop `as y` (the name is then the original's, which is
    # enough to find the file).
    yield re.sub(r" as \w+", "", tree), None


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, iterative."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, {})))))
                    advanced = True
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    x = stack.pop()
                    on.discard(x)
                    group.add(x)
                    if x == node:
                        break
                out.append(group)
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
