"""The fix for Streamlit's lost "finished" message when a full run's runner is superseded."""
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import ScriptRunnerEvent

from playground.ui import runner_fix


class FakeSession:
    """Just what the handler touches; the real method is called for the current runner."""
    def __init__(self, current):
        self._scriptrunner = current
        self.sent, self.real = [], []

    def _enqueue_forward_msg(self, msg):
        self.sent.append(msg)

    _create_script_finished_message = AppSession._create_script_finished_message


def test_a_superseded_runners_successful_full_run_still_reports_finished(monkeypatch):
    calls = []
    monkeypatch.setattr(AppSession, "_handle_scriptrunner_event_on_event_loop",
                        lambda self, sender, event, *a, **k: calls.append((sender, event)))
    assert runner_fix.install()
    assert runner_fix.install()                     # once only
    handle = AppSession._handle_scriptrunner_event_on_event_loop
    old, new = object(), object()
    s = FakeSession(current=new)
    # exactly how AppSession's event-loop lambda calls it: 7 positional args after the event
    handle(s, old, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS, None, None, None, None, None,
           None, None)
    assert [m.script_finished for m in s.sent] == [ForwardMsg.FINISHED_SUCCESSFULLY]
    assert calls == []                              # the original would have dropped it
    # everything else goes to Streamlit's own handler, unchanged
    handle(s, new, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS, None, None, None, None, None,
           None, None)
    handle(s, old, ScriptRunnerEvent.SHUTDOWN, None, None, None, None, None, None, None)
    handle(s, old, ScriptRunnerEvent.SCRIPT_STOPPED_FOR_RERUN, None, None, None, None, None,
           None, None)
    assert calls == [(new, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS),
                     (old, ScriptRunnerEvent.SHUTDOWN),
                     (old, ScriptRunnerEvent.SCRIPT_STOPPED_FOR_RERUN)]
    assert len(s.sent) == 1
