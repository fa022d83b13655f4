"""`lastlayer check` at a real network's size (BENCHMARKS.md §8): a CIFAR-10 ResNet's penultimate layer is
50 000 × 512 with 10 classes. This makes features of that shape with a realistic structure — non-negative
(after a ReLU and average pooling), class-clustered in a low-dimensional subspace, overlapping a little, plus
a last layer trained by softmax cross-entropy — saves them as float32 with np.savez, and times:

  * LIBLINEAR 2.50 `-s 4` (Crammer–Singer, the bias as a feature: `-B 1`), at its default stopping rule
    (`-e 0.1`), as its documentation intends; timed on train() alone;
  * ours, native (`lastlayer svm --csv FILE.npz --formulation crammer-singer`), its solver's own `ms`, down
    a ladder of stopping tolerances; its time to LIBLINEAR's objective is that of the coarsest tolerance
    whose solution's primal objective is at or below LIBLINEAR's (both primals computed here by one numpy
    function, independently of either solver; our dual bound is printed beside);
  * the whole `lastlayer check` of the file (read, both machines where they exist, every metric, figures),
    wall time and peak memory (/usr/bin/time -v).

    cargo build --release && pip install liblinear-official numpy scipy
    python3 bench/check_large.py [--n 50000] [--d 512] [--c 1]
"""
import argparse, json, os, subprocess, time
import numpy as np
import scipy.sparse as sp
from liblinear import liblinearutil as ll

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "lastlayer")
WORK = "/tmp/lastlayer-checkbench"

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=50000)
ap.add_argument("--d", type=int, default=512)
ap.add_argument("--k", type=int, default=10)
ap.add_argument("--c", type=float, default=1.0)
args = ap.parse_args()
os.makedirs(WORK, exist_ok=True)
path = os.path.join(WORK, f"resnet-like-n{args.n}-d{args.d}-k{args.k}.npz")


def make():
    rng = np.random.default_rng(2026)
    n, d, k, latent = args.n, args.d, args.k, 64
    centres = rng.normal(size=(k, latent)) * 1.3
    lift = rng.normal(size=(latent, d)) / np.sqrt(latent)
    def draw(m):
        y = rng.integers(0, k, size=m)
        z = centres[y] + rng.normal(size=(m, latent))
        h = np.maximum(0.0, z @ lift + 0.3 * rng.normal(size=(m, d)) + 0.2)
        return h.astype(np.float32), y.astype(np.int64)
    X, y = draw(n)
    Xt, yt = draw(n // 5)
    # A last layer trained by full-batch softmax cross-entropy (gradient descent, 200 steps).
    W = np.zeros((k, d)); b = np.zeros(k)
    Xd = X.astype(np.float64)
    for _ in range(200):
        S = Xd @ W.T + b
        S -= S.max(1, keepdims=True)
        P = np.exp(S); P /= P.sum(1, keepdims=True)
        P[np.arange(n), y] -= 1
        W -= 0.5 * (P.T @ Xd) / n
        b -= 0.5 * P.mean(0)
    np.savez(path, features=X, labels=y, weight=W.astype(np.float32), bias=b.astype(np.float32),
             test_features=Xt, test_labels=yt)


def primal(X, y, W, B, c):
    S = X @ W.T + B
    sy = S[np.arange(len(y)), y]
    S[np.arange(len(y)), y] = -np.inf
    return 0.5 * (np.sum(W * W) + np.sum(B * B)) + c * np.sum(np.maximum(0, 1 + S.max(1) - sy))


if not os.path.exists(path):
    t0 = time.perf_counter(); make(); print(f"made {path} in {time.perf_counter() - t0:.0f} s")
print(f"{path}: {os.path.getsize(path) / 1e6:.0f} MB")
z = np.load(path)
X = z["features"].astype(np.float64); y = z["labels"]
n, d = X.shape

prob = ll.problem(y.tolist(), sp.csr_matrix(X))
t0 = time.perf_counter()
m = ll.train(prob, ll.parameter(f"-s 4 -c {args.c} -B 1 -q"))
ll_s = time.perf_counter() - t0
labels = m.get_labels()
W = np.array([[m.get_decfun_coef(j + 1, c) for j in range(d)] for c in range(args.k)])
B = np.array([m.get_decfun_bias(c) for c in range(args.k)])
order = np.argsort(labels); W, B = W[order], B[order]
p_ll = primal(X, y, W, B, args.c)
print(f"LIBLINEAR -s 4 -c {args.c} -B 1 (-e 0.1): {ll_s:.2f} s, primal {p_ll:.6f}")

# Ours: the solver's iterate after every epoch (`--trace`; its time excludes the printing), the primal of each
# computed here; the time to LIBLINEAR's objective is the first epoch's whose primal is at or below it.
proc = subprocess.Popen([BIN, "svm", "--csv", path, "--formulation", "crammer-singer", "--c", repr(args.c),
                         "--trace"], stdout=subprocess.PIPE, text=True)
reached = None
for line in proc.stdout:
    r = json.loads(line)
    p = primal(X, y, np.array(r["W"]), np.array(r["b"]), args.c)
    print(f"ours, unit {r['unit']}: {r['ms'] / 1e3:.3f} s, primal {p:.6f}")
    if p <= p_ll:
        reached = r["ms"] / 1e3
        break
proc.kill()
if reached is not None:
    print(f"→ ours reaches LIBLINEAR's objective in {reached:.2f} s = {reached / ll_s:.2f}× LIBLINEAR's time")
else:
    print("→ ours never reached LIBLINEAR's objective")
# And to its own certificate at the measurements' tolerance (1e-9), as `lastlayer check` solves it.
out = subprocess.run([BIN, "svm", "--csv", path, "--formulation", "crammer-singer", "--c", repr(args.c)],
                     capture_output=True, text=True, check=True)
r = json.loads(out.stdout)
print(f"ours to a certified relative gap of {r['rel_gap']:.1e}: {r['ms'] / 1e3:.2f} s, {r['epochs']} passes, "
      f"primal {primal(X, y, np.array(r['W']), np.array(r['b']), args.c):.6f}")

t0 = time.perf_counter()
out = subprocess.run(["/usr/bin/time", "-v", BIN, "check", path, "--c", repr(args.c), "--out", os.path.join(WORK, "out")],
                     capture_output=True, text=True)
wall = time.perf_counter() - t0
rss = [l for l in out.stderr.splitlines() if "Maximum resident" in l]
print(out.stdout)
print(f"lastlayer check: {wall:.1f} s wall; {rss[0].strip() if rss else ''}")
