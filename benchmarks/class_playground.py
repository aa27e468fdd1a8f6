"""A class of students playing the playground at once, at the protocol level. Prints JSON.

The playground trains in each student's browser; what the server sees of a playing student
is the component's reports (every 2 s while playing, and on Pause). This benchmark speaks
Streamlit's websocket protocol with the shared load tool's client (``../shared/tools/load.py``:
XSRF cookie, rerun_script BackMsgs, the ForwardMsg cache), opens the playground in
``--clients`` simulated tabs, and then sends, like the component does, a "play" report and a
"tick" report every 2 s per student, real reports made by the browser's own live session
(``playground/mlp/web/live.js`` in Node) for the page's real setup. It measures during a
common window: the server's CPU (% of one core), peak RSS, websocket KB/s each student
receives, how long the server takes to answer a report (its fragment rerun), and at the end
the time from each student's "pause" report to the server's answer.

    python benchmarks/class_playground.py [--clients 30] [--seconds 20]

(``load.py`` itself cannot press a Play button that lives inside a component; this script
uses its protocol client and server monitor.)
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOAD = os.path.join(ROOT, "..", "shared", "tools", "load.py")
REPORT_SECONDS = 2.0


def load_tool():
    spec = importlib.util.spec_from_file_location("dlp_load_tool", LOAD)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def reports_for(spec: dict, ticks: int) -> list[dict]:
    """A play report, ``ticks`` tick reports (5 epochs apart) and a pause report, from live.js."""
    js = r"""
const path = require("path"), web = path.join(process.argv[1], "..", "..", "playground", "mlp", "web");
global.MLPEngine = require(path.join(web, "engine.js"));
const L = require(path.join(web, "live.js"));
let input = ""; process.stdin.on("data", (d) => { input += d; });
process.stdin.on("end", () => {
  const c = JSON.parse(input), s = L.create(c.spec), out = [];
  s.playing = true; out.push(L.report(s, "play", false));
  for (let k = 0; k < c.ticks; k++) { L.train(s, 5, Infinity); out.push(L.report(s, "tick", false)); }
  s.playing = false; out.push(L.report(s, "pause", true));
  process.stdout.write(JSON.stringify(out));
});"""
    script = os.path.join(ROOT, "benchmarks", "_reports.js")
    with open(script, "w", encoding="utf-8") as f:
        f.write(js)
    try:
        out = subprocess.run([shutil.which("node"), script], input=json.dumps({"spec": spec, "ticks": ticks}),
                             capture_output=True, text=True, check=True, timeout=300)
    finally:
        os.remove(script)
    return json.loads(out.stdout)


def make_student_class(load):
    from streamlit.proto.BackMsg_pb2 import BackMsg

    class Student(load.Client):
        """A tab whose component reports like the browser's."""
        comp_id = frag_id = spec = None
        answered = None

        def _on_delta(self, msg, t):
            super()._on_delta(msg, t)
            el = msg.delta.new_element
            if msg.delta.WhichOneof("type") == "new_element" and el.WhichOneof("type") == "bidi_component":
                self.comp_id, self.frag_id = el.bidi_component.id, msg.delta.fragment_id
                if el.bidi_component.json:
                    self.spec = json.loads(el.bidi_component.json)

        def _on_raw(self, raw, t):
            super()._on_raw(raw, t)
            if self.answered is not None and not self.answered.done():
                from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
                m = ForwardMsg()
                m.ParseFromString(raw)
                if m.WhichOneof("type") == "script_finished" and list(m.metadata.run.fragment_ids):
                    self.answered.set_result(t)

        async def report(self, rep) -> float:
            """Send one report as the component does (a fragment rerun); seconds to the answer."""
            bm = BackMsg()
            cs = bm.rerun_script
            cs.query_string = self.query
            cs.page_script_hash = self.page_script_hash
            w = cs.widget_states.widgets.add()
            w.id = self.comp_id
            w.json_value = json.dumps({"report": rep})
            cs.fragment_id = self.frag_id
            if not self.a.no_cache:
                self._evict()
                cs.cached_message_hashes.extend(self.cache.keys())
            self.answered = asyncio.get_running_loop().create_future()
            t0 = load.now()
            await self.ws.send(bm.SerializeToString())
            try:
                return await asyncio.wait_for(self.answered, 30) - t0
            except asyncio.TimeoutError:
                return float("nan")
    return Student


async def run(args) -> dict:
    load = load_tool()
    Student = make_student_class(load)
    a = types.SimpleNamespace(repo=ROOT, python=sys.executable, port=None, server_pid=None,
                              server_env=[], query=args.query, no_cache=False, cache_mb=64)
    srv = load.Server(a)
    srv.start()
    out = {"clients": args.clients, "seconds": args.seconds, "report_every_s": REPORT_SECONDS}
    try:
        problem = await asyncio.to_thread(srv.wait_healthy, 120)
        if problem:
            return {**out, "error": problem}
        mon = load.Monitor(srv.pid)
        sampler = asyncio.create_task(mon.sample_forever())
        counter = __import__("re").compile(load.COUNTER_RE)
        warm = Student(-1, a, srv.port, "playground", counter)
        await warm.open()
        await warm.load_page(180)
        await warm.close()
        students = [Student(i, a, srv.port, "playground", counter) for i in range(args.clients)]
        t_load = load.now()
        for s in students:
            await s.open()
        loads = await asyncio.gather(*(s.load_page(180) for s in students))
        out["page_load_s"] = {"median": round(statistics.median(loads), 2), "max": round(max(loads), 2),
                              "all_in": round(load.now() - t_load, 1)}
        spec = students[0].spec
        ticks = int(args.seconds / REPORT_SECONDS) + 4
        reps = reports_for(spec, ticks)
        for s in students:
            assert s.comp_id and s.frag_id, "no component found on the page"
        latencies, bytes0 = [], [s.nbytes for s in students]
        await asyncio.gather(*(s.report(reps[0]) for s in students))   # everyone presses Play
        snap0, b0 = mon.snapshot(), [s.nbytes for s in students]

        async def play(s, k):
            await asyncio.sleep(k * REPORT_SECONDS / len(students))      # tabs are not in step
            for i in range(1, ticks + 1):
                t = load.now()
                latencies.append(await s.report({**reps[i], "seq": reps[i]["seq"]}))
                await asyncio.sleep(max(0.0, REPORT_SECONDS - (load.now() - t)))
                if load.now() - snap0["t"] > args.seconds:
                    break
        await asyncio.gather(*(play(s, k) for k, s in enumerate(students)))
        snap1 = mon.snapshot()
        wall = snap1["t"] - snap0["t"]
        kbs = [(s.nbytes - b) / 1024 / wall for s, b in zip(students, b0)]
        pauses = await asyncio.gather(*(s.report(reps[-1]) for s in students))
        sampler.cancel()
        lat = [x for x in latencies if x == x]
        out.update({
            **load.Monitor.between(snap0, snap1),
            "window_s": round(wall, 1),
            "server_peak_rss_mb": mon.peak_rss_mb,
            "ws_kb_per_s_per_student": {"median": round(statistics.median(kbs), 2), "max": round(max(kbs), 2)},
            "reports_answered": len(lat), "reports_lost": len(latencies) - len(lat),
            "report_answer_ms": {"median": round(1000 * statistics.median(lat), 1),
                                 "p95": round(1000 * sorted(lat)[int(0.95 * (len(lat) - 1))], 1)},
            "pause_answer_ms": {"median": round(1000 * statistics.median(pauses), 1), "max": round(1000 * max(pauses), 1)},
            "errors": sum((s.errors for s in students), [])[:5],
            "exceptions": sum((s.exceptions for s in students), [])[:5],
        })
        for s in students:
            await s.close()
        return out
    finally:
        await asyncio.to_thread(srv.stop)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--query", default="dataset=spiral&layers=8,8")
    args = ap.parse_args()
    t0 = time.time()
    res = asyncio.run(run(args))
    res["machine_load_avg"] = [round(x, 1) for x in os.getloadavg()]
    res["took_s"] = round(time.time() - t0, 1)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
