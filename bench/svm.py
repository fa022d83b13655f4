"""SVM solve time, BENCHMARKS.md §2: time to reach a relative primal gap of 1e-3 and 1e-6 against the optimum, for
our solver (native, through `lastlayer svm`; and wasm in node, through bench/svm_wasm.mjs), LIBLINEAR 2.50
(liblinear-official, timed on train() with -q -B 1) and libsvm-js 0.2.1 (free bias, in node), side by side.

The optimum of each cell is our own solve at a relative duality gap of 1e-9 (about the limit of double-precision sums of
n terms at C = 1e4): certified, because the primal can
never be below the dual bound that comes with it. LIBLINEAR is run down a ladder of its stopping tolerance -e
(1e-1 … 1e-8); its time to a gap is that of the coarsest -e whose solution reaches it (— when none does).

    cargo build --release && scripts/build && (cd bench && npm install) && pip install liblinear-official numpy
    python3 bench/svm.py [--quick]        # writes bench/svm-results.jsonl, then prints bench/svm_table.py's table
    python3 bench/svm.py --large          # only n = 50 000, into bench/svm-results-50k.jsonl
"""
import json, os, subprocess, sys, time, statistics
import numpy as np
from liblinear import liblinearutil as ll

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "lastlayer")
WORK = "/tmp/lastlayer-svmbench"
QUICK = "--quick" in sys.argv
LARGE = "--large" in sys.argv  # only the n = 50 000 cells, into bench/svm-results-50k.jsonl
os.makedirs(WORK, exist_ok=True)


def write_csv(name, X, y):
    path = os.path.join(WORK, name + ".csv")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(",".join(f"x{j}" for j in range(X.shape[1])) + ",label\n")
            for row, label in zip(X, y):
                f.write(",".join(repr(float(v)) for v in row) + f",{int(label)}\n")
    return path


def datasets():
    out = []
    fixtures = os.path.join(ROOT, "tests", "fixtures", "svm")
    for fname in sorted(os.listdir(fixtures)):
        if fname.endswith(".json"):
            d = json.load(open(os.path.join(fixtures, fname)))
            X, y = np.array(d["X"], float), np.array(d["y"], int)
            cs = sorted({r["C"] for r in d["references"]})
            out.append((d["name"], write_csv("fx-" + d["name"], X, y), X, y, d["classes"], cs))
    rng = np.random.default_rng(7)
    if LARGE:
        out = []  # the smaller sets are still drawn below, so that the 50 000-point ones are the full run's
    for n in ([500, 5000] if QUICK else [500, 5000, 50000]):
        for dim in [2, 16, 64]:
            u = rng.normal(size=dim)
            u /= np.linalg.norm(u)
            X = rng.normal(size=(n, dim))
            y = ((X @ u + 0.5 * rng.normal(size=n)) > 0).astype(int)
            name = f"gen-n{n}-d{dim}"
            if LARGE and n != 50000:
                continue
            out.append((name, write_csv(name, X, y), X, y, 2, [1.0, 100.0, 1e4]))
    return out


def primal(X, y, w, b, c, formulation):
    """The objective of the formulation at (w, b), computed here, independently of both solvers."""
    if formulation == "crammer-singer":
        S = X @ w.T + b
        sy = S[np.arange(len(y)), y]
        S2 = S.copy()
        S2[np.arange(len(y)), y] = -np.inf
        return 0.5 * (np.sum(w * w) + np.sum(b * b)) + c * np.sum(np.maximum(0, 1 + S2.max(1) - sy))
    s = 2 * y - 1
    z = np.maximum(0, 1 - s * (X @ w + b))
    loss = np.sum(z * z) if formulation.startswith("sqhinge") else np.sum(z)
    reg = np.dot(w, w) + (0 if "freebias" in formulation else b * b)
    return 0.5 * reg + c * loss


def ours_native(path, formulation, c, tol, reps=3, max_epochs=200000):
    """Median fit time over up to `reps` runs (one when a fit takes over a second)."""
    runs = []
    for _ in range(reps):
        out = subprocess.run([BIN, "svm", "--csv", path, "--formulation", formulation, "--c", repr(c), "--tol", repr(tol),
                              "--max-epochs", str(max_epochs)], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
        if runs[-1]["ms"] > 1000:
            break
    return statistics.median(r["ms"] for r in runs), runs[-1]


class Wasm:
    def __init__(self):
        self.p = subprocess.Popen(["node", os.path.join(ROOT, "bench", "svm_wasm.mjs")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def ask(self, job):
        self.p.stdin.write(json.dumps(job) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())


def liblinear_ladder(X, y, c, formulation, p_star):
    solver = {"hinge-regbias": 3, "sqhinge-regbias": 1, "crammer-singer": 4}[formulation]
    prob = ll.problem(y.tolist(), X.tolist())
    ladder = []
    for e in [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            m = ll.train(prob, ll.parameter(f"-s {solver} -c {c} -B 1 -e {e} -q"))
            times.append(1e3 * (time.perf_counter() - t0))
            if times[-1] > 1000:
                break
        W, B = weights_of(m, X.shape[1])
        if formulation == "crammer-singer":
            p = primal(X, y, W, B, c, formulation)
        else:
            p = primal(X, y, W[0], B[0], c, formulation)
        ladder.append((e, statistics.median(times), (p - p_star) / p_star))
    return ladder


def weights_of(m, d):
    """LIBLINEAR's weights as (K or 1) rows and biases, class 1 = +1 for binary models."""
    labels = m.get_labels()
    nr = m.get_nr_class()
    rows = 1 if nr == 2 else nr
    W = np.array([[m.get_decfun_coef(j + 1, k) for j in range(d)] for k in range(rows)])
    B = np.array([m.get_decfun_bias(k) for k in range(rows)])
    if nr == 2 and labels[0] == 0:
        W, B = -W, -B
    if nr > 2:
        order = np.argsort(labels)
        W, B = W[order], B[order]
    return W, B


def reach(ladder, gap):
    for e, ms, excess in ladder:
        if excess <= gap:
            return ms, e
    return None, None


RESULTS = os.path.join(ROOT, "bench", "svm-results-50k.jsonl" if LARGE else "svm-results.jsonl")


def log(row):
    with open(RESULTS, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps({k: v for k, v in row.items() if not k.endswith("ladder")}), file=sys.stderr, flush=True)


def main():
    open(RESULTS, "w").close()
    wasm = Wasm()
    rows = []
    for name, path, X, y, classes, cs in datasets():
        forms = ["crammer-singer"] if classes > 2 else ["hinge-regbias", "sqhinge-regbias"]
        for formulation in forms:
            for c in cs:
                _, ref = ours_native(path, formulation, c, 1e-9, reps=1, max_epochs=1000000)
                p_star = ref["primal"]
                row = {"data": name, "n": len(y), "d": X.shape[1], "formulation": formulation, "C": c,
                       "optimum": p_star, "optimum_rel_gap": ref["rel_gap"], "optimum_capped": ref["capped"]}
                for tol in [1e-3, 1e-6]:
                    ms, out = ours_native(path, formulation, c, tol)
                    row[f"ours_native_ms_{tol:g}"] = ms
                    row[f"ours_native_excess_{tol:g}"] = (out["primal"] - p_star) / p_star
                    row[f"ours_native_capped_{tol:g}"] = out["capped"]
                    w = wasm.ask({"mode": "ours", "csv": path, "formulation": formulation, "c": c, "tol": tol, "reps": 3 if ms < 1000 else 1})
                    row[f"ours_wasm_ms_{tol:g}"] = w["ms"]
                    row[f"ours_wasm_excess_{tol:g}"] = (w["primal"] - p_star) / p_star
                ladder = liblinear_ladder(X, y, c, formulation, p_star)
                row["liblinear_ladder"] = ladder
                for gap in [1e-3, 1e-6]:
                    ms, e = reach(ladder, gap)
                    row[f"liblinear_ms_{gap:g}"] = ms
                    row[f"liblinear_eps_{gap:g}"] = e
                row["liblinear_default_excess"] = next(x for e, _, x in ladder if e == (0.1 if formulation != "crammer-singer" else 0.1))
                rows.append(row)
                log(row)
        # libsvm-js (free bias) on the binary sets up to 5 000 points, against our free-bias optimum.
        if classes == 2 and len(y) <= 5000:
            for c in cs:
                _, ref = ours_native(path, "hinge-freebias", c, 1e-9, reps=1, max_epochs=1000000)
                p_star = ref["primal"]
                row = {"data": name, "n": len(y), "d": X.shape[1], "formulation": "hinge-freebias", "C": c, "optimum": p_star}
                for tol in [1e-3, 1e-6]:
                    ms, out = ours_native(path, "hinge-freebias", c, tol)
                    row[f"ours_native_ms_{tol:g}"] = ms
                    w = wasm.ask({"mode": "ours", "csv": path, "formulation": "hinge-freebias", "c": c, "tol": tol, "reps": 3 if ms < 1000 else 1})
                    row[f"ours_wasm_ms_{tol:g}"] = w["ms"]
                ladder = []
                for e in [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6]:
                    if c >= 1e4 and len(y) > 500:
                        break  # LIBSVM's SMO at C = 1e4 on thousands of overlapping points runs for minutes
                    r = wasm.ask({"mode": "libsvm", "csv": path, "c": c, "eps": e, "reps": 1})
                    ladder.append((e, r["ms"], (r["primal"] - p_star) / p_star))
                row["libsvm_ladder"] = ladder
                for gap in [1e-3, 1e-6]:
                    row[f"libsvm_ms_{gap:g}"], _ = reach(ladder, gap)
                rows.append(row)
                log(row)
    refit = wasm.ask({"mode": "refit", "reps": 300})
    log({"warm_refit_wasm": refit})
    import svm_table
    svm_table.main()


if __name__ == "__main__":
    main()
