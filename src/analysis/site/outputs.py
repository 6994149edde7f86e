"""What of an executed report notebook may reach a published page: what the report displays.

A cell's ``stderr`` stream — a library's warning (with this machine's paths in it), a kernel's
message — is for the build log, not for readers: ``MachineOutputRemover`` takes every such
output out of the notebook before nbconvert renders it and logs it as a warning instead, one
line per output naming the report and the cell.
"""

from __future__ import annotations

import logging

from nbconvert.preprocessors import Preprocessor

logger = logging.getLogger(__name__)


def is_machine_output(output) -> bool:
    """True for an output that is the machine talking: a ``stderr`` stream."""
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


class MachineOutputRemover(Preprocessor):
    """Drop ``stderr`` stream outputs from every code cell; log each (report title, cell number,
    its first line) so that the build log keeps it."""

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") != "code":
            return cell, resources
        kept = []
        for output in cell.get("outputs", []):
            if is_machine_output(output):
                text = "".join(output.get("text", "")).strip()
                title = resources.get("metadata", {}).get("name", "")
                first = text.splitlines()[0] if text else ""
                logger.warning("%s: cell %d wrote to stderr (not published): %s", title, index, first)
                logger.debug("%s: cell %d stderr in full:\n%s", title, index, text)
            else:
                kept.append(output)
        cell["outputs"] = kept
        return cell, resources
