"""Reads a TensorBoard log directory written by swift-keras with the real `tensorboard` package and
prints what it finds as JSON, for TensorBoardTests.

Usage: python tensorboard_read.py LOGDIR

For every run (sub-directory with event files) it loads the files twice:
- `EventAccumulator` (the classic loader): every tensor tag with its plugin name and
  (step, value) pairs; scalars as floats, histograms as [k, 3] lists, strings as text;
- `plugin_event_accumulator` (what the TensorBoard UI uses, with its data_compat migration):
  the tags each plugin claims, so the Scalars/Histograms/Images/Text/Graphs tabs would show them.
"""
import json
import os
import sys

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.backend.event_processing import plugin_event_accumulator
from tensorboard.util import tensor_util


def value_of(proto, plugin):
    array = tensor_util.make_ndarray(proto)
    if plugin == "scalars":
        return float(array)
    if plugin == "histograms":
        return array.tolist()
    if plugin == "images":
        items = [bytes(b) for b in array.flatten()]
        return {"width": items[0].decode(), "height": items[1].decode(),
                "png_signatures": [b[:8] == b"\x89PNG\r\n\x1a\n" for b in items[2:]],
                "sizes": [len(b) for b in items[2:]]}
    return bytes(array.item()).decode("utf-8")


def main(logdir):
    result = {}
    for run in sorted(os.listdir(logdir)):
        path = os.path.join(logdir, run)
        if not os.path.isdir(path):
            continue
        acc = event_accumulator.EventAccumulator(path, size_guidance={event_accumulator.TENSORS: 0})
        acc.Reload()
        tags = {}
        for tag in acc.Tags()["tensors"]:
            plugin = acc.SummaryMetadata(tag).plugin_data.plugin_name
            tags[tag] = {"plugin": plugin,
                         "events": [[e.step, value_of(e.tensor_proto, plugin)] for e in acc.Tensors(tag)]}
        ui = plugin_event_accumulator.EventAccumulator(path, size_guidance={plugin_event_accumulator.TENSORS: 0})
        ui.Reload()
        by_plugin = {name: sorted(ui.PluginTagToContent(name)) for name in ui.ActivePlugins()}
        result[run] = {"tags": tags, "ui_plugins": by_plugin,
                       "file_version": acc.file_version}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
