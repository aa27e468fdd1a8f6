"""A fix for a race in Streamlit's session (1.67) that a busy class server hits often.

When a full run of a page (e.g. the run that answers Pause) ends, its ScriptRunner thread stops
if nothing else is queued, and tells the session "finished successfully" through the event
loop. A fragment's timer request (a browser keeps sending those until it hears about the full
run) that reaches the session in between finds that runner stopping and gets a new runner; the
old runner's "finished" event is then dropped as coming from a runner that is no longer
current. The browser never hears that the full run finished: it does not clear the elements
that run no longer drew, and a load test sees a Pause that never answered. On a server where
30 students press Pause together this lost 8-13 of 30 answers.

``install()`` (called once per server by ``ui.server_setup``) makes the session still send that
"finished successfully" when the superseded runner's event arrives: the run did finish, and
the message goes out in the order the events happened (before the new runner's first run).
Nothing else of the old runner's events is used. With another Streamlit version, or if its
internals differ, nothing is changed.
"""
from __future__ import annotations

_MARK = "_dlp_finish_race_fix"


def install() -> bool:
    """Patch ``AppSession`` once; returns whether the fix is active."""
    try:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.runtime.app_session import AppSession
        from streamlit.runtime.scriptrunner import ScriptRunnerEvent
    except Exception:   # pragma: no cover - a Streamlit without these
        return False
    orig = getattr(AppSession, "_handle_scriptrunner_event_on_event_loop", None)
    if orig is None or not all(hasattr(AppSession, n) for n in
                               ("_enqueue_forward_msg", "_create_script_finished_message")):
        return False   # pragma: no cover
    if getattr(orig, _MARK, False):
        return True

    def handle(self, sender, event, *args, **kwargs):
        if (sender is not None and sender is not getattr(self, "_scriptrunner", sender)
                and event == ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS):
            # (forward_msg, exception, client_state, page_script_hash, fragment_ids_this_run,
            # pages, run_descriptor) follow sender and event
            descriptor = kwargs.get("run_descriptor", args[6] if len(args) > 6 else None)
            self._enqueue_forward_msg(self._create_script_finished_message(
                ForwardMsg.FINISHED_SUCCESSFULLY, descriptor))
            return None
        return orig(self, sender, event, *args, **kwargs)

    setattr(handle, _MARK, True)
    handle.__wrapped__ = orig
    AppSession._handle_scriptrunner_event_on_event_loop = handle
    return True
