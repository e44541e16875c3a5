#!/usr/bin/env python3
"""A TCP proxy that adds a round-trip time, for benchmarks on one machine.

There is no netem qdisc here, so loopback has no latency. This proxy delivers
every chunk RTT/2 late in each direction (pipelined: later chunks do not
wait for earlier ones to be delivered, and order is kept), and holds a new
connection's first client bytes one extra RTT, which stands for the TCP
handshake. A fresh TLS 1.3 call then costs about three RTTs, a call on a
kept-alive connection one, as users see it.

Usage: delay_proxy.py TARGET_HOST TARGET_PORT RTT_MS [LISTEN_PORT]
Prints "listening on PORT" (0 picks a free port) and runs until killed or
until its standard input closes.
"""

import asyncio
import socket
import sys


async def _pump(reader, writer, delay, extra_first):
    """Copies reader to writer, each chunk `delay` s late (the first one
    `extra_first` s later still), in order, without waiting for delivery."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    task = asyncio.create_task(deliver())
    last = 0.0
    extra = extra_first
    try:
        while True:
            try:
                data = await reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            last = max(loop.time() + delay + extra, last)
            extra = 0.0
            queue.put_nowait((last, data))
            if not data:
                break
        await task
    except (ConnectionError, OSError):
        task.cancel()


async def _serve(target_host, target_port, rtt, port):
    half = rtt / 2

    async def handle(c_reader, c_writer):
        try:
            u_reader, u_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            c_writer.close()
            return
        for w in (c_writer, u_writer):
            sock = w.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(
            _pump(c_reader, u_writer, half, rtt),  # client -> server: + handshake
            _pump(u_reader, c_writer, half, 0.0),
            return_exceptions=True,
        )
        for w in (c_writer, u_writer):
            w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.buffer.read)
    async with server:
        await stdin_closed


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    host, port, rtt_ms = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    listen = int(sys.argv[4]) if len(sys.argv) == 5 else 0
    try:
        asyncio.run(_serve(host, port, rtt_ms / 1000.0, listen))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
