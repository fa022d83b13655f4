#!/usr/bin/env python3
"""Recomputes, independently of the crate, the angles a run reports: from a run.json written by `lastlayer
reproduce` it takes the last hidden layer's training features, the labels and the network's last layer,
solves the SVM the run compares with by a general convex solver (cvxpy + Clarabel, not our dual coordinate
descent) and measures the angles between the two classifiers as the paper defines them.

    pip install cvxpy numpy
    python3 bench/recompute.py run.json [run.json …]

The SVM (regularised bias, constant feature 1, cost C from the run's config):
  two classes   min ½‖[w; b]‖² + C Σ max(0, 1 − yᵢ (w·hᵢ + b)),          yᵢ = +1 for the second class
  K classes     min ½ Σₖ ‖[wₖ; bₖ]‖² + C Σ max(0, 1 + maxₖ≠yᵢ (wₖ − w_yᵢ)·[hᵢ; 1])   (Crammer–Singer)
The network's classifier: Δw = w₁ − w₀, Δb = b₁ − b₀ for two classes; for K the class-centred rows
(softmax is invariant to adding one vector to every class, and Crammer–Singer's optimum has Σₖ wₖ = 0).

It also recomputes the hidden features from the inputs and the exported layers, in PyTorch's conventions
(numpy only): images are channels × height × width, a `conv` is torch.nn.Conv2d's cross-correlation with
weights out × in × kh × kw and `pad` zeros before the input (top, left; the rest of "same" padding after), a
`pool` is a 2 × 2 max or average pooling at stride 2, the activation follows every conv and every hidden dense
layer, and a dense layer's weights are inputs × outputs — and reports how far they are from the exported ones.
"""
import json
import sys

import cvxpy as cp
import numpy as np


def angle_deg(a, b):
    a = np.ravel(a) / np.linalg.norm(a)
    b = np.ravel(b) / np.linalg.norm(b)
    return float(np.degrees(2 * np.arcsin(min(1.0, np.linalg.norm(a - b) / 2))))


ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "linear": lambda z: z,
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "softsign": lambda z: z / (1.0 + np.abs(z)),
    "square": lambda z: z * z,
}


def layer_forward(layer, a):
    """One exported layer on a batch `a` (n × C × H × W for images, n × d when flat)."""
    kind = layer["kind"]
    if kind == "dense":
        return a.reshape(len(a), -1) @ np.array(layer["weights"]) + np.array(layer["biases"])
    if kind == "conv":
        w = np.array(layer["weights"])  # out × in × k × k
        out_c, _, k, _ = w.shape
        _, oh, ow = layer["output_shape"]
        s = layer["stride"]
        top, left = layer["pad"]
        n, c, h, wd = a.shape
        bottom = max((oh - 1) * s + k - h - top, 0)
        right = max((ow - 1) * s + k - wd - left, 0)
        padded = np.pad(a, ((0, 0), (0, 0), (top, bottom), (left, right)))
        z = np.empty((n, out_c, oh, ow))
        for y in range(oh):
            for x in range(ow):
                window = padded[:, :, s * y : s * y + k, s * x : s * x + k]
                z[:, :, y, x] = np.einsum("ncij,ocij->no", window, w)
        return z + np.array(layer["biases"])[None, :, None, None]
    if kind == "pool":
        n, c, h, wd = a.shape
        a = a[:, :, : h // 2 * 2, : wd // 2 * 2].reshape(n, c, h // 2, 2, wd // 2, 2)
        return a.max(axis=(3, 5)) if layer["mode"] == "max" else a.mean(axis=(3, 5))
    raise ValueError(f"layer kind {kind}")


def features_from_inputs(run):
    """The last hidden layer's outputs of the training inputs, recomputed from the exported layers."""
    x = (np.array(run["train"]["inputs"]) - np.array(run["data"]["mean"])) / np.array(run["data"]["scale"])
    a = x.reshape([len(x)] + run["network"]["input_shape"])
    act = ACTIVATIONS[run["network"]["activation"]]
    for layer in run["network"]["layers"][:-1]:
        a = layer_forward(layer, a)
        if layer["kind"] != "pool":
            a = act(a)
    return a.reshape(len(a), -1)


def recompute(path):
    run = json.load(open(path))
    h = np.array(run["train"]["features"], dtype=float)
    y = np.array(run["train"]["labels"], dtype=int)
    c = float(run["config"]["svm"]["c"])
    last = run["network"]["layers"][-1]
    w_net = np.array(last["weights"], dtype=float)  # hidden × classes
    b_net = np.array(last["biases"], dtype=float)
    k = w_net.shape[1]
    n, d = h.shape
    x = np.hstack([h, np.ones((n, 1))])  # the regularised bias as a constant feature
    if k == 2:
        s = np.where(y == 1, 1.0, -1.0)
        v = cp.Variable(d + 1)
        objective = 0.5 * cp.sum_squares(v) + c * cp.sum(cp.pos(1 - cp.multiply(s, x @ v)))
        cp.Problem(cp.Minimize(objective)).solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
        svm = v.value
        net = np.append(w_net[:, 1] - w_net[:, 0], b_net[1] - b_net[0])
        w_svm, w_nn = svm[:d], net[:d]
    else:
        v = cp.Variable((k, d + 1))
        scores = x @ v.T  # n × k
        onehot = np.eye(k)[y]
        own = cp.sum(cp.multiply(scores, onehot), axis=1)
        # max over k ≠ yᵢ of (score_k − own + 1), with the own class contributing 0 (ξ ≥ 0).
        slack = cp.max(scores - cp.reshape(own, (n, 1), order="C") + 1 - onehot, axis=1)
        objective = 0.5 * cp.sum_squares(v) + c * cp.sum(slack)
        cp.Problem(cp.Minimize(objective)).solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
        svm = v.value - v.value.mean(axis=0)
        net = np.hstack([w_net.T, b_net[:, None]])
        net = net - net.mean(axis=0)
        w_svm, w_nn = svm[:, :d], net[:, :d]
    return {
        "run": path,
        "classes": k,
        "features": d,
        "points": n,
        "step": run["network"]["step"],
        "angle_wb_deg": {"reported": run["final"]["angle_wb_deg"], "recomputed": angle_deg(net, svm)},
        "angle_w_deg": {"reported": run["final"]["angle_w_deg"], "recomputed": angle_deg(w_nn, w_svm)},
        "features_max_difference": float(np.abs(features_from_inputs(run) - h).max()),
    }


if __name__ == "__main__":
    for p in sys.argv[1:]:
        r = recompute(p)
        for key in ("angle_wb_deg", "angle_w_deg"):
            r[key]["difference"] = abs(r[key]["reported"] - r[key]["recomputed"])
        print(json.dumps(r))
