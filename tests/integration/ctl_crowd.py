#!/usr/bin/env python3
"""A crowd on a node's control socket, for the node's tests.

    ctl_crowd.py SOCKET N HOLD_FILE [DRIP_MS]

Opens N connections to SOCKET that never send a byte (with DRIP_MS, each
sends one byte of a request that never ends every DRIP_MS ms, as a
slowloris does). Those the node
answers and closes at once (within a second) are counted as refused, with
what the node said; the rest are held until the node closes them, at most
15 s. Once the refusals are counted it writes "holding K" to HOLD_FILE
(so a test may act while the crowd is there), and at the end prints one
line: how many were opened, refused, closed idle (and after how many ms
at the earliest and latest), and still open when it gave up. Exit 0 if
it could open them all, 1 if not.
"""
import os
import select
import socket
import sys
import time


def main():
    if len(sys.argv) not in (4, 5):
        print("usage: ctl_crowd.py SOCKET N HOLD_FILE [DRIP_MS]", file=sys.stderr)
        return 2
    path, n, hold = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    drip = int(sys.argv[4]) / 1000.0 if len(sys.argv) == 5 else 0
    socks, opened_at = [], {}
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
        except OSError as e:
            print(f"crowd: connection {len(socks) + 1} failed: {e}")
            return 1
        opened_at[s.fileno()] = time.monotonic()
        socks.append(s)
    said, refused, idle = {}, 0, []
    live = {s.fileno(): s for s in socks}

    def drain(deadline):
        """Reads until deadline; returns the fds the node closed."""
        gone = []
        poll = select.poll()
        for fd in live:
            poll.register(fd, select.POLLIN)
        next_drip = time.monotonic() + drip
        while live and time.monotonic() < deadline:
            if drip and time.monotonic() >= next_drip:
                for s in live.values():
                    try:
                        s.send(b" ")
                    except OSError:
                        pass
                next_drip = time.monotonic() + drip
            until = min(deadline, next_drip) if drip else deadline
            left = max(0, int((until - time.monotonic()) * 1000))
            for fd, _ in poll.poll(left):
                if fd not in live:
                    continue
                try:
                    data = live[fd].recv(4096)
                except OSError:
                    data = b""
                if data:
                    said[fd] = said.get(fd, b"") + data
                    continue
                poll.unregister(fd)
                live.pop(fd).close()
                gone.append((fd, time.monotonic()))
        return gone

    refused = len(drain(time.monotonic() + 1.0))
    with open(hold + ".tmp", "w") as f:
        f.write(f"holding {len(live)}\n")
    os.rename(hold + ".tmp", hold)
    for fd, t in drain(time.monotonic() + 15.0):
        idle.append(int((t - opened_at[fd]) * 1000))
    messages = sorted(set(v.decode(errors="replace") for v in said.values()))
    print(f"crowd: {n} opened, {refused} refused at once, {len(idle)} closed idle "
          f"after {min(idle, default=0)}-{max(idle, default=0)} ms, "
          f"{len(live)} still open; said: {' | '.join(messages) or 'nothing'}")
    for s in live.values():
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
