#!/usr/bin/env python3
"""End-to-end benchmark of `sla-report run` against the CSV-parse floor.

Generates the data once (`sla-report sample`), then runs, several times
each: the floor (benches/csv_floor.rs, a bare csv-crate loop reading the
same two files), `sla-report run` with one thread and with all threads.
The three are interleaved round by round, so that a machine whose speed
drifts (a shared virtual machine) slows all three alike.
Prints median wall times, peak resident memory (from wait4), throughput,
the ratio to the floor and the thread scaling, checks that the outputs
of the one- and two-thread runs are byte-identical, and prints each target
of issue 4 as met or not. Never part of the test suite.

    python3 benches/bench.py                   # 1,000,000 tickets, 3 runs
    python3 benches/bench.py --tickets 10000000 --runs 3
"""
import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "sla-report", "target")


def build():
    env = dict(os.environ, CARGO_TARGET_DIR=target_dir())
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        ["cargo", "bench", "--bench", "csv_floor", "--no-run", "--message-format=json", "-q"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    floor = None
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == "csv_floor":
            floor = msg["executable"]
    if floor is None:
        sys.exit("could not find the csv_floor benchmark executable")
    return os.path.join(target_dir(), "release", "sla-report"), floor


def measure(cmd, env=None):
    """Wall seconds and peak RSS (MiB) of one run of cmd."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024


def report(label, walls, rss):
    med = statistics.median(walls)
    print(f"  {label:<28} median {med:7.3f} s   runs {' '.join(f'{w:.3f}' for w in walls)}"
          f"   peak RSS {max(rss):7.0f} MiB")
    return med, max(rss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", default=os.path.join("/tmp", "sla-report-bench"))
    args = ap.parse_args()

    binary, floor = build()
    data = os.path.join(args.data, f"{args.tickets}-{args.seed}")
    tickets = os.path.join(data, "tickets.csv")
    changes = os.path.join(data, "priority_changes.csv")
    if not (os.path.exists(tickets) and os.path.exists(changes)):
        subprocess.run([binary, "sample", "--tickets", str(args.tickets), "--seed", str(args.seed),
                        "--months", "12", "--out", data], check=True)
    size = (os.path.getsize(tickets) + os.path.getsize(changes)) / 2**20
    print(f"sla-report benchmark: {args.tickets:,} tickets, {size:.0f} MiB of CSV, "
          f"{os.cpu_count()} cores, {args.runs} runs each")

    # both series write to the same --out (report.html names it), then the
    # one-thread report is set aside and compared with the all-thread one
    out2 = os.path.join(data, "out")
    out1 = os.path.join(data, "out-1thread")
    run = [binary, "run", "--tickets", tickets, "--changes", changes, "--out", out2]
    env1 = dict(os.environ, RAYON_NUM_THREADS="1")
    walls = {"floor": [], "one": [], "all": []}
    rss = {"floor": [], "one": [], "all": []}
    for _ in range(args.runs):
        for key, cmd, env in [("floor", [floor, tickets, changes], None),
                              ("one", run, env1), ("all", run, None)]:
            if key == "all":
                shutil.rmtree(out1, ignore_errors=True)
                os.rename(out2, out1)
            w, m = measure(cmd, env)
            walls[key].append(w)
            rss[key].append(m)
    floor_t, _ = report("csv floor (bare csv loop)", walls["floor"], rss["floor"])
    one_t, _ = report("sla-report run (1 thread)", walls["one"], rss["one"])
    all_t, all_rss = report(f"sla-report run ({os.cpu_count()} threads)", walls["all"], rss["all"])

    files = sorted(f for f in os.listdir(out2) if not f.startswith("."))
    same = all(filecmp.cmp(os.path.join(out1, f), os.path.join(out2, f), shallow=False)
               for f in files)
    ratio = all_t / floor_t
    scaling = one_t / all_t
    print(f"  throughput                   {args.tickets / all_t:,.0f} tickets/s")
    print(f"  ratio to the csv floor       {ratio:.2f}x")
    print(f"  thread scaling (1 -> all)    {scaling:.2f}x")
    print(f"  outputs byte-identical 1 vs all threads: {'yes' if same else 'NO'} ({len(files)} files)")

    def verdict(ok):
        return "met" if ok else "NOT met"
    print("targets (issue 4):")
    if args.tickets >= 10_000_000:
        print(f"  10M tickets under 10 s:        {verdict(all_t < 10)} ({all_t:.2f} s)")
        # 2 GB read strictly: 2e9 bytes (1907 MiB), not 2 GiB
        print(f"  peak RSS under 2 GB:           {verdict(all_rss * 2**20 < 2e9)} "
              f"({all_rss:.0f} MiB = {all_rss * 2**20 / 1e9:.2f} GB)")
    else:
        print(f"  at most 3x the csv floor:      {verdict(ratio <= 3)} ({ratio:.2f}x)")
    print(f"  two threads >= 1.6x one:       {verdict(scaling >= 1.6)} ({scaling:.2f}x)")
    print(f"  byte-identical across threads: {verdict(same)}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
