"""PipelinedProcess: several requests in flight to one process, each caller gets its own answer,
and a process that dies answers None to everyone waiting and is started again."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from o2krm.gateway.line_process import PipelinedProcess

# Answers each line with what it asked and how many lines it has read; "die" exits at once.
ECHO = """
import json, sys, time
count = 0
for line in sys.stdin:
    count += 1
    request = json.loads(line)
    if request.get("die"):
        sys.exit(3)
    time.sleep(request.get("sleep", 0))
    print(json.dumps({"echo": request, "count": count}), flush=True)
"""


def echo_process(**hooks: Any) -> PipelinedProcess:
    process = PipelinedProcess("unused", **hooks)
    process.command = [sys.executable, "-c", ECHO]
    return process


def test_every_caller_gets_the_answer_to_its_own_request() -> None:
    seen: list[int] = []
    process = echo_process(on_answer=lambda request, answer: seen.append(request["n"]))
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda n: process.ask({"n": n, "sleep": 0.002}), range(40)))
        assert [a["echo"]["n"] for a in answers if a] == list(range(40))
        assert sorted(a["count"] for a in answers if a) == list(range(1, 41))  # one process, all forty
        assert sorted(seen) == list(range(40))  # on_answer saw each, before its caller returned
    finally:
        process.close()


def test_a_new_process_first_gets_the_start_line() -> None:
    process = echo_process(on_start=lambda: {"start": True})
    try:
        first = process.ask({"n": 1})
        assert first is not None and first["count"] == 2  # the start line was its first
    finally:
        process.close()


def test_a_process_that_dies_answers_none_to_all_waiting_and_is_started_again() -> None:
    starts: list[int] = []
    process = echo_process(on_start=lambda: starts.append(1) or {"start": True})
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            slow = pool.submit(process.ask, {"n": 1, "sleep": 0.3})
            time.sleep(0.1)  # written first: it is answered before the process dies
            doomed = [pool.submit(process.ask, {"n": 2, "die": True}), pool.submit(process.ask, {"n": 3})]
            assert slow.result()["echo"]["n"] == 1
            assert [f.result() for f in doomed] == [None, None]
        again = process.ask({"n": 4})
        assert again is not None and again["echo"]["n"] == 4 and again["count"] == 2
        assert len(starts) == 2
    finally:
        process.close()


def test_an_answer_that_is_not_json_fails_that_request_and_restarts_the_process() -> None:
    process = PipelinedProcess("unused")
    process.command = [sys.executable, "-c", "import sys\nfor line in sys.stdin: print('not json', flush=True)"]
    try:
        assert process.ask({"n": 1}) is None
        assert process.process is not None and process.process.wait(5) is not None  # killed
    finally:
        process.close()


def test_a_process_that_answers_more_than_it_was_asked_is_stopped() -> None:
    process = PipelinedProcess("unused")
    process.command = [
        sys.executable,
        "-c",
        "import sys\nfor line in sys.stdin:\n    print(line.strip(), flush=True)\n    print(line.strip(), flush=True)",
    ]
    try:
        first = process.ask({"n": 1})
        assert first == {"n": 1}
        old = process.process
        assert old is not None and old.wait(5) is not None  # out of step: stopped, not left running
        assert process.ask({"n": 2}) == {"n": 2}  # a new one answers
    finally:
        process.close()
