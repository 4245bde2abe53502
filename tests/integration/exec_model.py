#!/usr/bin/env python3
"""A model program for the exec adapter's tests: JSON lines in, JSON lines out.

  exec_model.py echo       answers every request with "The answer is 7."
  exec_model.py garbage    writes a line that is not JSON
  exec_model.py die N      answers N requests, then exits with status 3
  exec_model.py error      answers every request with an error
  exec_model.py wrongid    answers every request with an id it was not sent
  exec_model.py cut        refuses every third request (by id), cuts every
                           fourth short (finish_reason "length"), answers
                           the rest
  exec_model.py hold FILE  writes its pid to FILE at the first request and
                           answers nothing, until its input closes
"""
import json
import os
import sys

def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "echo"
    left = int(sys.argv[2]) if len(sys.argv) > 2 and mode == "die" else 0
    for line in sys.stdin:
        req = json.loads(line)
        if mode == "hold":
            if not os.path.exists(sys.argv[2]):
                with open(sys.argv[2] + ".tmp", "w") as f:
                    f.write("%d\n" % os.getpid())
                os.rename(sys.argv[2] + ".tmp", sys.argv[2])
            continue
        if mode == "garbage":
            print("hello, I am not JSON", flush=True)
            continue
        if mode == "die":
            if left == 0:
                sys.exit(3)
            left -= 1
        if mode == "error":
            print(json.dumps({"id": req["id"], "error": "out of memory on the GPU"}), flush=True)
            continue
        assert req["messages"] and req["prompt"] and req["max_tokens"] > 0
        if mode == "wrongid":
            print(json.dumps({"id": req["id"] + 1000, "text": "7"}), flush=True)
            continue
        if mode == "cut" and req["id"] % 3 == 0:
            print(json.dumps({"id": req["id"], "refused": "prompt longer than my context"}), flush=True)
            continue
        if mode == "cut" and req["id"] % 4 == 0:
            print(json.dumps({"id": req["id"], "text": "The answer",
                              "finish_reason": "length"}), flush=True)
            continue
        print(json.dumps({"id": req["id"], "text": "The answer is 7."}), flush=True)


try:
    main()
except (BrokenPipeError, KeyboardInterrupt):
    # evalmesh stopped listening: leave quietly
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)
