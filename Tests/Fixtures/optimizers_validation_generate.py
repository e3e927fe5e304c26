"""Generates Tests/Fixtures/optimizers_validation.json: which optimizer and learning-rate-schedule
configs real Keras rejects.

Run from the repository root:  python3 Tests/Fixtures/optimizers_validation_generate.py

Each case is deserialized with `keras.optimizers.deserialize` (or
`keras.optimizers.schedules.deserialize`), Keras's own config path, and records whether Keras
raised and its message. Two groups:
  - "keras": swift-keras must reject exactly the configs Keras rejects;
  - "beyond_keras": configs Keras accepts but that cannot train (negative or overflowing rates,
    betas outside their range, non-integer step counts); swift-keras rejects them too, and the
    generator checks that Keras indeed lets them through, so the difference stays documented.
Numbers are written as floats: Keras rejects a Python int `learning_rate` or `momentum`, a
Python-only distinction JSON does not carry.
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def opt(cls, **config):
    return ("optimizer", cls, config)


def sched(cls, **config):
    return ("schedule", cls, config)


KERAS = [
    # Rejected by Keras.
    opt("SGD", momentum=5.0),
    opt("SGD", momentum=-0.1),
    opt("SGD", momentun=0.9),
    opt("Adam", foo=1.0),
    opt("Lion", beta_1=0.0),
    opt("Lion", beta_1=1.5),
    opt("Adam", clipnorm=1.0, clipvalue=0.5),
    opt("Adam", clipnorm=1.0, global_clipnorm=1.0),
    opt("RMSprop", clipvalue=1.0, global_clipnorm=2.0),
    opt("AdamW", weight_decay=None),
    opt("Adam", learning_rate="0.1"),
    opt("Adam", gradient_accumulation_steps=1),
    opt("Adam", use_ema=True, ema_momentum=2.0),
    opt("Nadam", decay_rate=0.1),
    sched("ExponentialDecay", initial_learning_rate=0.1, decay_steps=0, decay_rate=0.9),
    sched("InverseTimeDecay", initial_learning_rate=0.1, decay_steps=-5, decay_rate=0.9),
    sched("PolynomialDecay", initial_learning_rate=0.1, decay_steps=0),
    sched("CosineDecay", initial_learning_rate=0.1, decay_steps=0),
    sched("CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=0),
    sched("PiecewiseConstantDecay", boundaries=[5, 10], values=[1.0, 0.5]),
    sched("ExponentialDecay", initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9, warmup=3),
    # Accepted by Keras: the edges of each range.
    opt("SGD", momentum=0.0),
    opt("SGD", momentum=1.0, nesterov=True),
    opt("Lion", beta_1=1.0, beta_2=0.0),
    opt("Adam", beta_1=0.0, beta_2=0.0, epsilon=0.0, amsgrad=True),
    opt("Adam", learning_rate=0.0, clipvalue=0.5),
    opt("Adam", clipnorm=0.0),
    opt("AdamW", weight_decay=0.0, global_clipnorm=1.0),
    opt("RMSprop", rho=1.0, momentum=1.0, centered=True),
    opt("Adagrad", initial_accumulator_value=0.0),
    opt("Adadelta", rho=0.0, epsilon=1e-3),
    opt("Adamax", beta_1=0.5, beta_2=0.5),
    opt("Nadam", weight_decay=0.1),
    opt("SGD", decay=0.0),
    opt("Adam", name="my_adam", use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
        loss_scale_factor=None, gradient_accumulation_steps=None),
    sched("ExponentialDecay", initial_learning_rate=0.1, decay_steps=1, decay_rate=0.0, staircase=True),
    sched("PiecewiseConstantDecay", boundaries=[5], values=[1.0, 0.5]),
    sched("CosineDecay", initial_learning_rate=0.0, decay_steps=10, warmup_target=0.1, warmup_steps=0),
    sched("CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=1, t_mul=1.0, m_mul=0.0),
]

BEYOND_KERAS = [
    opt("Optimizerr"),  # Keras's deserialize hands the unknown name back; it fails later
    opt("SGD", learning_rate=-0.1),
    opt("Adam", learning_rate=1e300),
    opt("Adam", beta_1=1.0),
    opt("Adam", beta_2=1.5),
    opt("Adam", beta_1=-0.1),
    opt("Adam", epsilon=-1e-7),
    opt("AdamW", weight_decay=-0.1),
    opt("Adam", weight_decay=-0.004),
    opt("Adam", clipnorm=-1.0),
    opt("SGD", clipvalue=-0.5),
    opt("RMSprop", rho=1.5),
    opt("RMSprop", momentum=2.0),
    opt("Adagrad", initial_accumulator_value=-0.1),
    opt("Adadelta", rho=-0.5),
    opt("Adamax", beta_2=1.0),
    opt("Nadam", epsilon=-1.0),
    opt("Lion", beta_2=1.5),
    opt("SGD", momentum=0.5, weight_decay=1e300),
    sched("ExponentialDecay", initial_learning_rate=-0.1, decay_steps=10, decay_rate=0.9),
    sched("ExponentialDecay", initial_learning_rate=0.1, decay_steps=10, decay_rate=-0.9),
    sched("ExponentialDecay", initial_learning_rate=0.1, decay_steps=1e300, decay_rate=0.9),
    sched("InverseTimeDecay", initial_learning_rate=0.1, decay_steps=2.5, decay_rate=0.9),
    sched("PiecewiseConstantDecay", boundaries=[5], values=[1.0, -0.5]),
    sched("CosineDecay", initial_learning_rate=0.1, decay_steps=10, warmup_steps=-1),
    sched("CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=10, t_mul=0.0),
    sched("CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=10, m_mul=-1.0),
]


def run(kind, cls, config):
    try:
        if kind == "optimizer":
            keras.optimizers.deserialize({"class_name": cls, "config": config})
        else:
            keras.optimizers.schedules.deserialize({"class_name": cls, "config": config})
        return False, None
    except Exception as e:  # Keras raises ValueError or TypeError
        return True, f"{type(e).__name__}: {e}"


cases = []
for group, entries in [("keras", KERAS), ("beyond_keras", BEYOND_KERAS)]:
    for kind, cls, config in entries:
        raises, message = run(kind, cls, config)
        if group == "beyond_keras":
            assert not raises, f"Keras now rejects {cls} {config}: {message}; move it to KERAS"
        cases.append({"group": group, "kind": kind, "class_name": cls, "config": config,
                      "keras_raises": raises, "keras_error": message})

with open(os.path.join(HERE, "optimizers_validation.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": cases}, f, indent=1)
print("wrote optimizers_validation.json:", len(cases), "cases")
