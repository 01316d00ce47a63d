#!/usr/bin/env python3
"""check_exports.py LIB HEADER [PENDING]: libdance.so exports only dance_*
symbols, exactly the functions (and objects) that HEADER marks DANCE_EXPORT.

- every dynamic symbol LIB defines must start with "dance_";
- every such symbol must be declared DANCE_EXPORT in HEADER;
- every DANCE_EXPORT declaration of HEADER must be exported by LIB, unless
  it is listed in PENDING (one name per line, '#' comments): declared in
  the draft header but not implemented yet. A listed name that is exported
  is only reported, so the list can shrink as the API is written.
"""
import re
import subprocess
import sys


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name = parts[-1].split("@")[0]
        syms.add(name)
    return syms


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def declared(header):
    with open(header, encoding="utf-8") as f:
        text = strip_comments(f.read())
    # Drop preprocessor lines (the DANCE_EXPORT definition itself).
    text = "\n".join(l for l in text.splitlines()
                     if not l.lstrip().startswith("#"))
    names = set()
    for decl in text.split(";"):
        if not re.search(r"\bDANCE_EXPORT\b", decl):
            continue
        decl = decl[re.search(r"\bDANCE_EXPORT\b", decl).end():]
        # The declared name: the first identifier followed by '(' that is
        # not an attribute macro; for an object, the last identifier.
        m = [n for n in re.findall(r"\b([A-Za-z_]\w*)\s*\(", decl)
             if not n.isupper() and not n.startswith("__")]
        if m:
            names.add(m[0])
        else:
            ids = re.findall(r"\b([A-Za-z_]\w*)\b", decl)
            if ids:
                names.add(ids[-1])
    return names


def pending(path):
    if not path:
        return set()
    names = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(line)
    return names


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    lib, header = sys.argv[1], sys.argv[2]
    syms = exported(lib)
    decls = declared(header)
    todo = pending(sys.argv[3] if len(sys.argv) == 4 else None)
    errors = []
    for s in sorted(syms):
        if not s.startswith("dance_"):
            errors.append(f"{lib}: exports '{s}', which is not a dance_* "
                          "name (make it static, or an internal function "
                          "in lib/internal.h: hidden by default)")
        elif s not in decls:
            errors.append(f"{lib}: exports '{s}', which {header} does not "
                          "declare DANCE_EXPORT (internal functions go in "
                          "lib/internal.h without DANCE_EXPORT)")
    for d in sorted(decls - syms):
        if d not in todo:
            errors.append(f"{header}: '{d}' is declared DANCE_EXPORT but "
                          f"{lib} does not export it (not implemented, "
                          "static, or its definition does not see the "
                          "declaration)")
    for d in sorted(todo & syms):
        print(f"note: '{d}' is exported now: remove it from {sys.argv[3]}")
    print(f"{len(syms)} symbols exported, {len(decls)} declared "
          f"DANCE_EXPORT, {len(todo & (decls - syms))} pending")
    for e in errors:
        print("FAIL: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
