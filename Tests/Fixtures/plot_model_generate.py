"""Writes plot_model.json: the nodes (HTML labels) and edges of keras.utils.model_to_dot for a few
models, keyed by layer name (Keras keys nodes by id(layer)). Needs pydot.

Run: KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/plot_model_generate.py
"""
import json
import os

import keras
from keras.src.utils.model_visualization import model_to_dot


def describe(model, **options):
    names = {}

    def visit(m):
        for layer in getattr(m, "_operations", None) or m.layers:
            names[str(id(layer))] = layer.name
            if isinstance(layer, (keras.Sequential, keras.Model)) and hasattr(layer, "layers"):
                visit(layer)
        if isinstance(m, keras.Sequential):
            for layer in m.layers:
                names[str(id(layer))] = layer.name

    visit(model)
    dot = model_to_dot(model, **options)

    def collect(graph, cluster):
        nodes, edges, clusters = [], [], []
        for node in graph.get_nodes():
            if node.get_name() in ("node", "edge", "graph"):
                continue
            nodes.append({"name": names[node.get_name()], "label": node.get("label"), "cluster": cluster})
        for edge in graph.get_edges():
            edges.append([names[edge.get_source()], names[edge.get_destination()]])
        for sub in graph.get_subgraphs():
            label = sub.get("label")
            clusters.append(label)
            n, e, c = collect(sub, label)
            nodes += n
            edges += e
            clusters += c
        return nodes, edges, clusters

    nodes, edges, clusters = collect(dot, None)
    return {"rankdir": dot.get("rankdir"), "nodes": nodes, "edges": edges, "clusters": clusters}


def main():
    keras.utils.clear_session()
    sequential = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="hidden"),
                                   keras.layers.Dense(2, name="out")], name="seq")
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    h = keras.layers.Dense(5, name="h")(keras.layers.Concatenate(name="cat")([a, b]))
    frozen = keras.layers.Dense(2, name="frozen")
    frozen.trainable = False
    functional = keras.Model([a, b], [keras.layers.Dense(1, name="score")(h), frozen(h)], name="two_in")
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="inner_dense"),
                              keras.layers.Dense(2, name="inner_out")], name="inner")
    x = keras.Input((4,), name="x")
    nested = keras.Model(x, keras.layers.Dense(1, name="head")(inner(x)), name="outer")
    cases = {
        "sequential_shapes": describe(sequential, show_shapes=True),
        "functional_all": describe(functional, show_shapes=True, show_dtype=True, show_trainable=True, rankdir="LR"),
        "functional_plain": describe(functional, show_layer_names=False),
        "nested_collapsed": describe(nested, show_shapes=True),
        "nested_expanded": describe(nested, expand_nested=True),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plot_model.json")
    with open(path, "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
