"""A RabbitMQ cluster of its own on this machine, for ``make test-ha``.

Three nodes (``lbha<tag>N@localhost``) start beside the machine's own broker, never touching it:
each has its own AMQP, distribution and Prometheus ports (free ones, found by binding port 0), data and
log folders, an enabled-plugins file (only ``rabbitmq_prometheus``), a config file and — through a
private ``HOME`` — its own Erlang cookie, so not even ``rabbitmqctl`` of this harness can reach the
machine's node.  Nodes 2 and 3 join node 1.  :meth:`RabbitCluster.close` stops every node and removes
the folder (the test fixture calls it in ``finally``; an ``atexit`` hook does it too).
"""
from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

SBIN = Path("/usr/lib/rabbitmq/bin")


def _tool(name: str) -> str:
    path = SBIN / name  # the real scripts: Debian's wrappers would switch to the rabbitmq user
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: install rabbitmq-server")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Node:
    def __init__(self, cluster: "RabbitCluster", index: int):
        self.index = index
        self.name = f"lbha{cluster.tag}{index}@localhost"
        self.folder = cluster.folder / f"n{index}"
        self.port, self.dist_port, self.metrics_port = free_port(), free_port(), free_port()
        self.cluster = cluster

    def env(self) -> dict:
        f = self.folder
        return {**self.cluster.env(), "RABBITMQ_NODENAME": self.name, "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port), "RABBITMQ_MNESIA_BASE": str(f / "mnesia"),
                "RABBITMQ_LOG_BASE": str(f / "log"), "RABBITMQ_PID_FILE": str(f / "pid"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(f / "enabled_plugins"),
                "RABBITMQ_CONFIG_FILE": str(f / "rabbitmq.conf")}

    def url(self, user="guest", password="guest", vhost="") -> str:
        return f"amqp://{user}:{password}@127.0.0.1:{self.port}/{vhost}"

    def pid(self) -> int | None:
        try:
            return int((self.folder / "pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def alive(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


class RabbitCluster:
    def __init__(self, folder: Path, size: int = 3):
        self.tag = secrets.token_hex(3)
        self.folder = Path(folder) / f"rabbit-{self.tag}"
        self.cookie = secrets.token_hex(16)
        self.nodes = [Node(self, i) for i in range(1, size + 1)]
        self.closed = False
        atexit.register(self.close)

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        env["HOME"] = str(self.folder)  # its own .erlang.cookie
        return env

    def ctl(self, node: Node, *args, check=True, timeout=90) -> subprocess.CompletedProcess:
        out = subprocess.run([_tool("rabbitmqctl"), "-n", node.name, *args], capture_output=True,
                             text=True, timeout=timeout, env=self.env(), cwd=str(self.folder))
        if check and out.returncode != 0:
            raise RuntimeError(f"rabbitmqctl -n {node.name} {' '.join(args)}: {out.stdout} {out.stderr}")
        return out

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> "RabbitCluster":
        self.folder.mkdir(parents=True)
        cookie = self.folder / ".erlang.cookie"
        cookie.write_text(self.cookie)
        cookie.chmod(0o400)
        for node in self.nodes:
            for sub in ("mnesia", "log"):
                (node.folder / sub).mkdir(parents=True)
            (node.folder / "enabled_plugins").write_text("[rabbitmq_prometheus].\n")
            (node.folder / "rabbitmq.conf").write_text(
                "disk_free_limit.absolute = 50MB\n"
                "cluster_partition_handling = pause_minority\n"
                "queue_leader_locator = balanced\n"
                f"prometheus.tcp.port = {node.metrics_port}\n"
                "prometheus.tcp.ip = 127.0.0.1\n")
        for node in self.nodes:
            self.start_node(node, wait=False)
        for node in self.nodes:
            self.await_node(node)
        first = self.nodes[0]
        for node in self.nodes[1:]:
            self.ctl(node, "stop_app")
            self.ctl(node, "join_cluster", first.name)
            self.ctl(node, "start_app")
        return self

    def start_node(self, node: Node, wait: bool = True) -> None:
        subprocess.run([_tool("rabbitmq-server"), "-detached"], env=node.env(), check=True,
                       capture_output=True, timeout=60, cwd=str(node.folder))
        if wait:
            self.await_node(node)

    def await_node(self, node: Node, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:  # until the VM has registered the node name, the CLI cannot even ask
            out = self.ctl(node, "await_startup", "--timeout", str(int(timeout)), check=False,
                           timeout=timeout + 10)
            if out.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{node.name} did not start: {out.stdout} {out.stderr}"
                                   f"{self.log_tail(node)}")
            time.sleep(0.5)
        deadline = time.monotonic() + 30
        while not port_open(node.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{node.name}: AMQP port {node.port} never opened")
            time.sleep(0.2)

    def log_tail(self, node: Node, lines: int = 30) -> str:
        try:
            text = (node.folder / "log" / f"{node.name}.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n" + "\n".join(text.splitlines()[-lines:])

    def stop_node(self, node: Node) -> None:
        """A clean stop of the whole node (``rabbitmqctl stop``)."""
        self.ctl(node, "stop", check=False)
        self._wait_dead(node)

    def kill_node(self, node: Node) -> None:
        """The node's Erlang VM killed (SIGKILL): a crash, nothing said to anyone."""
        pid = node.pid()
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self._wait_dead(node)

    def _wait_dead(self, node: Node, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while (node.alive() or port_open(node.port)) and time.monotonic() < deadline:
            time.sleep(0.1)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for node in self.nodes:
            if node.alive():
                try:
                    self.ctl(node, "stop", check=False, timeout=30)
                except Exception:
                    pass
        for node in self.nodes:
            if node.alive():
                os.kill(node.pid(), signal.SIGKILL)
            self._wait_dead(node, timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- looking ------------------------------------------------------------------------------------
    def urls(self, order=None, vhost="") -> str:
        """``BROKER_URL`` of the cluster: every node, ``;``-separated, in ``order`` (indexes from 1)."""
        nodes = [self.nodes[i - 1] for i in order] if order else self.nodes
        return ";".join(n.url(vhost=vhost) for n in nodes)

    def running(self, via: Node) -> list[str]:
        out = self.ctl(via, "eval", "rabbit_nodes:all_running().").stdout
        return sorted(n.name for n in self.nodes if n.name in out)

    def quorum_queues(self, via: Node, vhost: str = "/") -> dict:
        """name → {leader, members, online} of every quorum queue."""
        out = self.ctl(via, "list_queues", "-q", "--no-table-headers", "-p", vhost, "name", "type",
                       "leader", "members", "online").stdout
        queues = {}
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) >= 5 and parts[1] == "quorum":
                queues[parts[0]] = {"leader": parts[2], "members": _names(parts[3]),
                                    "online": _names(parts[4])}
        return queues

    def queues_per_node(self, via: Node) -> dict:
        """node name → queues it hosts (all vhosts): quorum queues it leads, classic queues on it."""
        out = {n.name: 0 for n in self.nodes}
        for vhost in self.ctl(via, "list_vhosts", "-q", "--no-table-headers").stdout.split():
            text = self.ctl(via, "list_queues", "-q", "--no-table-headers", "-p", vhost, "type", "leader",
                            "pid").stdout
            for line in text.splitlines():
                parts = line.split("\t")
                if len(parts) < 3:
                    continue
                home = parts[1] if parts[0] == "quorum" else parts[2].strip("<>").split(".")[0]
                if home in out:
                    out[home] += 1
        return out

    def connections_per_node(self, via: Node, vhost: str) -> dict:
        """node name → client connections to ``vhost`` it holds."""
        out = {n.name: 0 for n in self.nodes}
        text = self.ctl(via, "list_connections", "-q", "--no-table-headers", "vhost", "pid").stdout
        for line in text.splitlines():
            parts = line.split("\t")
            if len(parts) == 2 and parts[0] == vhost:
                home = parts[1].strip("<>").split(".")[0]
                if home in out:
                    out[home] += 1
        return out

    def metrics(self, node: Node, path: str = "/metrics") -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{node.metrics_port}{path}", timeout=10) as r:
            return r.read().decode()


def _names(text: str) -> list[str]:
    return sorted(t.strip(" []'\"") for t in text.split(",") if t.strip(" []'\""))
