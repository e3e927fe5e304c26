"""Records Keras 3's exact progress-bar output for scripted runs with a fake clock.

Writes progbar.json: each case lists events (set the clock to `t`, then call a ProgbarLogger hook
or a Progbar method) and the exact text Keras printed (dynamic display, as on any Linux terminal).
The Swift tests (ProgbarTests) replay the events against our Progbar / ProgbarLogger.
"""
import contextlib
import io
import json
import os
from unittest import mock

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
from keras.src.callbacks.progbar_logger import ProgbarLogger  # noqa: E402
from keras.src.utils.progbar import Progbar  # noqa: E402

clock = {"t": 0.0}


def replay(case):
    out = io.StringIO()
    with mock.patch("keras.src.utils.progbar.time.time", lambda: clock["t"]), contextlib.redirect_stdout(out):
        logger, bar = None, None
        for ev in case["events"]:
            clock["t"] = ev["t"]
            call = ev["call"]
            logs = ev.get("logs")
            if call == "logger":
                logger = ProgbarLogger()
                logger.set_params({"verbose": ev["verbose"], "epochs": ev["epochs"], "steps": ev["steps"]})
            elif call == "progbar":
                bar = Progbar(ev["target"], verbose=ev.get("verbose", 1),
                              stateful_metrics=ev.get("stateful"))
            elif call == "update":
                bar.update(ev["current"], [tuple(x) for x in ev.get("values", [])], finalize=ev.get("finalize"))
            elif call == "add":
                bar.add(ev["n"], [tuple(x) for x in ev.get("values", [])])
            elif call in ("on_epoch_begin", "on_epoch_end", "on_train_batch_end", "on_test_batch_end",
                          "on_predict_batch_end"):
                getattr(logger, call)(ev["index"], logs)
            else:
                getattr(logger, call)(logs)
    return out.getvalue()


def fit_events(epochs, steps, verbose, dt, t0=1000.0, val=True, metric_scale=1.0, first_step=None):
    ev = [{"t": t0, "call": "logger", "verbose": verbose, "epochs": epochs, "steps": steps},
          {"t": t0, "call": "on_train_begin"}]
    t = t0
    for e in range(epochs):
        ev.append({"t": t, "call": "on_epoch_begin", "index": e})
        for b in range(steps):
            t += (first_step if (b == 0 and first_step) else dt)
            loss = (1.0 / (1 + e + 0.1 * b)) * metric_scale
            ev.append({"t": t, "call": "on_train_batch_end", "index": b,
                       "logs": {"accuracy": 0.1 + 0.05 * b + 0.1 * e, "loss": loss}})
        t += dt
        logs = {"accuracy": 0.1 + 0.05 * (steps - 1) + 0.1 * e, "loss": (1.0 / (1 + e + 0.1 * (steps - 1))) * metric_scale}
        if val:
            logs["val_accuracy"] = 0.2 + 0.1 * e
            logs["val_loss"] = 0.9 / (1 + e)
        ev.append({"t": t, "call": "on_epoch_end", "index": e, "logs": logs})
    ev.append({"t": t, "call": "on_train_end"})
    return ev


cases = [
    {"name": "fit_two_epochs_verbose1", "events": fit_events(2, 5, 1, 0.3)},
    {"name": "fit_single_epoch_no_epoch_line", "events": fit_events(1, 12, 1, 0.004, val=False)},
    {"name": "fit_fast_steps_throttled", "events": fit_events(2, 6, 1, 0.02, first_step=0.5)},
    {"name": "fit_verbose2", "events": fit_events(3, 4, 2, 0.25)},
    {"name": "fit_small_values_sci", "events": fit_events(1, 3, 1, 2.5e-4, metric_scale=1e-4)},
    {"name": "fit_eta_minutes", "events": fit_events(1, 3, 1, 40.0, val=False)},
    {"name": "fit_eta_hours", "events": fit_events(1, 3, 1, 2000.0, val=False)},
    {"name": "fit_unknown_steps", "events": [dict(e, steps=None) if e["call"] == "logger" else e
                                             for e in fit_events(2, 3, 1, 0.2, val=False)]},
    {"name": "predict", "events": [
        {"t": 50.0, "call": "logger", "verbose": 1, "epochs": 1, "steps": 4},
        {"t": 50.0, "call": "on_predict_begin"},
        {"t": 50.1, "call": "on_predict_batch_end", "index": 0, "logs": {"outputs": 1.0}},
        {"t": 50.2, "call": "on_predict_batch_end", "index": 1},
        {"t": 50.3, "call": "on_predict_batch_end", "index": 2},
        {"t": 50.35, "call": "on_predict_batch_end", "index": 3},
        {"t": 50.35, "call": "on_predict_end"}]},
    {"name": "evaluate", "events": [
        {"t": 10.0, "call": "logger", "verbose": 1, "epochs": 1, "steps": 3},
        {"t": 10.0, "call": "on_test_begin"},
        {"t": 11.0, "call": "on_test_batch_end", "index": 0, "logs": {"loss": 0.5, "mae": 0.25}},
        {"t": 11.5, "call": "on_test_batch_end", "index": 1, "logs": {"loss": 0.4, "mae": 0.2}},
        {"t": 12.0, "call": "on_test_batch_end", "index": 2, "logs": {"loss": 0.45, "mae": 0.0005}},
        {"t": 12.0, "call": "on_test_end", "logs": {"loss": 0.45, "mae": 0.0005}}]},
    {"name": "progbar_averaging_and_add", "events": [
        {"t": 100.0, "call": "progbar", "target": 10},
        {"t": 100.5, "call": "update", "current": 2, "values": [["loss", 1.0], ["acc", 0.5]]},
        {"t": 101.0, "call": "update", "current": 5, "values": [["loss", 0.5], ["acc", 0.0001]]},
        {"t": 101.01, "call": "update", "current": 6, "values": [["loss", 0.5]]},
        {"t": 102.0, "call": "add", "n": 2, "values": [["loss", -0.25], ["acc", -2e-4]]},
        {"t": 103.0, "call": "update", "current": 10, "values": [["loss", 0.125]]}]},
    {"name": "progbar_stateful_long_target", "events": [
        {"t": 5.0, "call": "progbar", "target": 1234, "stateful": ["loss"]},
        {"t": 5.002, "call": "update", "current": 1, "values": [["loss", 2.0]]},
        {"t": 5.5, "call": "update", "current": 300, "values": [["loss", 1.5]]},
        {"t": 6.5, "call": "update", "current": 1000, "values": [["loss", 1.25]]},
        {"t": 7.0, "call": "update", "current": 1234, "values": [["loss", 1.0]]}]},
]



def encode(v):
    # Floats as repr strings: Foundation's JSON number parser on Linux is not correctly rounded.
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [encode(x) for x in v]
    return v


results = [{"name": c["name"], "events": encode(c["events"]), "expected": replay(c)} for c in cases]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "progbar.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": results}, f, indent=1, ensure_ascii=False)
print(f"wrote {len(results)} progbar cases")
