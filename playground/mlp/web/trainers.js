// Who trains: a Web Worker (training and drawing side by side, on two cores) or, where a
// browser refuses a worker, the page itself (a training budget per animation frame). Both
// keep `view.s`, the session the page draws, and call view.changed() / view.report(rep).
/* global MLP_WORKER_SOURCE */
var MLPTrainers = (function (Live) {
  "use strict";
  const LOCAL_BUDGET_MS = 10;   // training per animation frame when the page trains itself

  class LocalTrainer {
    constructor(view) { this.view = view; this.kind = "page"; }
    init(spec, resume) {
      const s = (this.view.s = Live.create(spec));
      if (resume) Live.resume(s, resume);
    }
    update(spec) { Live.update(this.view.s, spec); }
    send(reason, full) {
      const s = this.view.s;
      s.lastReport = performance.now();
      this.view.report(Live.report(s, reason, full));
    }
    play(on) {
      const s = this.view.s;
      s.playing = on; s.timedOut = false; s.playStarted = performance.now();
      if (on) s.nets.forEach((r) => { if (r.status === "done" && !Live.reachedStop(s)) r.status = "ready"; });
      this.send(on ? "play" : "pause", !on);
    }
    step() { const s = this.view.s; s.playing = false; Live.train(s, 1, Infinity); this.send("step", true); }
    reset() { Live.reset(this.view.s); this.send("reset", true); }
    edit(net, index, value) {
      const note = Live.setParam(this.view.s, this.view.s.nets[net], index, value);
      this.send("edit", true);
      return note;
    }
    // called by the page once per animation frame while playing
    frame(now) {
      const s = this.view.s;
      Live.train(s, s.view.speed, LOCAL_BUDGET_MS);
      if (Live.anyStopped(s)) {
        s.playing = false;
        this.send(s.nets.some((r) => r.status === "diverged") ? "diverged" : "done", true);
      } else if (now - s.playStarted > s.view.max_seconds * 1000) {
        s.playing = false; s.timedOut = true; this.send("timeout", true);
      } else if (now - s.lastReport > s.view.report_seconds * 1000) this.send("tick", false);
    }
    stop() {}
  }

  class WorkerTrainer {
    constructor(view, onFail) {
      this.view = view; this.kind = "worker";
      const url = URL.createObjectURL(new Blob([MLP_WORKER_SOURCE], { type: "text/javascript" }));
      this.worker = new Worker(url);
      URL.revokeObjectURL(url);
      this.worker.onmessage = (ev) => {
        const m = ev.data;
        if (m.type === "frame") { Live.applyFrame(this.view.s, m.frame); this.view.changed(); }
        else if (m.type === "report") this.view.report(m.report);
      };
      this.worker.onerror = (ev) => { ev.preventDefault(); this.stop(); onFail(); };
    }
    init(spec, resume) {
      const s = (this.view.s = Live.create(spec));   // the page's copy: drawn, never trained
      if (resume) Live.resume(s, resume);
      this.worker.postMessage({ type: "init", spec, resume });
    }
    update(spec) { Live.update(this.view.s, spec); this.worker.postMessage({ type: "update", spec }); }
    play(on) {
      const s = this.view.s;
      s.playing = on;           // the button answers at once; the worker stops after its chunk
      this.worker.postMessage({ type: "play", on });
    }
    step() { this.worker.postMessage({ type: "step" }); }
    reset() { this.worker.postMessage({ type: "reset" }); }
    edit(net, index, value) {
      const note = Live.setParam(this.view.s, this.view.s.nets[net], index, value);
      this.worker.postMessage({ type: "edit", net, index, value: this.view.s.nets[net].net.theta[index] });
      return note;
    }
    frame() {}
    stop() { this.worker.terminate(); }
  }

  function make(view, onFail) {
    try {
      if (typeof Worker === "undefined" || typeof MLP_WORKER_SOURCE === "undefined") throw new Error("no worker");
      return new WorkerTrainer(view, onFail);
    } catch (e) {
      return new LocalTrainer(view);
    }
  }

  return { make, LocalTrainer };
})(MLPLive);
