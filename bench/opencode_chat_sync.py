"""Benchmark: 1,000 OpenCode messages synced into PostgreSQL by `chat.services.chat_sync_opencode_session`
(issue 11; target: under 2 s), the first sync and an idempotent re-sync of the same messages.

The messages are `{info, parts}` as OpenCode 1.18.33 answers `GET /session/{id}/message` (the templates below
are a real user message and a real answer captured from it, with the fake model's one-line reply replaced by
~1.5 KB of text), alternating user and assistant; every fourth answer also carries a completed `bash` tool
part (its shape from OpenCode's SDK types; the tests' model server makes no tool calls). Each round syncs
into a new session of one sandbox, in a throwaway database on an embedded PostgreSQL of the benches' own
(bench/_opencode_stack.py), with the production settings (DEBUG off); queries are counted with an execute
wrapper.

    .venv/bin/python bench/opencode_chat_sync.py [--messages 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import time

from _opencode_stack import django_setup, drop_database, load_average

BENCH_DB = "agentpod_bench_chat_sync"
DIRECTORY = "/home/developer/workspace"

USER = {
    "info": {"id": "msg_233625b05001SX3DB520FOPSTD", "sessionID": "ses_dcc9dab1dffe5XqasN3JNjyRuS", "role": "user",
             "time": {"created": 1796158413573}, "summary": {"diffs": []}, "agent": "build",
             "model": {"providerID": "fake", "modelID": "fake-model"}},
    "parts": [{"id": "prt_233625b16001eX014ilLAq177e", "sessionID": "ses_dcc9dab1dffe5XqasN3JNjyRuS",
               "messageID": "msg_233625b05001SX3DB520FOPSTD", "type": "text", "text": "hi"}],
}
ASSISTANT = {
    "info": {"id": "msg_233626fe0001zJErI2VAgzTA3C", "sessionID": "ses_dcc9dab1dffe5XqasN3JNjyRuS",
             "role": "assistant", "time": {"created": 1796158418912, "completed": 1796158421033},
             "parentID": "msg_233625b05001SX3DB520FOPSTD", "modelID": "fake-model", "providerID": "fake",
             "mode": "build", "agent": "build", "path": {"cwd": DIRECTORY, "root": "/"}, "cost": 0,
             "tokens": {"total": 1461, "input": 1456, "output": 5, "reasoning": 0, "cache": {"read": 0, "write": 0}},
             "finish": "stop"},
    "parts": [
        {"id": "prt_233627743001ckfBYCHJI5z2Id", "sessionID": "ses_dcc9dab1dffe5XqasN3JNjyRuS",
         "messageID": "msg_233626fe0001zJErI2VAgzTA3C", "type": "step-start"},
        {"id": "prt_233627765001P2hi8rND2qWwAX", "sessionID": "ses_dcc9dab1dffe5XqasN3JNjyRuS",
         "messageID": "msg_233626fe0001zJErI2VAgzTA3C", "type": "text", "text": "Hello from the fake model.",
         "time": {"start": 1796158420838, "end": 1796158420887}},
        {"id": "prt_2336277cc001WGbxV8HnCDhAcx", "sessionID": "ses_dcc9dab1dffe5XqasN3JNjyRuS",
         "messageID": "msg_233626fe0001zJErI2VAgzTA3C", "type": "step-finish", "reason": "stop", "cost": 0,
         "tokens": {"total": 1461, "input": 1456, "output": 5, "reasoning": 0, "cache": {"read": 0, "write": 0}}},
    ],
}
TOOL_PART = {
    "type": "tool", "callID": "call_0", "tool": "bash",
    "state": {"status": "completed", "input": {"command": "pytest -q tests/test_app.py", "description": "Run tests"},
              "output": "....................................... [100%]\n40 passed in 1.23s\n",
              "title": "Run tests", "metadata": {"exit": 0}, "time": {"start": 0, "end": 0}},
}
ANSWER = ("Here is what I changed, and why.\n\n" + "\n".join(
    f"{n}. In `src/module_{n}.py` the loop re-read the configuration on every iteration; it now reads it once "
    f"before the loop, and the test `test_module_{n}` covers the empty case." for n in range(1, 8)) +
    "\n\n```python\nfor item in items:\n    handle(item, config)\n```\n")


def opencode_messages(session_id: str, count: int) -> list[dict]:
    """`count` messages of one session, user and assistant in turn, ids and times increasing."""
    messages, clock = [], 1_796_158_413_573
    for n in range(count):
        ident = f"msg_{n:012x}{session_id[-14:]}"
        if n % 2 == 0:
            message = copy.deepcopy(USER)
            message["info"].update(id=ident, sessionID=session_id, time={"created": clock})
            message["parts"][0].update(id=f"prt_{n:012x}a", sessionID=session_id, messageID=ident,
                                       text=f"Question {n // 2}: why does test_module_{n % 7} fail on an empty list?")
            clock += 1_000
        else:
            message = copy.deepcopy(ASSISTANT)
            message["info"].update(id=ident, sessionID=session_id, parentID=messages[-1]["info"]["id"],
                                   time={"created": clock, "completed": clock + 4_000})
            message["info"]["tokens"].update(input=1_400 + n, output=180 + n % 50, total=1_580 + n + n % 50)
            parts = message["parts"]
            for index, part in enumerate(parts):
                part.update(id=f"prt_{n:012x}{index}", sessionID=session_id, messageID=ident)
            parts[1].update(text=ANSWER, time={"start": clock + 1_000, "end": clock + 3_900})
            if n % 8 == 1:
                tool = copy.deepcopy(TOOL_PART)
                tool.update(id=f"prt_{n:012x}t", sessionID=session_id, messageID=ident, callID=f"call_{n}")
                tool["state"]["time"] = {"start": clock + 500, "end": clock + 900}
                parts.insert(1, tool)
            clock += 5_000
        messages.append(message)
    return messages


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_sync(sandbox, session_json: dict, messages: list[dict]) -> tuple[float, int, object]:
    from django.db import connection

    from chat.services import chat_sync_opencode_session

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        session = chat_sync_opencode_session(sandbox=sandbox, opencode_session=session_json, messages=messages)
        elapsed = time.perf_counter() - started
    return elapsed, counter.count, session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    django_setup(BENCH_DB, private_server=True)
    from django.db import connection

    from chat.models import ChatMessage
    from sandboxes.models import SandboxStatus
    from tests.factories import SandboxFactory

    try:
        print(load_average())
        sandbox = SandboxFactory(status=SandboxStatus.RUNNING)
        connection.ensure_connection()
        results = []
        for round_number in range(args.rounds):
            session_id = f"ses_bench{round_number:04d}XqasN3JNjyRuS"
            session_json = {"id": session_id, "title": f"Bench session {round_number}", "directory": DIRECTORY,
                            "time": {"created": 1796158413573, "updated": 1796158413573}}
            messages = opencode_messages(session_id, args.messages)
            size = len(json.dumps(messages))
            first, first_queries, session = timed_sync(sandbox, session_json, messages)
            stored = ChatMessage.objects.filter(session=session).count()
            again, again_queries, session = timed_sync(sandbox, session_json, messages)
            assert ChatMessage.objects.filter(session=session).count() == stored == session.message_count
            results.append((first, again))
            print(f"round {round_number + 1}: {args.messages} messages ({size / 2**20:.1f} MiB of JSON), {stored} stored; "
                  f"first sync {first * 1000:.0f} ms ({first_queries} queries), "
                  f"re-sync {again * 1000:.0f} ms ({again_queries} queries); "
                  f"{session.user_message_count} user / {session.assistant_message_count} assistant, "
                  f"{session.total_input_tokens} + {session.total_output_tokens} tokens")
        worst_first = max(first for first, _ in results)
        worst_again = max(again for _, again in results)
        print(f"{load_average()}")
        print(f"worst first sync {worst_first * 1000:.0f} ms, worst re-sync {worst_again * 1000:.0f} ms; "
              f"target < 2 s: {'MET' if max(worst_first, worst_again) < 2 else 'MISSED'}")
    finally:
        drop_database(BENCH_DB)


if __name__ == "__main__":
    main()
