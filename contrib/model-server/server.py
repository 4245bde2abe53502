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

Standard library only (asyncio), so it runs wherever python3 does.
"""
import argparse
import asyncio
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


class Server:
    def __init__(self, a):
        self.a = a
        self.book = Book(a.tasks, a.accuracy, a.seed)
        self.faults = []
        for part in filter(None, (a.fail or "").split(",")):
            kind, _, p = part.partition("=")
            if kind not in ("429", "500", "503", "stall", "malformed", "close"):
                sys.exit(f"server.py: --fail: unknown fault '{kind}'")
            self.faults.append((kind, float(p or "0")))
        self.n = 0
        self.stats = {"requests": 0, "answered": 0, "by_status": {}, "faults": {}, "unknown_prompts": 0}
        self.stream = 0

    def roll(self):
        self.stream += 1
        return h64(str(self.a.seed), "fault", str(self.stream)) / 2.0 ** 64

    def pick_fault(self):
        if self.n <= self.a.fail_first:
            return self.a.fail_kind
        x = self.roll()
        for kind, p in self.faults:
            if x < p:
                return kind
            x -= p
        return None

    def count(self, status, fault=None):
        s = self.stats["by_status"]
        s[str(status)] = s.get(str(status), 0) + 1
        if fault:
            self.stats["faults"][fault] = self.stats["faults"].get(fault, 0) + 1

    async def handle(self, method, path, body, auth):
        """Returns (status, headers, body bytes) or None to stall."""
        if method == "GET" and path == "/stats":
            return 200, {}, json.dumps(dict(self.stats, tasks=self.book.tasks)).encode()
        if method == "GET" and path == "/v1/models":
            return 200, {}, json.dumps({"object": "list", "data": [
                {"id": self.a.model, "object": "model", "owned_by": "evalmesh-test"}]}).encode()
        if method != "POST" or path not in ("/v1/chat/completions", "/v1/completions"):
            return 404, {}, b'{"error": {"message": "not found"}}'
        self.n += 1
        self.stats["requests"] += 1
        if self.a.api_key and auth != "Bearer " + self.a.api_key:
            self.count(401)
            return 401, {}, b'{"error": {"message": "bad or missing API key"}}'
        fault = self.pick_fault()
        if self.a.latency_ms:
            await asyncio.sleep(self.a.latency_ms / 1000)
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
            self.stats["unknown_prompts"] += 1
        out = answer(hit, self.a.style, self.a.seed)
        if fault == "malformed":
            self.count(200, fault)
            return 200, {}, b'{"id": "cmpl-x", "choices": [{"message": {"content": "The ans'
        self.count(200)
        self.stats["answered"] += 1
        now = int(time.time())
        if path == "/v1/chat/completions":
            choice = {"index": 0, "message": {"role": "assistant", "content": out}, "finish_reason": "stop"}
            obj = "chat.completion"
        else:
            choice = {"index": 0, "text": out, "finish_reason": "stop"}
            obj = "text_completion"
        return 200, {}, json.dumps({
            "id": f"cmpl-{self.n}", "object": obj, "created": now, "model": req.get("model", self.a.model),
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
        asyncio.ensure_future(self.reply(method, path.split("?")[0], body, headers.get("authorization", ""),
                                         headers.get("connection", "").lower() == "close"))

    async def reply(self, method, path, body, auth, close):
        r = await self.server.handle(method, path, body, auth)
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


async def main_async(a):
    server = Server(a)
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(lambda: Conn(server), a.host, a.port, backlog=512)
    port = srv.sockets[0].getsockname()[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, a.port_file)
    print(f"model-server: listening on http://{a.host}:{port} "
          f"({sum(t['items'] for t in server.book.tasks)} items, accuracy {a.accuracy})", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    srv.close()


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
    a = ap.parse_args()
    if not 0 <= a.accuracy <= 1:
        ap.error("--accuracy must be in 0..1")
    a.api_key = os.environ.get(a.api_key_env, "") if a.api_key_env else ""
    if a.api_key_env and not a.api_key:
        ap.error(f"--api-key-env: ${a.api_key_env} is empty")
    if not a.tasks:
        a.tasks = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tasks")]
    asyncio.run(main_async(a))


if __name__ == "__main__":
    main()
