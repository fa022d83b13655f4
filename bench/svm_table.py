"""Prints the Markdown table of bench/svm-results.jsonl and, when present, bench/svm-results-50k.jsonl (both
written by bench/svm.py)."""
import json, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fmt(ms):
    return "—" if ms is None else (f"{ms:.2f}" if ms < 10 else f"{ms:.0f}")


def main():
    rows = []
    for name in ["svm-results.jsonl", "svm-results-50k.jsonl"]:
        path = os.path.join(ROOT, "bench", name)
        if os.path.exists(path):
            rows += [json.loads(l) for l in open(path) if l.strip()]
    refit = next((r["warm_refit_wasm"] for r in rows if "warm_refit_wasm" in r), None)
    rows = [r for r in rows if "data" in r]
    print("| data | n | d | formulation | C | ours native 1e-3 / 1e-6 (ms) | ours wasm 1e-3 / 1e-6 (ms) | LIBLINEAR 1e-3 / 1e-6 (ms) | LIBLINEAR -e 0.1: primal excess | libsvm-js 1e-3 / 1e-6 (ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        capped = " (capped)" if r.get("ours_native_capped_1e-06") else ""
        ll = f"{fmt(r.get('liblinear_ms_0.001'))} / {fmt(r.get('liblinear_ms_1e-06'))}" if "liblinear_ladder" in r else "n/a"
        ll_def = f"{r['liblinear_default_excess']:.1e}" if "liblinear_ladder" in r else "n/a"
        sv = f"{fmt(r.get('libsvm_ms_0.001'))} / {fmt(r.get('libsvm_ms_1e-06'))}" if "libsvm_ladder" in r else "n/a"
        print(f"| {r['data']} | {r['n']} | {r['d']} | {r['formulation']} | {r['C']:g} | "
              f"{fmt(r['ours_native_ms_0.001'])} / {fmt(r['ours_native_ms_1e-06'])}{capped} | "
              f"{fmt(r['ours_wasm_ms_0.001'])} / {fmt(r['ours_wasm_ms_1e-06'])} | {ll} | {ll_def} | {sv} |")
    if refit:
        print(f"\nWarm refit after one training step (wasm in node, n = 500, d = 2, both bias modes, hidden features "
              f"included): median {refit['ms']:.3f} ms, p90 {refit['ms_p90']:.3f} ms, {refit['epochs']} epoch(s).")
    # Summary counts.
    binary = [r for r in rows if "liblinear_ladder" in r]
    ll_miss = sum(1 for r in binary if r.get("liblinear_ms_0.001") is None)
    ll_miss6 = sum(1 for r in binary if r.get("liblinear_ms_1e-06") is None)
    ours_miss = [f"{r['data']} {r['formulation']} C={r['C']:g}" for r in rows
                 if max(r.get("ours_native_excess_1e-06", 0), r.get("ours_wasm_excess_1e-06", 0)) > 1e-6
                 or r.get("ours_native_capped_1e-06") or r.get("optimum_capped")]
    print(f"\nCells with LIBLINEAR: {len(binary)}; LIBLINEAR misses 1e-3 in {ll_miss} and 1e-6 in {ll_miss6}. "
          f"Ours misses 1e-6 (native or wasm, or hits its epoch guard) in {len(ours_miss)} of {len(rows)}"
          + (f" ({'; '.join(ours_miss)})." if ours_miss else "."))
    for gap in ["0.001", "1e-06"]:
        both = [r for r in binary if r.get(f"liblinear_ms_{gap}") is not None]
        faster = [r for r in both if r[f"ours_native_ms_{gap}"] <= r[f"liblinear_ms_{gap}"]]
        slower = [f"{r['data']} {r['formulation']} C={r['C']:g} ({fmt(r[f'ours_native_ms_{gap}'])} vs "
                  f"{fmt(r[f'liblinear_ms_{gap}'])} ms)" for r in both if r not in faster]
        print(f"Where LIBLINEAR reaches {float(gap):g}, ours (native) is as fast or faster in {len(faster)} of {len(both)}"
              + (f"; slower in: {'; '.join(slower)}." if slower else "."))


if __name__ == "__main__":
    main()
