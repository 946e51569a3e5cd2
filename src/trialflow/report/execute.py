"""Run a report notebook in this process and render it to one self-contained HTML file.

The report notebooks are ordinary parameterized notebooks (papermill's convention: the cell
tagged ``parameters`` holds the defaults, and the values given are set right after it), so they
also run with papermill and a Jupyter kernel. The workflow runs them here instead: the cells
execute in one IPython shell inside the job's own process, which saves a kernel process and a
second Python start per report, and the executed notebook is turned into HTML with nbconvert's
exporter (the offline template in ``notebooks/templates/trialflow``).

The HTML is the same, byte for byte, as papermill followed by ``jupyter nbconvert --no-input
--no-prompt`` and `trialflow.report.html.strip_notebook`. The executed notebook keeps the source
notebook's metadata (papermill would record its kernel's instead).
"""

from __future__ import annotations

import base64
import copy
import os
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from trialflow.errors import TrialflowError


@contextmanager
def _working_directory(path: Path):
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _output(kind: str, **fields: Any) -> dict[str, Any]:
    import nbformat

    return nbformat.v4.new_output(kind, **fields)


def _display_data(data: Mapping[str, Any], metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A display_data output as a kernel would send it: binary data base64-encoded."""
    encoded = {
        mime: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
        for mime, value in data.items()
    }
    return _output("display_data", data=encoded, metadata=dict(metadata))


def execute_notebook(
    notebook: Any, parameters: Mapping[str, Any], *, cwd: str | os.PathLike[str] = "."
) -> Any:
    """Execute every code cell of `notebook` (an nbformat node, not modified) in order, in
    one IPython shell of this process, with `parameters` set after the cell tagged
    ``parameters``; return the executed copy.

    Each cell's outputs are what a kernel would record: stdout as a stream, every
    `IPython.display.display` call as display_data (images base64-encoded). stderr is not
    kept (warnings may name absolute paths). A cell that raises stops the run with a
    `TrialflowError` naming the cell and the error.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.reset(new_session=True)
    out = copy.deepcopy(notebook)
    count = 0
    with _working_directory(Path(cwd)):
        for index, cell in enumerate(out.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            with capture_output(stdout=True, stderr=True, display=True) as captured:
                result = shell.run_cell(cell.source, store_history=False, silent=False)
            outputs = []
            if captured.stdout:
                outputs.append(_output("stream", name="stdout", text=captured.stdout))
            outputs += [_display_data(o.data, o.metadata) for o in captured.outputs]
            if not result.success:
                error = result.error_in_exec or result.error_before_exec
                raise TrialflowError(
                    f"report notebook cell {index + 1}: {type(error).__name__}: {error}"
                )
            cell.outputs = outputs
            cell.execution_count = count
            if "parameters" in cell.metadata.get("tags", []):
                shell.user_ns.update(dict(parameters))
    return out


def notebook_text(notebook: Any) -> str:
    """The notebook as nbformat v4 JSON text ending with a newline."""
    import nbformat

    text = nbformat.writes(nbformat.from_dict(notebook), version=4)
    return text if text.endswith("\n") else text + "\n"


def notebook_html(notebook: Any, *, template_dir: str | os.PathLike[str]) -> str:
    """The executed notebook as one self-contained HTML page: outputs only, no prompts, with
    the ``trialflow`` template found under `template_dir`."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.extra_template_basedirs = [str(template_dir)]
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    exporter = HTMLExporter(config=config, template_name="trialflow")
    body, _resources = exporter.from_notebook_node(notebook)
    return body
