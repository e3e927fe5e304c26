"""Runs real Keras 3 callbacks on a fake model with synthetic epoch logs and records what they do.

Writes callbacks.json. Each scenario drives a CallbackList (the callbacks + History) through
on_train_begin, then per epoch on_epoch_begin / on_epoch_end(logs) until model.stop_training, then
on_train_end. The fake model's weights are [epoch index] after each epoch, so restored weights name
the epoch they came from. The Swift tests replay the same scenarios (CallbackFixtureTests).
"""
import contextlib
import io
import json
import os
import tempfile

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import callbacks as kc  # noqa: E402


class FakeModel:
    def __init__(self, lr):
        self.stop_training = False
        self.optimizer = keras.optimizers.SGD(learning_rate=lr)
        self.weights = [np.array([-1.0])]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, w):
        self.weights = [x.copy() for x in w]


SCHEDULES = {
    # Mirrored by name in the Swift tests.
    "halve_after_2": lambda epoch, lr: lr if epoch < 2 else lr * 0.5,
    "linear_decay": lambda epoch, lr: 0.1 / (1 + epoch),
}


def make_callback(spec, csv_path):
    kind = spec["kind"]
    args = dict(spec.get("args", {}))
    if kind == "EarlyStopping":
        return kc.EarlyStopping(**args)
    if kind == "ReduceLROnPlateau":
        return kc.ReduceLROnPlateau(**args)
    if kind == "LearningRateScheduler":
        return kc.LearningRateScheduler(SCHEDULES[args.pop("schedule")], **args)
    if kind == "CSVLogger":
        return kc.CSVLogger(csv_path, **args)
    if kind == "TerminateOnNaN":
        return kc.TerminateOnNaN(**args)
    raise ValueError(kind)


def run(scenario):
    model = FakeModel(scenario.get("lr", 0.1))
    fd, csv_path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    if scenario.get("csv_prefill") is not None:
        with open(csv_path, "w", newline="") as f:
            f.write(scenario["csv_prefill"])
    else:
        os.remove(csv_path)
    epochs = len(scenario["logs"])
    out = io.StringIO()
    record = {"epochs_run": 0, "learning_rates": [], "stop_flags": [], "batches_run": 0}
    with contextlib.redirect_stdout(out):
        # The same callback objects serve every run (Keras allows reusing them across fit calls).
        cbs = [make_callback(s, csv_path) for s in scenario["callbacks"]]
        for run_index in range(scenario.get("runs", 1)):
            model.stop_training = False
            cl = kc.CallbackList(cbs, add_history=True, model=model, epochs=epochs, steps=1, verbose=0)
            cl.on_train_begin()
            for epoch in range(epochs):
                cl.on_epoch_begin(epoch)
                record["learning_rates"].append(float(model.optimizer.learning_rate.numpy()))
                for b, batch_loss in enumerate(scenario.get("batch_losses", {}).get(str(epoch), [])):
                    cl.on_train_batch_end(b, {"loss": batch_loss})
                    record["batches_run"] += 1
                    if model.stop_training:
                        break
                model.weights = [np.array([float(epoch)])]
                logs = dict(scenario["logs"][epoch])
                cl.on_epoch_end(epoch, logs)
                record["epochs_run"] += 1
                record["stop_flags"].append(bool(model.stop_training))
                if model.stop_training:
                    break
            cl.on_train_end()
    record["final_lr"] = float(model.optimizer.learning_rate.numpy())
    record["final_weight"] = float(model.weights[0][0])
    record["history"] = {k: [float(v) for v in vs] for k, vs in cl._history.history.items()}
    record["history_epochs"] = cl._history.epoch
    for cb in cbs:
        if isinstance(cb, kc.EarlyStopping):
            record["stopped_epoch"] = cb.stopped_epoch
            record["best_epoch"] = cb.best_epoch
            record["best"] = None if cb.best is None else float(cb.best)
    if os.path.exists(csv_path):
        with open(csv_path, newline="") as f:
            record["csv"] = f.read()
        os.remove(csv_path)
    record["stdout"] = out.getvalue()
    return record


def logs_from(**series):
    n = len(next(iter(series.values())))
    return [{k: v[i] for k, v in series.items() if v[i] is not None} for i in range(n)]


plateau = [1.0, 0.8, 0.7, 0.69995, 0.7, 0.71, 0.68, 0.68, 0.69, 0.7, 0.71, 0.72]
noisy = [0.9, 0.85, 0.86, 0.84, 0.84005, 0.83, 0.9, 0.95, 0.92, 0.91]
acc = [0.5, 0.6, 0.65, 0.64, 0.66, 0.66, 0.65, 0.64, 0.63, 0.62]
losses = [0.8, 0.6, 0.5, 0.45, 0.44, 0.43, 0.43, 0.44]
val_losses = [0.9, 0.7, 0.6, 0.62, 0.61, 0.63, 0.64, 0.65]

scenarios = [
    {"name": "es_val_loss_patience2", "callbacks": [{"kind": "EarlyStopping", "args": {"patience": 2}}],
     "logs": logs_from(loss=losses, val_loss=val_losses)},
    {"name": "es_patience0_verbose", "callbacks": [{"kind": "EarlyStopping", "args": {"monitor": "loss", "verbose": 1}}],
     "logs": logs_from(loss=noisy)},
    {"name": "es_min_delta", "callbacks": [{"kind": "EarlyStopping", "args": {"monitor": "loss", "min_delta": 0.02, "patience": 1}}],
     "logs": logs_from(loss=noisy)},
    {"name": "es_max_restore", "callbacks": [{"kind": "EarlyStopping", "args": {
        "monitor": "val_accuracy", "mode": "max", "patience": 2, "restore_best_weights": True, "verbose": 1}}],
     "logs": logs_from(val_accuracy=acc, loss=losses + [0.4, 0.4])},
    {"name": "es_baseline_restore", "callbacks": [{"kind": "EarlyStopping", "args": {
        "monitor": "loss", "baseline": 0.5, "patience": 3, "restore_best_weights": True}}],
     "logs": logs_from(loss=[0.9, 0.8, 0.7, 0.75, 0.72, 0.6, 0.55, 0.52])},
    {"name": "es_baseline_beaten", "callbacks": [{"kind": "EarlyStopping", "args": {
        "monitor": "loss", "baseline": 0.85, "patience": 2}}],
     "logs": logs_from(loss=[0.9, 0.8, 0.7, 0.75, 0.72, 0.71, 0.55, 0.52])},
    {"name": "es_start_from_epoch", "callbacks": [{"kind": "EarlyStopping", "args": {
        "monitor": "loss", "patience": 0, "start_from_epoch": 3}}],
     "logs": logs_from(loss=[0.9, 1.0, 1.1, 0.8, 0.7, 0.75, 0.6])},
    {"name": "es_restore_at_end_without_stop", "callbacks": [{"kind": "EarlyStopping", "args": {
        "monitor": "val_loss", "patience": 5, "restore_best_weights": True}}],
     "logs": logs_from(val_loss=[0.5, 0.4, 0.45, 0.42, 0.41])},
    {"name": "es_float32_tie", "callbacks": [{"kind": "EarlyStopping", "args": {"monitor": "loss", "patience": 0}}],
     "logs": logs_from(loss=[1.0, 1.0 - 1e-9, 0.5])},
    {"name": "es_missing_monitor", "callbacks": [{"kind": "EarlyStopping", "args": {"monitor": "val_loss"}}],
     "logs": logs_from(loss=[1.0, 1.1, 1.2])},
    {"name": "es_reused_twice", "runs": 2, "callbacks": [{"kind": "EarlyStopping", "args": {"monitor": "loss", "patience": 1}}],
     "logs": logs_from(loss=[1.0, 0.9, 0.95, 0.97, 0.5])},
    {"name": "rlr_basic", "callbacks": [{"kind": "ReduceLROnPlateau", "args": {
        "monitor": "val_loss", "factor": 0.5, "patience": 2, "verbose": 1}}],
     "logs": logs_from(val_loss=plateau)},
    {"name": "rlr_cooldown_min_lr", "lr": 0.05, "callbacks": [{"kind": "ReduceLROnPlateau", "args": {
        "monitor": "loss", "factor": 0.2, "patience": 1, "cooldown": 2, "min_lr": 0.003, "verbose": 1}}],
     "logs": logs_from(loss=[1.0] * 12)},
    {"name": "rlr_default_min_delta", "callbacks": [{"kind": "ReduceLROnPlateau", "args": {
        "monitor": "loss", "patience": 1}}],
     "logs": logs_from(loss=[1.0, 0.99995, 0.9999, 0.99985, 0.9, 0.89995, 0.89991])},
    {"name": "rlr_max_mode", "callbacks": [{"kind": "ReduceLROnPlateau", "args": {
        "monitor": "val_accuracy", "mode": "max", "factor": 0.1, "patience": 2, "min_delta": 0}}],
     "logs": logs_from(val_accuracy=acc)},
    {"name": "lrs_halve", "callbacks": [{"kind": "LearningRateScheduler", "args": {"schedule": "halve_after_2", "verbose": 1}}],
     "logs": logs_from(loss=losses[:5])},
    {"name": "lrs_linear", "callbacks": [{"kind": "LearningRateScheduler", "args": {"schedule": "linear_decay"}}],
     "logs": logs_from(loss=losses[:4])},
    {"name": "csv_no_val_keys", "callbacks": [{"kind": "CSVLogger"}],
     "logs": logs_from(loss=[0.5, 0.25, 1e-05], accuracy=[0.1, 0.30000000000000004, 1.0])},
    {"name": "csv_val_and_lr", "callbacks": [
        {"kind": "ReduceLROnPlateau", "args": {"monitor": "val_loss", "patience": 1, "factor": 0.5}},
        {"kind": "CSVLogger"}],
     "logs": logs_from(loss=losses[:5], val_loss=val_losses[:5], accuracy=acc[:5], val_accuracy=acc[:5])},
    {"name": "csv_missing_later_key_separator", "callbacks": [{"kind": "CSVLogger", "args": {"separator": ";"}}],
     "logs": logs_from(loss=[0.5, 0.4, 0.3], val_loss=[0.6, None, 0.2])},
    {"name": "csv_append_existing", "runs": 2, "callbacks": [{"kind": "CSVLogger", "args": {"append": True}}],
     "logs": logs_from(loss=[0.5, 0.4])},
    {"name": "csv_overwrite_existing", "csv_prefill": "old,content\r\n", "callbacks": [{"kind": "CSVLogger"}],
     "logs": logs_from(loss=[0.5, 0.4])},
    {"name": "csv_append_to_prefilled", "csv_prefill": "epoch,loss,val_loss\r\n0,1.0,NA\r\n",
     "callbacks": [{"kind": "CSVLogger", "args": {"append": True}}], "logs": logs_from(loss=[0.5, 0.4])},
    {"name": "nan_stops", "callbacks": [{"kind": "TerminateOnNaN"}],
     "batch_losses": {"0": [1.0, 0.9], "1": [0.8, float("nan"), 0.7]},
     "logs": logs_from(loss=[0.95, float("nan"), 0.5])},
    {"name": "inf_stops", "callbacks": [{"kind": "TerminateOnNaN"}],
     "batch_losses": {"0": [1.0, float("inf")]}, "logs": logs_from(loss=[0.95, 0.9])},
]


def encode(v):
    # Floats are written as Python repr strings: Foundation's JSON number parser on Linux is not
    # correctly rounded, and these tests compare exactly.
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [encode(x) for x in v]
    return v


results = []
for s in scenarios:
    results.append({"scenario": encode(s), "expected": encode(run(s))})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "callbacks.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": results}, f, indent=1)
print(f"wrote {len(results)} callback scenarios")
