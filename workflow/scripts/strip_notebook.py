"""Make an executed notebook deterministic: `strip_notebook.py IN OUT` ("-" = stdin/stdout).

Library: trialflow.report.html.strip_notebook (drops the injected-parameters cell, papermill
metadata, execution timestamps and stderr streams).
"""

import json
import sys
from pathlib import Path

import nbformat

from trialflow.report.html import strip_notebook


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: strip_notebook.py IN.ipynb OUT.ipynb ('-' for stdin/stdout)\n")
        return 2
    src, dest = argv[1], argv[2]
    text = sys.stdin.read() if src == "-" else Path(src).read_text(encoding="utf-8")
    nb = strip_notebook(json.loads(text))
    node = nbformat.from_dict(nb)
    out = nbformat.writes(node, version=4)
    if not out.endswith("\n"):
        out += "\n"
    if dest == "-":
        sys.stdout.write(out)
    else:
        with open(dest, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
