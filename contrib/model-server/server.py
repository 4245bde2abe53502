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

Real servers' ways, one mode each (the bodies are what those servers send):
  --reasoning think             "<think>reasoning</think>answer" in content
  --reasoning think-close-only  "reasoning</think>answer" (the template
                                opened the block, as DeepSeek-R1's does)
  --reasoning field             the answer in content, the reasoning in
                                reasoning_content or reasoning (vLLM, DeepSeek)
  --reasoning null-content-length  content null, reasoning only,
                                finish_reason "length" (the budget spent)
  --reasoning parts             content as typed parts, a "thinking" part
                                then a "text" part (Mistral's Magistral)
The reasoning always holds a wrong answer, the answer is right or wrong as
--accuracy says.
  --stream-unless-told          server-sent events unless "stream": false
  --stream-always               server-sent events whatever the request says
  --context N                   a prompt over N tokens (characters / 4) gets
                                llama.cpp's 400 exceed_context_size_error
  --context-message TEXT        ... with this message instead
  --error-200 P                 a 200 whose body is vLLM's error object
                                (code --error-200-code, 404 by default)
  --fail-items K                K items per task, chosen by hash, get
                                llama.cpp's 500 "peg-native format" error
                                on every attempt
  --think-out-items K           K items per task, chosen by hash, get the
                                null-content-length answer (the model spent
                                its token budget thinking); the rest as usual
  --log-requests FILE           append every request's JSON body to FILE,
                                one line each (what a client really sent)
  --azure                       Azure OpenAI's paths: POST /openai/deployments/
                                MODEL/chat/completions?api-version=..., the key
                                in the api-key header, Azure's error bodies
  --redirect                    the API moves to /moved/v1/...: a 307 (or
                                --redirect-code) sends clients there, on
                                --redirect-host if given (another host name)
  --loading N                   the first N requests get llama.cpp's 503
                                "Loading model"
/stats also counts what tests look for: streamed answers, requests that
said "stream": false, redirects, requests to another host name and those
of them that carried a key.

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

    def __init__(self, dirs, accuracy, seed, fail_items=0, think_out_items=0):
        self.by_prompt = {}
        self.fail_items = fail_items
        self.think_out_items = think_out_items
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
        failing = set(sorted(range(len(items)), key=lambda i: h64(str(seed), "fail", m["name"],
                                                                   str(items[i]["id"])))[:self.fail_items])
        thinking = set(sorted(range(len(items)), key=lambda i: h64(str(seed), "think", m["name"],
                                                                    str(items[i]["id"])))[:self.think_out_items])
        for i, it in enumerate(items):
            p = render(m["prompt"], it, m.get("choices"))
            self.by_prompt[p] = (m, it, i in right, i in failing, i in thinking)
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


def answer(hit, style, seed, right=None):
    if hit is None:
        return "I do not know."
    m, item, is_right = hit[:3]
    right = is_right if right is None else right
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
STATUSES = ("200", "301", "302", "303", "307", "308", "400", "401", "404") + FAULTS
EVENTS = ("sse", "stream_false", "redirects", "other_host", "key_other_host", "loading",
          "context", "error200", "fail_items")
SLOTS = (["requests", "answered", "unknown_prompts"] + ["s" + k for k in STATUSES] +
         ["f" + k for k in FAULTS] + ["e" + k for k in EVENTS])
SLOT = {k: i for i, k in enumerate(SLOTS)}  # counted on every request: no list search

# Error bodies as real servers send them (see tests/unit/model_test.c for sources).
LLAMA_CONTEXT = ('{{"error":{{"code":400,"message":"request ({n} tokens) exceeds the available context '
                 'size ({ctx} tokens), try increasing it","type":"exceed_context_size_error",'
                 '"n_prompt_tokens":{n},"n_ctx":{ctx}}}}}')
LLAMA_PEG = b'{"error":{"message":"The model produced output that does not match the expected peg-native format"}}'
LLAMA_LOADING = b'{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}'
AZURE_401 = (b'{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong '
             b'API endpoint. Make sure to provide a valid key for an active subscription and use a '
             b'correct regional API endpoint for your resource."}}')
AZURE_NO_DEPLOYMENT = (b'{"error":{"code":"DeploymentNotFound","message":"The API deployment for this '
                       b'resource does not exist. If you created the deployment within the last 5 '
                       b'minutes, please wait a moment and try again."}}')
AZURE_NOT_FOUND = b'{"error":{"code":"404","message":"Resource not found"}}'


def vllm_error(code, model):
    kinds = {404: ("NotFoundError", f"The model `{model}` does not exist."),
             400: ("BadRequestError", "This model's maximum context length is 4096 tokens. However, "
                   "you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please "
                   "reduce the length of the messages or completion.")}
    kind, msg = kinds.get(code, ("InternalServerError", "internal error"))
    return json.dumps({"object": "error", "message": msg, "type": kind, "param": None,
                       "code": code}).encode()


class Counters:
    """Counts shared by the worker processes: one row per worker, summed."""

    def __init__(self, workers):
        self.cells = multiprocessing.Array("q", workers * len(SLOTS), lock=False)
        self.n = multiprocessing.Value("q", 0)  # requests so far, all workers
        self.row = 0

    def add(self, key, k=1):
        self.cells[self.row * len(SLOTS) + SLOT[key]] += k

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
                "faults": {k: get["f" + k] for k in FAULTS if get["f" + k]},
                "events": {k: get["e" + k] for k in EVENTS}}


class Server:
    def __init__(self, a, counters):
        self.a = a
        self.book = Book(a.tasks, a.accuracy, a.seed, a.fail_items, a.think_out_items)
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
        if not self.faults:
            return None
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

    def chance(self, tag, n, p):
        return p > 0 and h64(str(self.a.seed), tag, str(n)) / 2.0 ** 64 < p

    def api_path(self, method, target):
        """The API ("chat" or "completions") a request is for, or an error
        reply; Azure's and the redirect's paths too."""
        path, _, query = target.partition("?")
        if self.a.azure:
            dep = "/openai/deployments/"
            if not path.startswith(dep):
                return None, (404, {}, AZURE_NOT_FOUND)
            name, _, rest = path[len(dep):].partition("/")
            if rest not in ("chat/completions", "completions"):
                return None, (404, {}, AZURE_NOT_FOUND)
            if not re.search(r"(^|&)api-version=[^&]+", query):
                return None, (404, {}, AZURE_NOT_FOUND)
            if name != self.a.model:
                return None, (404, {}, AZURE_NO_DEPLOYMENT)
            return ("chat" if rest == "chat/completions" else "completions"), None
        if self.a.redirect and path.startswith("/moved/"):
            path = path[len("/moved"):]
        elif self.a.redirect and path in ("/v1/chat/completions", "/v1/completions"):
            host = f"{self.a.redirect_host}:{self.a.bound_port}" if self.a.redirect_host else None
            loc = (f"http://{host}/moved{target}" if host else f"/moved{target}")
            self.c.add("eredirects")
            return None, (self.a.redirect_code, {"Location": loc}, b"")
        if method != "POST" or path not in ("/v1/chat/completions", "/v1/completions"):
            return None, (404, {}, b'{"error": {"message": "not found"}}')
        return ("chat" if path == "/v1/chat/completions" else "completions"), None

    def key_ok(self, headers):
        if not self.a.api_key:
            return True
        if self.a.key_header:
            return headers.get(self.a.key_header.lower(), "") == self.a.api_key
        return headers.get("authorization", "") == "Bearer " + self.a.api_key

    def note_host(self, headers):
        """Counts requests that reached this server under another host name,
        and those of them that carried a key: a client that follows a
        redirect to another host must not bring its key."""
        if headers.get("host", "") == f"127.0.0.1:{self.a.bound_port}":
            return
        self.c.add("eother_host")
        if any(k in headers for k in ("authorization", "api-key", (self.a.key_header or "").lower())):
            self.c.add("ekey_other_host")

    def handle(self, method, target, body, headers):
        """Returns (status, headers, body bytes), None to stall, or "close".
        The answer is sent --latency-ms after the request came (Conn.next)."""
        path = target.split("?")[0]
        if method == "GET" and path == "/stats":
            return 200, {}, json.dumps(dict(self.c.snapshot(), tasks=self.book.tasks)).encode()
        if method == "GET" and path == "/v1/models" and not self.a.azure:
            return 200, {}, json.dumps({"object": "list", "data": [
                {"id": self.a.model, "object": "model", "owned_by": "evalmesh-test"}]}).encode()
        self.note_host(headers)
        api, early = self.api_path(method, target)
        if early is not None:
            self.count(early[0])
            return early
        n = self.c.next_request()
        self.c.add("requests")
        if not self.key_ok(headers):
            self.count(401)
            # the key as received, as some servers and proxies echo it: a
            # client must not repeat it
            sent = headers.get((self.a.key_header or "authorization").lower(), "")
            return 401, {}, AZURE_401 if self.a.azure else json.dumps(
                {"error": {"message": f"Incorrect API key provided: {sent or '(none)'}"}}).encode()
        if n <= self.a.loading:
            self.count(503)
            self.c.add("eloading")
            return 503, {}, LLAMA_LOADING
        if self.chance("e200", n, self.a.error_200):
            self.count(200)
            self.c.add("eerror200")
            return 200, {}, vllm_error(self.a.error_200_code, self.a.model)
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
            if api == "chat":
                user = [m for m in req["messages"] if m.get("role") == "user"]
                text = user[-1]["content"] if user else ""
                size = sum(len(m.get("content") or "") for m in req["messages"])
            else:
                text = req["prompt"]
                size = len(text)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            self.count(400)
            return 400, {}, b'{"error": {"message": "bad request"}}'
        if req.get("stream") is False:
            self.c.add("estream_false")
        if self.a.log_requests:
            line = (json.dumps(req, ensure_ascii=False, sort_keys=True) + "\n").encode()
            fd = os.open(self.a.log_requests, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        if self.a.context and size // 4 > self.a.context:
            self.count(400)
            self.c.add("econtext")
            if self.a.context_message:
                return 400, {}, json.dumps({"error": {"code": 400, "message": self.a.context_message,
                                                      "type": "invalid_request_error"}}).encode()
            return 400, {}, LLAMA_CONTEXT.format(n=size // 4, ctx=self.a.context).encode()
        hit = self.book.find(text)
        if hit is None:
            self.c.add("unknown_prompts")
        if hit is not None and hit[3]:
            self.count(500)
            self.c.add("efail_items")
            return 500, {}, LLAMA_PEG
        out = answer(hit, self.a.style, self.a.seed)
        if fault == "malformed":
            self.count(200, fault)
            return 200, {}, b'{"id": "cmpl-x", "choices": [{"message": {"content": "The ans'
        self.count(200)
        self.c.add("answered")
        choice = self.choice(api, hit, out)
        if self.a.stream_always or (self.a.stream_unless_told and req.get("stream") is not False):
            self.c.add("esse")
            return 200, {"Content-Type": "text/event-stream"}, self.streamed(n, req, choice)
        return 200, {}, json.dumps({
            "id": f"cmpl-{n}", "object": "chat.completion" if api == "chat" else "text_completion",
            "created": int(time.time()), "model": req.get("model", self.a.model),
            "choices": [choice],
            "usage": {"prompt_tokens": size // 4, "completion_tokens": len(out) // 4,
                      "total_tokens": (size + len(out)) // 4}}, ensure_ascii=False).encode()

    def choice(self, api, hit, out):
        """choices[0], the answer wrapped as --reasoning says."""
        mode, finish = self.a.reasoning, "stop"
        if hit is not None and hit[4]:
            mode = "null-content-length"
        if mode is None and api == "chat":  # the plain answer: nothing to wrap
            return {"index": 0, "message": {"role": "assistant", "content": out}, "finish_reason": finish}
        thought = ("Let me think. Perhaps " + answer(hit, self.a.style, self.a.seed, right=False) +
                   "? No, let me check that again.") if hit else "Hmm."
        content = out
        if mode == "think":
            content = f"<think>\n{thought}\n</think>\n\n{out}"
        elif mode == "think-close-only":
            content = f"{thought}\n</think>\n\n{out}"
        elif mode == "null-content-length":
            content, finish = None, "length"
        if api == "completions":
            return {"index": 0, "text": content if content is not None else "", "finish_reason": finish}
        msg = {"role": "assistant", "content": content}
        if mode == "field":
            field = ("reasoning_content", "reasoning")[h64(str(self.a.seed), "field", out) % 2]
            msg[field] = thought
        elif mode == "null-content-length":
            msg["reasoning_content"] = thought
        elif mode == "parts":
            msg["content"] = [{"type": "thinking", "thinking": [{"type": "text", "text": thought}]},
                              {"type": "text", "text": out}]
        return {"index": 0, "message": msg, "finish_reason": finish}

    def streamed(self, n, req, choice):
        """The same answer as server-sent events, as a proxy that streams
        unless told otherwise sends it."""
        if "message" in choice:
            delta = {"index": 0, "delta": {"role": "assistant", "content": choice["message"]["content"]},
                     "finish_reason": None}
        else:
            delta = {"index": 0, "text": choice["text"], "finish_reason": None}
        chunk = {"id": f"cmpl-{n}", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": req.get("model", self.a.model), "choices": [delta]}
        end = dict(chunk, choices=[{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}])
        return ("data: " + json.dumps(chunk, ensure_ascii=False) + "\n\ndata: " + json.dumps(end) +
                "\n\ndata: [DONE]\n\n").encode()


REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other",
           307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
           401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
           500: "Internal Server Error", 503: "Service Unavailable"}


class Conn(asyncio.Protocol):
    def __init__(self, server):
        self.server = server
        self.buf = b""
        self.busy = False

    def connection_made(self, transport):
        self.t = transport

    def data_received(self, data):
        if not self.buf:  # a request starts arriving: its latency counts from now
            self.arrived = asyncio.get_running_loop().time()
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
        arrived = self.arrived
        if self.buf:  # the next request (pipelined) is here already
            self.arrived = asyncio.get_running_loop().time()
        self.busy = True
        # one timer per request, no task: one event loop answers many at once
        r = self.server.handle(method, path, body, headers)
        close = headers.get("connection", "").lower() == "close"
        delay = self.server.a.latency_ms / 1000 if method == "POST" else 0
        if delay > 0:
            # the answer leaves --latency-ms after the request arrived, as a
            # model's would: the time this loop took to get to it is part of
            # the latency, not added to it
            asyncio.get_running_loop().call_at(arrived + delay, self.reply, r, close)
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
        ctype = extra.pop("Content-Type", "application/json")
        head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
                f"Content-Type: {ctype}", f"Content-Length: {len(payload)}"]
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
    a.bound_port = port
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
    ap.add_argument("--latency-ms", type=float, default=0,
                    help="each answer leaves this long after its request arrived")
    ap.add_argument("--fail", help="faults by probability: 429=P,500=P,503=P,stall=P,malformed=P,close=P")
    ap.add_argument("--fail-first", type=int, default=0, help="the first N requests fail with --fail-kind")
    ap.add_argument("--fail-kind", default="429")
    ap.add_argument("--retry-after", type=int, default=1, help="seconds, sent with 429 and 503")
    ap.add_argument("--api-key-env", help="require 'Authorization: Bearer' with this variable's value")
    ap.add_argument("--api-key-header", help="require the key in this header instead (--azure: api-key)")
    ap.add_argument("--reasoning", choices=["think", "think-close-only", "field", "null-content-length",
                                            "parts"], help="answer as a reasoning model does (above)")
    ap.add_argument("--stream-unless-told", action="store_true",
                    help='stream server-sent events unless the request says "stream": false')
    ap.add_argument("--stream-always", action="store_true", help="stream even when told not to")
    ap.add_argument("--context", type=int, default=0, help="tokens a prompt may hold (0: any)")
    ap.add_argument("--context-message", help="the message of that 400 instead of llama.cpp's")
    ap.add_argument("--error-200", type=float, default=0, help="probability of a 200 with an error object")
    ap.add_argument("--error-200-code", type=int, default=404, help="the code in that object")
    ap.add_argument("--fail-items", type=int, default=0, help="items per task that always get a 500")
    ap.add_argument("--think-out-items", type=int, default=0,
                    help="items per task answered with content null, finish_reason length")
    ap.add_argument("--log-requests", help="append each request body (JSON) to this file")
    ap.add_argument("--azure", action="store_true", help="serve Azure OpenAI's paths (--model: deployment)")
    ap.add_argument("--redirect", action="store_true", help="redirect /v1/... to /moved/v1/...")
    ap.add_argument("--redirect-code", type=int, default=307, choices=[301, 302, 303, 307, 308])
    ap.add_argument("--redirect-host", help="redirect to this host name (and the same port)")
    ap.add_argument("--loading", type=int, default=0, help="the first N requests get 503 Loading model")
    ap.add_argument("--workers", type=int, default=1, help="processes serving (default 1)")
    a = ap.parse_args()
    if not 0 <= a.accuracy <= 1:
        ap.error("--accuracy must be in 0..1")
    a.api_key = os.environ.get(a.api_key_env, "") if a.api_key_env else ""
    if a.api_key_env and not a.api_key:
        ap.error(f"--api-key-env: ${a.api_key_env} is empty")
    a.key_header = a.api_key_header or ("api-key" if a.azure else None)
    a.bound_port = a.port
    if not a.tasks:
        a.tasks = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tasks")]
    if not 1 <= a.workers <= 64:
        ap.error("--workers must be 1..64")
    run(a)


if __name__ == "__main__":
    main()
