"""Print the JSON-RPC messages of one short editing session with `floec lsp`: open the example
floe.yaml, type a wrong profile name, receive the diagnostic, ask for the quick fix, apply it,
and see the diagnostic go. Long messages (initialize's capabilities) are shortened.

Run: `.venv/bin/python bench/lsp_transcript.py` (needs `floec[lsp]`).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lsp_client import RawClient
from bench.timing import ROOT

WIDTH = 600


def shorten(message: dict[str, Any], root: Path) -> str:
    text = json.dumps(message, ensure_ascii=False).replace(root.as_uri(), "file://$PROJECT")
    return text if len(text) <= WIDTH else text[:WIDTH] + f"... ({len(text)} characters)"


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        shutil.copytree(ROOT / "platform", root / "platform")
        shutil.copytree(ROOT / "examples" / "customer-analytics", root / "pipeline")
        floe = root / "pipeline" / "floe.yaml"
        text = floe.read_text()
        client = RawClient(cwd=root)
        client.initialize(root, {"debounceMs": 150})
        client.open(floe, text)
        client.diagnostics(floe.as_uri(), 1)
        typo = text.replace("catalog: default", "catalog: defualt")
        client.change(floe, 2, typo)
        _, found = client.diagnostics(floe.as_uri(), 2)
        first = next(d for d in found if d["code"] == "FLC301")
        answer = client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": floe.as_uri()},
                "range": first["range"],
                "context": {"diagnostics": [first]},
            },
        )
        fix = next(a for a in answer["result"] if a["title"].startswith("Replace with"))
        (edit,) = fix["edit"]["changes"][floe.as_uri()]
        line = edit["range"]["start"]["line"]
        lines = typo.split("\n")
        start, end = edit["range"]["start"]["character"], edit["range"]["end"]["character"]
        lines[line] = lines[line][:start] + edit["newText"] + lines[line][end:]
        client.change(floe, 3, "\n".join(lines))
        client.diagnostics(floe.as_uri(), 3)
        client.close()
        first_time = client.log[0][1]
        for direction, when, message in client.log:
            print(f"{(when - first_time) * 1000:8.1f} ms {direction} {shorten(message, root)}")


if __name__ == "__main__":
    main()
