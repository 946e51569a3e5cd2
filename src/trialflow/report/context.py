"""The one bootstrap of the report notebooks: find the project, load the resolved trial file and
build the typed options the analysis ran with.

A report run by the workflow gets the resolved trial options as a papermill parameter; an
interactive run (the notebook opened from the project root or from `notebooks/`) reads and
validates `config/trials/<trial_id>.yaml` itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trialflow.config.loading import check_trial, parse_yaml
from trialflow.config.options import TrialOptions


@dataclass(frozen=True)
class TrialContext:
    """What every report notebook needs: where the project is, the trial and its options."""

    project: Path
    trial_id: str
    trial: Mapping[str, Any]
    options: TrialOptions

    def results(self, *parts: str) -> Path:
        """A path under `results/<trial_id>/`."""
        return self.project.joinpath("results", self.trial_id, *parts)


def find_project(required: str, project_dir: str | None) -> Path:
    """The project folder holding `required` (a relative path): `project_dir` when given,
    else the current folder or its parent (a notebook opened from `notebooks/`)."""
    candidates = [Path(project_dir)] if project_dir is not None else [Path("."), Path("..")]
    for folder in candidates:
        if (folder / required).exists():
            return folder
    raise FileNotFoundError(
        f"{required} not found under {' or '.join(map(str, candidates))}: "
        "run the workflow first (`make run`)"
    )


def load_trial(project: Path, trial_id: str) -> dict[str, Any]:
    """`config/trials/<trial_id>.yaml` validated and resolved with the schema's defaults."""
    trial_path = project / "config" / "trials" / f"{trial_id}.yaml"
    schema_path = project / "workflow" / "schemas" / "trial.schema.yaml"
    return check_trial(
        parse_yaml(trial_path.read_text(encoding="utf-8"), str(trial_path)),
        parse_yaml(schema_path.read_text(encoding="utf-8"), str(schema_path)),
        source=str(trial_path),
        root=project,
    )


def trial_context(
    trial_id: str,
    *,
    required: str,
    project_dir: str | None = None,
    trial: Mapping[str, Any] | None = None,
) -> TrialContext:
    """The context of one report: `required` is the results path the report reads (for example
    `results/<trial>/<cutoff>`); `trial` the resolved trial options when the workflow passed
    them."""
    project = find_project(required, project_dir)
    resolved = dict(trial) if trial is not None else load_trial(project, trial_id)
    return TrialContext(project, trial_id, resolved, TrialOptions.from_trial(resolved))


def cutoffs_of(
    trial: Mapping[str, Any], deliveries: Sequence[Mapping[str, Any]] | None
) -> list[str]:
    """The cutoffs a comparison covers: `deliveries` when given, else the trial file's."""
    chosen = deliveries if deliveries is not None else trial["deliveries"]
    return [str(d["cutoff"]) for d in chosen]
