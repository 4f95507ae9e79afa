#!/usr/bin/env python3
"""DuckDB doing the line-list aggregation of crates/terbuka-domain/benches/linelist.rs.

Reads the same CSV with explicit column types and groups it by kelurahan and date with the
count of cases per status, materialised as a table inside DuckDB (no conversion to Python
objects is timed). Best and median of --runs runs, with as many DuckDB threads as cores; the
CPU time (all threads, time.process_time) is reported too, as the median over the runs.

Prints a human summary and one line starting `RESULT` for scripts/bench-linelist; with
--agg-out, writes the aggregate as CSV (kelurahan,tanggal,confirmed,dirawat,isolasi_mandiri,
sembuh,meninggal), sorted, for comparison (not timed).
"""

import argparse
import os
import statistics
import time

import duckdb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--agg-out")
    a = ap.parse_args()

    con = duckdb.connect()
    con.execute(f"SET threads = {int(a.threads)}")
    path = a.csv.replace("'", "''")
    query = f"""
        CREATE OR REPLACE TEMP TABLE agg AS
        SELECT kelurahan, tanggal,
               count(*) AS confirmed,
               count(*) FILTER (WHERE status = 'dirawat') AS dirawat,
               count(*) FILTER (WHERE status = 'isolasi_mandiri') AS isolasi_mandiri,
               count(*) FILTER (WHERE status = 'sembuh') AS sembuh,
               count(*) FILTER (WHERE status = 'meninggal') AS meninggal
        FROM read_csv('{path}', header = true, delim = ',', quote = '"', auto_detect = false,
                      columns = {{'tanggal': 'DATE', 'kelurahan': 'VARCHAR', 'status': 'VARCHAR',
                                  'umur': 'INTEGER', 'jenis_kelamin': 'VARCHAR'}})
        GROUP BY kelurahan, tanggal
    """
    times = []
    cpus = []
    for run in range(1, max(a.runs, 1) + 1):
        c0 = time.process_time()
        t0 = time.perf_counter()
        con.execute(query)
        groups = con.execute("SELECT count(*) FROM agg").fetchone()[0]
        t = time.perf_counter() - t0
        cpu = time.process_time() - c0
        times.append(t)
        cpus.append(cpu)
        print(f"run {run}: {t:.3f} s, CPU {cpu:.2f} s ({groups} groups)")

    groups, rows, dirawat, isolasi, sembuh, meninggal = con.execute(
        "SELECT count(*), sum(confirmed), sum(dirawat), sum(isolasi_mandiri), sum(sembuh), sum(meninggal) FROM agg"
    ).fetchone()
    size = os.path.getsize(a.csv)
    best, med = min(times), statistics.median(times)
    print(
        f"duckdb {duckdb.__version__}: best {best:.3f} s, median {med:.3f} s; "
        f"{rows / best / 1e6:.2f} M rows/s, {size / best / 1e6:.0f} MB/s (best); {groups} groups"
    )
    print(
        f"RESULT best={best:.6f} median={med:.6f} cpu={statistics.median(cpus):.2f} rows={rows} bytes={size} groups={groups} dirawat={dirawat} "
        f"isolasi_mandiri={isolasi} sembuh={sembuh} meninggal={meninggal} threads={a.threads} version={duckdb.__version__}"
    )
    if a.agg_out:
        rows = con.execute(
            "SELECT kelurahan, strftime(tanggal, '%Y-%m-%d'), confirmed, dirawat, isolasi_mandiri, sembuh, meninggal FROM agg"
        ).fetchall()
        lines = sorted(",".join(str(v) for v in r) for r in rows)
        with open(a.agg_out, "w") as f:
            f.write("".join(line + "\n" for line in lines))

if __name__ == "__main__":
    main()
