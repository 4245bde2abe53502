#!/usr/bin/env python3
"""A small OpenAI-compatible model server that stands in for a real model.

It speaks POST /v1/chat/completions and POST /v1/completions (JSON answers
shaped like vLLM's), GET /v1/models, and GET /stats (what it served). It
answers the tasks it was given (--tasks DIR, each task a subdirectory with
manifest.json and items.jsonl, as contrib/tasks holds) with a chosen
accuracy: for each task exactly round(accuracy * items) items, chosen by a
hash of --seed and the item id, are answered right, the rest wrong. It
finds the item by rendering each item's prompt from the manifest's
template and looking up the last user message (or the end of a completion
prompt). A prompt it does not know gets "I do not know."

Faults on request, for tests: --latency-ms, --fail 429=0.1,500=0.05,
stall=0.01,malformed=0.02 (probabilities per request, from a seeded
stream), --fail-first N with --fail-kind K (the first N requests fail),
and --retry-after S sent with 429 and 503. A stalled request is never
answered; the client must time out.

With --workers N it forks N processes that accept on one socket (one
Python event loop cannot answer many requests at the same instant without
delaying some); the counts are kept in shared memory and /stats sums them.

Standard library only (asyncio), so it runs wherever python3 does.
"""
import argparse
import asyncio
import multiprocessing
import hashlib
import json
import os
import re
import signal
import sys
import time

FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z0-9_]+)\}")
ZH_DIGITS = str.maketrans("0123456789-", "０１２３４５６７８９－")


def render(template, item, choices_field):
    def sub(m):
        if m.group(0) == "{{":
            return "{"
        if m.group(0) == "}}":
            return "}"
        v = item.get(m.group(1), "")
        if isinstance(v, list) and m.group(1) == choices_field:
            return "\n".join(f"{chr(65 + i)}. {c}" for i, c in enumerate(v))
        if isinstance(v, str):
            return v
        return json.dumps(v)
    return FIELD.sub(sub, template)


def h64(*parts):
    d = hashlib.sha256("\x00".join(parts).encode()).digest()
    return int.from_bytes(d[:8], "big")


class Book:
    """Every known prompt -> (task, item, right?)."""

    def __init__(self, dirs, accuracy, seed):
        self.by_prompt = {}
        self.tasks = []
        for base in dirs:
            for name in sorted(os.listdir(base)):
                mpath = os.path.join(base, name, "manifest.json")
                if os.path.isfile(mpath):
                    self.load(mpath, accuracy, seed)

    def load(self, mpath, accuracy, seed):
        with open(mpath, encoding="utf-8") as f:
            m = json.load(f)
        with open(os.path.join(os.path.dirname(mpath), m["items"]), encoding="utf-8") as f:
            items = [json.loads(line) for line in f if line.strip()]
        order = sorted(range(len(items)), key=lambda i: h64(str(seed), m["name"], str(items[i]["id"])))
        right = set(order[:round(accuracy * len(items))])
        for i, it in enumerate(items):
            p = render(m["prompt"], it, m.get("choices"))
            self.by_prompt[p] = (m, it, i in right)
        self.tasks.append({"name": m["name"], "items": len(items), "right": len(right)})

    def find(self, text):
        hit = self.by_prompt.get(text)
        if hit is not None:
            return hit
        # a completion prompt ends with the item's prompt after examples
        for sep in ("\n\n", " "):
            at = text.rfind(sep)
            while at >= 0:
                hit = self.by_prompt.get(text[at + len(sep):])
                if hit is not None:
                    return hit
                at = text.rfind(sep, 0, at)
        return None


def answer(hit, style, seed):
    if hit is None:
        return "I do not know."
    m, item, right = hit
    target = item[m["target"]]
    if m.get("choices"):
        n = len(item[m["choices"]])
        idx = ord(str(target)[0]) - 65 if isinstance(target, str) and len(target) == 1 else 0
        if not right:
            idx = (idx + 1 + h64(str(seed), str(item["id"])) % (n - 1)) % n
        letter = chr(65 + idx)
        return f"The answer is {letter}." if style != "bare" else letter
    value = target
    if not right:
        value = target + 1 + h64(str(seed), "wrong", str(item["id"])) % 9 if isinstance(target, int) else f"not {target}"
    if style == "mixed":
        style = ("en", "zh", "bare", "fullwidth")[h64(str(seed), "style", str(item["id"])) % 4]
    if style == "zh":
        return f"答案是{str(value).translate(ZH_DIGITS)}。"
    if style == "fullwidth":
        return f"The answer is {str(value).translate(ZH_DIGITS)}."
    if style == "bare":
        return str(value)
    return f"Let me work it out. The answer is {value}."


FAULTS = ("429", "500", "503", "stall", "malformed", "close")
STATUSES = ("200", "400", "401", "404") + FAULTS
SLOTS = ["requests", "answered", "unknown_prompts"] + ["s" + k for k in STATUSES] + ["f" + k for k in FAULTS]


class Counters:
    """Counts shared by the worker processes: one row per worker, summed."""

    def __init__(self, workers):
        self.cells = multiprocessing.Array("q", workers * len(SLOTS), lock=False)
        self.n = multiprocessing.Value("q", 0)  # requests so far, all workers
        self.row = 0

    def add(self, key, k=1):
        self.cells[self.row * len(SLOTS) + SLOTS.index(key)] += k

    def next_request(self):
        with self.n.get_lock():
            self.n.value += 1
            return self.n.value

    def snapshot(self):
        tot = [0] * len(SLOTS)
        for i, v in enumerate(self.cells):
            tot[i % len(SLOTS)] += v
        get = dict(zip(SLOTS, tot))
        return {"requests": get["requests"], "answered": get["answered"],
                "unknown_prompts": get["unknown_prompts"],
                "by_status": {k: get["s" + k] for k in STATUSES if get["s" + k]},
                "faults": {k: get["f" + k] for k in FAULTS if get["f" + k]}}


class Server:
    def __init__(self, a, counters):
        self.a = a
        self.book = Book(a.tasks, a.accuracy, a.seed)
        self.faults = []
        for part in filter(None, (a.fail or "").split(",")):
            kind, _, p = part.partition("=")
            if kind not in FAULTS:
                sys.exit(f"server.py: --fail: unknown fault '{kind}'")
            self.faults.append((kind, float(p or "0")))
        self.c = counters

    def pick_fault(self, n):
        if n <= self.a.fail_first:
            return self.a.fail_kind
        x = h64(str(self.a.seed), "fault", str(n)) / 2.0 ** 64
        for kind, p in self.faults:
            if x < p:
                return kind
            x -= p
        return None

    def count(self, status, fault=None):
        self.c.add("s" + str(status))
        if fault:
            self.c.add("f" + fault)

    def handle(self, method, path, body, auth):
        """Returns (status, headers, body bytes), None to stall, or "close".
        The answer is sent --latency-ms after the request came (Conn.next)."""
        if method == "GET" and path == "/stats":
            return 200, {}, json.dumps(dict(self.c.snapshot(), tasks=self.book.tasks)).encode()
        if method == "GET" and path == "/v1/models":
            return 200, {}, json.dumps({"object": "list", "data": [
                {"id": self.a.model, "object": "model", "owned_by": "evalmesh-test"}]}).encode()
        if method != "POST" or path not in ("/v1/chat/completions", "/v1/completions"):
            return 404, {}, b'{"error": {"message": "not found"}}'
        n = self.c.next_request()
        self.c.add("requests")
        if self.a.api_key and auth != "Bearer " + self.a.api_key:
            self.count(401)
            return 401, {}, b'{"error": {"message": "bad or missing API key"}}'
        fault = self.pick_fault(n)
        if fault == "stall":
            self.count("stall", fault)
            return None
        if fault in ("429", "503"):
            self.count(fault, fault)
            return int(fault), {"Retry-After": str(self.a.retry_after)}, b'{"error": {"message": "slow down"}}'
        if fault == "500":
            self.count(500, fault)
            return 500, {}, b'{"error": {"message": "internal error"}}'
        if fault == "close":
            self.count("close", fault)
            return "close"
        try:
            req = json.loads(body)
            if path == "/v1/chat/completions":
                user = [m for m in req["messages"] if m.get("role") == "user"]
                text = user[-1]["content"] if user else ""
            else:
                text = req["prompt"]
        except (ValueError, KeyError, TypeError, IndexError):
            self.count(400)
            return 400, {}, b'{"error": {"message": "bad request"}}'
        hit = self.book.find(text)
        if hit is None:
            self.c.add("unknown_prompts")
        out = answer(hit, self.a.style, self.a.seed)
        if fault == "malformed":
            self.count(200, fault)
            return 200, {}, b'{"id": "cmpl-x", "choices": [{"message": {"content": "The ans'
        self.count(200)
        self.c.add("answered")
        now = int(time.time())
        if path == "/v1/chat/completions":
            choice = {"index": 0, "message": {"role": "assistant", "content": out}, "finish_reason": "stop"}
            obj = "chat.completion"
        else:
            choice = {"index": 0, "text": out, "finish_reason": "stop"}
            obj = "text_completion"
        return 200, {}, json.dumps({
            "id": f"cmpl-{n}", "object": obj, "created": now, "model": req.get("model", self.a.model),
            "choices": [choice],
            "usage": {"prompt_tokens": len(text) // 4, "completion_tokens": len(out) // 4,
                      "total_tokens": (len(text) + len(out)) // 4}}, ensure_ascii=False).encode()


REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class Conn(asyncio.Protocol):
    def __init__(self, server):
        self.server = server
        self.buf = b""
        self.busy = False

    def connection_made(self, transport):
        self.t = transport

    def data_received(self, data):
        self.buf += data
        if len(self.buf) > 8 << 20:
            self.t.close()
            return
        if not self.busy:
            self.next()

    def next(self):
        head_end = self.buf.find(b"\r\n\r\n")
        if head_end < 0:
            return
        lines = self.buf[:head_end].decode("latin-1").split("\r\n")
        try:
            method, path, _ = lines[0].split(" ", 2)
        except ValueError:
            self.t.close()
            return
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0") or 0)
        if len(self.buf) < head_end + 4 + n:
            if headers.get("expect", "").lower() == "100-continue" and not getattr(self, "continued", False):
                self.continued = True
                self.t.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self.continued = False
        body = self.buf[head_end + 4:head_end + 4 + n]
        self.buf = self.buf[head_end + 4 + n:]
        self.busy = True
        # one timer per request, no task: one event loop answers many at once
        r = self.server.handle(method, path.split("?")[0], body, headers.get("authorization", ""))
        close = headers.get("connection", "").lower() == "close"
        delay = self.server.a.latency_ms / 1000 if method == "POST" else 0
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self.reply, r, close)
        else:
            self.reply(r, close)

    def reply(self, r, close):
        if self.t.is_closing():
            return
        if r is None:
            return  # stalled: never answered; the client times out and closes
        if r == "close":
            self.t.close()
            return
        status, extra, payload = r
        head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
                "Content-Type: application/json", f"Content-Length: {len(payload)}"]
        head += [f"{k}: {v}" for k, v in extra.items()]
        if close:
            head.append("Connection: close")
        self.t.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        if close:
            self.t.close()
            return
        self.busy = False
        if self.buf:
            self.next()


async def serve(server, sock, ready=None):
    loop = asyncio.get_running_loop()
    if sock is None:
        sock = server.listen()
    if ready is not None:
        os.write(ready, b"x")
    srv = await loop.create_server(lambda: Conn(server), sock=sock, backlog=512)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    srv.close()


def announce(a, port, server):
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, a.port_file)
    print(f"model-server: listening on http://{a.host}:{port} "
          f"({sum(t['items'] for t in server.book.tasks)} items, accuracy {a.accuracy}, "
          f"{a.workers} worker{'s' if a.workers > 1 else ''})", file=sys.stderr, flush=True)


def run(a):
    import socket
    counters = Counters(a.workers)
    server = Server(a, counters)
    if a.workers == 1:
        sock = socket.create_server((a.host, a.port), backlog=512)
    else:
        # a bound socket that does not listen holds the port for the workers'
        # SO_REUSEPORT sockets; the kernel spreads connections among those
        sock = socket.socket(socket.AF_INET6 if ":" in a.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((a.host, a.port))
    port = sock.getsockname()[1]
    server.listen = lambda: socket.create_server((a.host, port), backlog=512, reuse_port=True)
    if a.workers == 1:
        announce(a, port, server)
        asyncio.run(serve(server, sock))
        return
    # one listening socket, several processes accepting on it; the counts
    # live in shared memory, one row per worker
    kids = []
    rd, wr = os.pipe()
    for row in range(a.workers):
        pid = os.fork()
        if pid == 0:
            sock.close()
            counters.row = row
            asyncio.run(serve(server, None, wr))
            os._exit(0)
        kids.append(pid)
    for _ in kids:
        os.read(rd, 1)  # every worker listens
    sock.close()
    announce(a, port, server)
    stop = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.append(1))
    while not stop:
        signal.pause()
    for pid in kids:
        os.kill(pid, signal.SIGTERM)
    for pid in kids:
        os.waitpid(pid, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: any free port (see --port-file)")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--tasks", action="append", default=[], help="a directory of tasks (repeatable)")
    ap.add_argument("--accuracy", type=float, default=0.8)
    ap.add_argument("--seed", default="0")
    ap.add_argument("--style", default="mixed", choices=["mixed", "en", "zh", "fullwidth", "bare"])
    ap.add_argument("--model", default="evalmesh-test-model", help="the name /v1/models reports")
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--fail", help="faults by probability: 429=P,500=P,503=P,stall=P,malformed=P,close=P")
    ap.add_argument("--fail-first", type=int, default=0, help="the first N requests fail with --fail-kind")
    ap.add_argument("--fail-kind", default="429")
    ap.add_argument("--retry-after", type=int, default=1, help="seconds, sent with 429 and 503")
    ap.add_argument("--api-key-env", help="require 'Authorization: Bearer' with this variable's value")
    ap.add_argument("--workers", type=int, default=1, help="processes serving (default 1)")
    a = ap.parse_args()
    if not 0 <= a.accuracy <= 1:
        ap.error("--accuracy must be in 0..1")
    a.api_key = os.environ.get(a.api_key_env, "") if a.api_key_env else ""
    if a.api_key_env and not a.api_key:
        ap.error(f"--api-key-env: ${a.api_key_env} is empty")
    if not a.tasks:
        a.tasks = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tasks")]
    if not 1 <= a.workers <= 64:
        ap.error("--workers must be 1..64")
    run(a)


if __name__ == "__main__":
    main()
