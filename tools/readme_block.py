#!/usr/bin/env python3
"""Writes one language's example program from README.md to a file, exactly as the README shows it.

    python3 tools/readme_block.py python target/readme/python/example.py
    python3 tools/readme_block.py --expected node     # what it must print, to standard output

The README has one self-contained program per language (C, Python, Node, a shell session with
the `journey` command, and one with the scale-out examples), in the first fenced block of that language; `make test` runs each one, as written, in a fresh directory against the installed
package, so the README cannot show code that does not run.
"""
import pathlib
import sys

FENCES = {"c": "```c", "python": "```python", "node": "```js", "cli": "```bash", "scale-out": "```shell"}
# The Python and Node programs print the same lines; the README shows them once, after Python's.
PRINTS_AFTER = {"python": "python", "node": "python"}


def block(readme: str, fence: str, after: int = 0) -> tuple[str, int]:
    """The text of the first block opened by `fence` at or after line `after`, and its last line."""
    lines = readme.splitlines()
    start = lines.index(fence, after) + 1
    end = lines.index("```", start)
    return "\n".join(lines[start:end]) + "\n", end


def main() -> None:
    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    if sys.argv[1] == "--expected":
        _, end = block(readme, FENCES[PRINTS_AFTER[sys.argv[2]]])
        sys.stdout.write(block(readme, "```text", end)[0])
        return
    language, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(block(readme, FENCES[language])[0])


if __name__ == "__main__":
    main()
