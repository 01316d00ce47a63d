#!/usr/bin/env python3
"""check_banned.py SRCDIR [FILE...] | --self-test

No banned function and no variable-length array in the project's C code
(conventions.md, rule 6). Checks every .c and .h file under SRCDIR (files
git tracks plus new ones not ignored; build trees and fuzz data are not
code), or the FILEs given. Comments, string and character literals are
ignored; a banned name is found as a token wherever it appears, so
"strcpy (", "(strcpy)(" and "fn = strcpy" are caught too.

VLAs are found by a heuristic (a declaration whose array size mentions a
lowercase identifier other than sizeof); the compilers' -Wvla -Werror is
the other half of that check.
"""
import os
import re
import subprocess
import sys

BANNED = {
    "strcpy": "use memcpy with a checked length, or snprintf",
    "strcat": "use snprintf or memcpy with a checked length",
    "sprintf": "use snprintf (or dance_fmt in the library)",
    "vsprintf": "use vsnprintf",
    "strtok": "use strtok_r, strsep or a hand-written scanner",
    "atoi": "use strtol/strtoul with end-pointer and range checks",
    "atol": "use strtol/strtoul with end-pointer and range checks",
    "gets": "use fgets or getline",
    "alloca": "use a fixed-size buffer or malloc",
    "__builtin_alloca": "use a fixed-size buffer or malloc",
}
TOKEN = re.compile(r"\b(" + "|".join(re.escape(b) for b in BANNED) + r")\b")

# A declaration "TYPE [*]name[SIZE]" (also parameters): TYPE is a C type
# keyword, a struct/union/enum tag or a *_t typedef.
TYPE = (r"(?:\b(?:char|short|int|long|float|double|_Bool|bool|signed|"
        r"unsigned|void)\b|\b(?:struct|union|enum)\s+\w+|\b\w+_t\b)")
DECL = re.compile(TYPE + r"[\s*]+(?:const\s+|volatile\s+|restrict\s+)*"
                  r"\**\s*(\w+)\s*\[([^\]\[]+)\]")
# sizeof (TYPE-OR-EXPR), or sizeof of a unary expression: x, *p, s->f, a.b
SIZEOF = re.compile(r"\bsizeof\s*(\((?:[^()]|\([^()]*\))*\)"
                    r"|\**\s*\w+(?:\s*(?:->|\.)\s*\w+)*)")
SKIP_DIRS = re.compile(r"^(build[^/]*|test-logs|\.git|fuzz/(corpus|regressions"
                       r"|crashes))(/|$)")


def strip(text):
    """Blank out comments and string/char literals, keeping newlines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def is_vla_size(size):
    size = SIZEOF.sub("1", size)
    for ident in re.findall(r"\b[A-Za-z_]\w*\b", size):
        if not ident.isupper() and not re.match(r"^[A-Z0-9_]+$", ident):
            return True
    return False


def check_text(text):
    """Yield (line, message) for each finding in C source text."""
    code = strip(text)
    lines = code.split("\n")
    for no, line in enumerate(lines, 1):
        if line.lstrip().startswith("#include"):
            line = line.replace("<", " ").replace(">", " ")
        for m in TOKEN.finditer(line):
            name = m.group(1)
            yield no, f"banned function '{name}': {BANNED[name]}"
    # Declarations may span lines: look at the code as one string.
    for m in DECL.finditer(code):
        if is_vla_size(m.group(2)):
            no = code.count("\n", 0, m.start()) + 1
            yield no, (f"variable-length array '{m.group(1)}"
                       f"[{m.group(2).strip()}]': use a fixed bound or "
                       "malloc")


def project_files(top):
    try:
        out = subprocess.run(["git", "-C", top, "ls-files", "-co",
                              "--exclude-standard"], check=True,
                             capture_output=True, text=True).stdout
        files = out.splitlines()
    except (OSError, subprocess.CalledProcessError):
        files = []
        for root, dirs, names in os.walk(top):
            rel = os.path.relpath(root, top)
            dirs[:] = [d for d in dirs if not SKIP_DIRS.match(
                os.path.normpath(os.path.join(rel, d)))]
            files += [os.path.normpath(os.path.join(rel, f)) for f in names]
    return sorted(f for f in files
                  if f.endswith((".c", ".h")) and not SKIP_DIRS.match(f)
                  and os.path.isfile(os.path.join(top, f)))


def self_test():
    bad = [
        "void f(char *d, const char *s) { strcpy(d, s); }",
        "void f(char *d, const char *s) { strcpy (d, s); }",
        "void f(char *d, const char *s) { (strcat)(d, s); }",
        "int f(const char *s) { return atoi(s); }",
        "long f(const char *s) { return atol (s); }",
        "void f(char *b, int x) { sprintf(b, \"%d\", x); }",
        "void f(char *b, va_list ap) { vsprintf(b, \"x\", ap); }",
        "char *f(char *s) { return strtok(s, \",\"); }",
        "void f(char *b) { gets(b); }",
        "void *f(size_t n) { return alloca(n); }",
        "void *f(size_t n) { return __builtin_alloca(n); }",
        "static void *(*cp)(char *, const char *) = strcpy;",
        "void f(size_t n) { char buf[n]; (void)buf; }",
        "void f(size_t len) { uint8_t b[len + 1]; (void)b; }",
        "void f(int n) { struct x v[n * 2]; (void)v; }",
        "void f(int n) {\n\tunsigned char\n\t    b[n];\n}",
        "void f(size_t n, char a[n]) { (void)a; }",
        "void f(struct s *id) { char r[id->len]; (void)r; }",
    ]
    good = [
        "void f(char *d, size_t n, const char *s) { strncpy(d, s, n); }",
        "void f(char *b, size_t n) { snprintf(b, n, \"strcpy(%s)\", \"x\"); }",
        "/* never strcpy(a, b) or sprintf here */ int x;",
        "// atoi(s) is banned\nint y;",
        "const char *s = \"gets(b); alloca(4)\";",
        "char c = '\\'';  int strcpy_count;",
        "long v = strtol(s, &end, 10); int my_atoi;",
        "char buf[64]; uint8_t md[EVP_MAX_MD_SIZE];",
        "char b[sizeof(struct foo)]; char c[2 * sizeof x + 1];",
        "char r[sizeof id->reason]; char s[sizeof p.x + 1]; char t[sizeof *q];",
        "char d[DANCE_UID_MAX + 1]; int e[] = {1, 2};",
        "s[o++] = c; x = (unsigned char)tmp[i]; return a[i];",
        "static const char *const names[] = {\"a\"};",
        "#include <string.h>\nint fgets_count; int vsnprintf_ok;",
    ]
    fails = 0
    for src in bad:
        if not list(check_text(src)):
            print(f"self-test: missed: {src!r}")
            fails += 1
    for src in good:
        found = list(check_text(src))
        if found:
            print(f"self-test: false alarm {found}: {src!r}")
            fails += 1
    print(f"self-test: {len(bad)} bad and {len(good)} good samples, "
          f"{fails} wrong")
    return 1 if fails else 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = sys.argv[1]
    files = sys.argv[2:] or project_files(top)
    count = 0
    for f in files:
        path = f if os.path.isabs(f) else os.path.join(top, f)
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for no, msg in check_text(text):
            print(f"{os.path.relpath(path, top)}:{no}: {msg}")
            count += 1
    print(f"{len(files)} files checked, {count} findings")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
