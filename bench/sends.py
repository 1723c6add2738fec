"""What one send of a chat line to a loopback client costs the sender's core, run by hand:
``python bench/sends.py [--clients N] [--seconds S] [--rounds R]``.

At 100,000 deliveries a second in rooms of 100 (1000 clients, a line a
second each) every client is sent about 100 lines a second, one at a time
unless a reactor pass happens to hold two for it, so the daemon makes
about 100,000 ``send`` calls a second. This measures what each costs the
core that makes it, kernel included (the loopback's TCP work for both
ends and the wake-up of the reader happen there), in three ways side by
side, interleaved over ``--rounds``:

- ``nodelay``: TCP_NODELAY set, as chatd sets it (chatd.frontend.sockets);
  the reader sleeps in ``epoll`` between lines, as a chat client does;
- ``nagle``: TCP_NODELAY not set, as ngIRCd leaves its sockets (its only
  socket options are SO_REUSEADDR and IP_TOS, seen with strace): the
  kernel holds a small line back while an earlier one is unacknowledged,
  so fewer segments go out, at the price of lines waiting for an ACK
  (up to the receiver's delayed-ACK timer, 40 ms on Linux);
- ``batched``: TCP_NODELAY set, five lines a send, as a busy pass sends.

The sender is pinned to the first CPU and the readers to the second, as
``bench/load.py`` pins the server and the generator. It reports CPU
microseconds per send (the sender's process time over the sends). Not a
test: timing has no place in the suite.
"""

import argparse
import os
import selectors
import socket
import time

LINE = b":alice!alice@chatd PRIVMSG #r1 :a line of chat about as long as the load's lines are\r\n"
MODES = ("nodelay", "nagle", "batched")


def read_until_closed(port: int, clients: int, cpu: int | None) -> None:
    """In a child: connect ``clients`` sockets and read them until the sender closes them all."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    selector = selectors.DefaultSelector()
    for _ in range(clients):
        client = socket.create_connection(("127.0.0.1", port))
        client.setblocking(False)
        selector.register(client, selectors.EVENT_READ)
    open_sockets = clients
    while open_sockets:
        for key, _ in selector.select(5.0):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                selector.unregister(sock)
                sock.close()
                open_sockets -= 1


def measure(mode: str, clients: int, seconds: float, cpus: list[int]) -> float:
    """CPU microseconds the sender spent a send, over ``seconds`` of sending a line to each client every millisecond."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=clients)
    port = listener.getsockname()[1]
    reader_cpu = cpus[1] if len(cpus) > 1 else None
    child = os.fork()
    if child == 0:
        try:
            read_until_closed(port, clients, reader_cpu)
        finally:
            os._exit(0)
    connections = [listener.accept()[0] for _ in range(clients)]
    listener.close()
    for connection in connections:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0 if mode == "nagle" else 1)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        connection.setblocking(False)
    data = LINE * 5 if mode == "batched" else LINE
    sends = 0
    began, cpu_before = time.monotonic(), time.process_time()
    while time.monotonic() - began < seconds:
        for connection in connections:
            # Not contextlib.suppress: its enter and exit would be timed with every send.
            try:  # noqa: SIM105
                connection.send(data)
            except BlockingIOError:
                pass
            sends += 1
        time.sleep(0.001)
    spent = time.process_time() - cpu_before
    for connection in connections:
        connection.close()
    os.waitpid(child, 0)
    return spent / sends * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})
    results: dict[str, list[float]] = {mode: [] for mode in MODES}
    for round_ in range(args.rounds):
        for mode in MODES if round_ % 2 == 0 else reversed(MODES):
            results[mode].append(measure(mode, args.clients, args.seconds, cpus))
    for mode in MODES:
        values = results[mode]
        print(
            f"{mode:8} {sum(values) / len(values):6.2f} us a send  ({', '.join(f'{v:.2f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
