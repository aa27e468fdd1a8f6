// The training loop in a Web Worker (loaded from a Blob: engine.js + live.js + this file), so
// that training and drawing run side by side and Pause is answered between two short chunks.
// Messages in: init {spec, resume}, update {spec}, play {on}, step, reset, edit {net, index,
// value}, report {reason, full}. Messages out: frame (see MLPLive.frame) and report.
/* global MLPLive */
(function () {
  "use strict";
  const CHUNK_MS = 14;          // one chunk of training between two looks at the mailbox
  let s = null, timer = null, sent = 0;

  function post(reason, full) {
    s.lastReport = performance.now();
    self.postMessage({ type: "report", report: MLPLive.report(s, reason, full) });
  }

  function frame() {
    self.postMessage({ type: "frame", frame: MLPLive.frame(s, sent) });
    sent = s.epoch;
  }

  function loop() {
    timer = null;
    if (!s || !s.playing) return;
    const t0 = performance.now();
    // `speed` epochs per 1/60 s, as many as the chunk allows
    const want = s.view.speed;
    const ran = MLPLive.train(s, want, CHUNK_MS);
    if (MLPLive.anyStopped(s)) {
      s.playing = false;
      frame();
      post(s.nets.some((r) => r.status === "diverged") ? "diverged" : "done", true);
      return;
    }
    if (t0 - s.playStarted > s.view.max_seconds * 1000) {
      s.playing = false;
      s.timedOut = true;
      frame();
      post("timeout", true);
      return;
    }
    frame();
    if (t0 - s.lastReport > s.view.report_seconds * 1000) post("tick", false);
    // the chunk used its whole budget: go on at once; else wait out the 1/60 s it stands for
    const rest = 16.7 - (performance.now() - t0);
    if (ran < want || rest <= 0) { timer = 0; soon.port2.postMessage(0); } else timer = setTimeout(loop, rest);
  }
  const soon = new MessageChannel();   // a zero-delay yield (nested setTimeout(0) waits 4 ms)
  soon.port1.onmessage = () => loop();

  self.onmessage = (ev) => {
    const m = ev.data;
    if (m.type === "init") {
      s = MLPLive.create(m.spec);
      if (m.resume) MLPLive.resume(s, m.resume);
      sent = -1;
      frame();
      return;
    }
    if (!s) return;
    if (m.type === "update") MLPLive.update(s, m.spec);
    else if (m.type === "play") {
      s.playing = m.on;
      s.timedOut = false;
      if (m.on) {
        s.nets.forEach((r) => { if (r.status === "done" && !MLPLive.reachedStop(s)) r.status = "ready"; });
        s.playStarted = performance.now();
        if (timer === null) timer = setTimeout(loop, 0);
      }
      frame();
      post(m.on ? "play" : "pause", !m.on);
      return;
    } else if (m.type === "step") {
      s.playing = false;
      MLPLive.train(s, 1, Infinity);
      frame();
      post("step", true);
      return;
    } else if (m.type === "reset") {
      MLPLive.reset(s);
      sent = -1;
      frame();
      post("reset", true);
      return;
    } else if (m.type === "edit") {
      MLPLive.setParam(s, s.nets[m.net], m.index, m.value);
      frame();
      post("edit", true);
      return;
    }
    frame();
  };
})();
