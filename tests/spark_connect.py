"""A local Spark Connect server for tests, started from the installed PySpark (its jars hold
spark-connect) on loopback, its catalog, warehouse and log under a work folder.

    with connect_server(tmp_path) as url:  # sc://127.0.0.1:<port>
        session = remote_session(url)

The server is ``spark-submit --class ...SparkConnectServer`` in a process group of its own,
terminated (then killed) on exit; on Linux it also dies with the process that started it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
LOG_NAME = "connect-server.log"
PROBE_TIMEOUT = 45.0  # one readiness query; Hive's first catalog call takes ~20 s on 2 cores
HOST = "127.0.0.1"

#: Settings every test server gets; ``conf`` adds to or overrides them.
SERVER_CONF = {
    "spark.connect.grpc.binding.address": HOST,
    "spark.driver.host": HOST,
    "spark.driver.bindAddress": HOST,
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
}

#: Environment variables that would turn the server's spark-submit into a client, or point it
#: at another Spark installation or configuration.
_CLIENT_ENV = ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_API_MODE", "MASTER")
_CONF_ENV = ("SPARK_CONF_DIR", "SPARK_HOME", "PYSPARK_SUBMIT_ARGS")


class ConnectServerError(RuntimeError):
    """The server died or did not answer in time; the message ends with its log's tail."""


class _PortTaken(ConnectServerError):
    """Another process listens on the port (the server stays up, without its service)."""


def spark_home() -> Path | None:
    """The Spark installation of this Python's PySpark (its bin/spark-submit), or None."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        return None
    home = Path(spec.origin).parent
    if (home / "bin" / "spark-submit").is_file():
        return home
    from pyspark.find_spark_home import _find_spark_home  # a source checkout, $SPARK_HOME

    home = Path(_find_spark_home())
    return home if (home / "bin" / "spark-submit").is_file() else None


def _java() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def connect_available() -> str | None:
    """None if a Connect server can start here, else a one-line reason to skip."""
    home = spark_home()
    if home is None:
        return "PySpark absent: pip install -e '.[spark]'"
    try:
        from pyspark.sql.connect.utils import check_dependencies

        check_dependencies(__name__)
    except ImportError as exc:
        return f"Spark Connect client dependencies missing: {str(exc).splitlines()[0]}"
    if _java() is None:
        return "no Java on PATH or in $JAVA_HOME: Spark needs Java 17"
    if not any((home / "jars").glob("spark-connect_*.jar")):
        return f"no spark-connect_*.jar in {home / 'jars'}: PySpark >= 4 bundles it"
    return None


def free_port() -> int:
    """A loopback TCP port nobody listens on (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_command(
    home: Path, port: int, workdir: Path, conf: dict[str, str] | None = None
) -> list[str]:
    """The spark-submit command line of a server on ``port``, its state under ``workdir``.

    Derby (the Hive metastore, used with ``spark.sql.catalogImplementation=hive``) is kept
    under ``workdir`` too; the default catalog is in memory and dies with the server."""
    settings = {
        **SERVER_CONF,
        "spark.connect.grpc.binding.port": str(port),
        "spark.sql.warehouse.dir": str(workdir / "spark-warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={workdir / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={workdir}",
        **(conf or {}),
    }
    command = [str(home / "bin" / "spark-submit"), "--class", SERVER_CLASS]
    command += ["--name", "medallion-connect-test", "--master", "local[2]"]
    for key, value in settings.items():
        command += ["--conf", f"{key}={value}"]
    return command  # no application jar: spark-submit knows this class (spark-internal)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: SIGTERM the server when the process that started it dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _read(log: Path, since: int) -> str:
    """What the server logged from byte ``since`` on."""
    try:
        with log.open("rb") as handle:
            handle.seek(since)
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def _tail(log: Path, since: int, lines: int = 30) -> str:
    return "\n".join(_read(log, since).splitlines()[-lines:]) or "(nothing logged)"


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((HOST, port)) == 0


def patch_connect_client() -> None:
    """Work around a deadlock of PySpark 4.0's Connect client (fixed upstream by SPARK-55406).

    Closing any client (``session.stop()``, or the garbage collector finalizing a dropped
    session) shuts down the release thread pool all clients share. When the collector runs
    inside that pool's ``submit()`` (it starts a thread, which allocates), the shutdown waits
    for the lock ``submit()`` holds: the process hangs for good. Seen here within a few
    sessions. Patched to forget the shared pool instead; its idle threads end with it."""
    from pyspark.sql.connect.client.reattach import (
        ExecutePlanResponseReattachableIterator as Iterator_,
    )

    if getattr(Iterator_, "_medallion_patched", False) or not hasattr(
        Iterator_, "_release_thread_pool_instance"
    ):
        return  # patched already, or a client without the shared pool

    def shutdown(cls: type[Any]) -> None:
        with cls._lock:
            cls._release_thread_pool_instance = None

    Iterator_.shutdown = classmethod(shutdown)  # type: ignore[method-assign,assignment]
    Iterator_._medallion_patched = True  # type: ignore[attr-defined]


def remote_session(url: str) -> Any:
    """A new Spark Connect session on ``url``.

    Built with the Connect class itself, not ``pyspark.sql.SparkSession.builder.remote``: that
    one sets ``SPARK_CONNECT_MODE_ENABLED`` in ``os.environ`` for good (from then on every
    ``SparkSession.builder`` and ``pyspark.sql.functions`` call in the process goes to Connect)
    and refuses outright when a classic SparkContext is running."""
    patch_connect_client()
    from pyspark.sql.connect.session import SparkSession as RemoteSparkSession

    return RemoteSparkSession.builder.remote(url).create()


def _probe(url: str, timeout: float) -> str | None:
    """None once a session ran ``SELECT 1`` and listed databases (which starts the catalog:
    Hive's takes seconds), else why not. A thread, so a hung client cannot outlast
    ``timeout``."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            session = remote_session(url)
            try:
                session.sql("SELECT 1").collect()
                session.sql("SHOW DATABASES").collect()
            finally:
                session.stop()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, name="spark-connect-probe", daemon=True)
    thread.start()
    thread.join(max(timeout, 1.0))
    if not outcome:
        return "no answer to SELECT 1"
    exc = outcome[0]
    if exc is None:
        return None
    text = str(exc).strip()
    return text.splitlines()[0] if text else repr(exc)


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the server's process group (Spark's shutdown hooks run), SIGKILL what is left
    after ``grace`` seconds, then reap the server."""
    if process.returncode is not None:
        return  # reaped already: its process group id may name someone else's group now
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    _wait_unreaped(process, grace)
    if process.returncode is None:  # unreaped (perhaps a zombie): the group id is still ours
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # a hung server, or its stray workers
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)


def _wait_unreaped(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait up to ``timeout`` seconds for the server to exit, leaving it unreaped where the
    platform allows (``waitid`` with ``WNOWAIT``)."""
    if not hasattr(os, "waitid"):
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
        return
    deadline = time.monotonic() + timeout
    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, process.pid, flags) is not None:
                return
        except ChildProcessError:
            return
        time.sleep(0.1)


@contextlib.contextmanager
def connect_server(
    workdir: Path,
    *,
    port: int | None = None,
    conf: dict[str, str] | None = None,
    timeout: float = 120.0,
    stop_grace: float = 30.0,
) -> Iterator[str]:
    """Run a local Spark Connect server; yield its URL ``sc://127.0.0.1:<port>``.

    Ready means the port accepts connections and a Connect session ran ``SELECT 1`` and
    ``SHOW DATABASES`` (so a Hive catalog has started too). Raises
    :class:`ConnectServerError` (with the tail of ``workdir/connect-server.log``) if the
    server exits or is not ready within ``timeout`` seconds. A free port is picked when
    ``port`` is None (and picked again if another process takes it first)."""
    reason = connect_available()
    if reason:
        raise ConnectServerError(reason)
    home = spark_home()
    assert home is not None
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / LOG_NAME
    env = {k: v for k, v in os.environ.items() if k not in _CLIENT_ENV + _CONF_ENV}
    env |= {"SPARK_HOME": str(home), "SPARK_LOCAL_IP": HOST}
    # Python UDFs run in workers the server starts: this Python, which has PySpark and the
    # client's version (Connect refuses a worker of another minor version).
    env.setdefault("PYSPARK_PYTHON", sys.executable)

    process, url = _start(home, workdir, env, log, port, conf, timeout, stop_grace)
    try:
        yield url
    finally:
        _stop(process, stop_grace)


def _start(
    home: Path,
    workdir: Path,
    env: dict[str, str],
    log: Path,
    port: int | None,
    conf: dict[str, str] | None,
    timeout: float,
    stop_grace: float,
) -> tuple[subprocess.Popen[bytes], str]:
    """A server that answers, and its URL; on a port picked here, up to three tries."""
    for attempt in range(1 if port is not None else 3):
        server_port = port if port is not None else free_port()
        url = f"sc://{HOST}:{server_port}"
        if _port_open(server_port):
            if port is None:
                continue  # taken since free_port() saw it free
            raise ConnectServerError(f"port {port} is in use: cannot start a server on {url}")
        with log.open("ab") as out:
            out.write(f"\n=== starting Spark Connect server on {url}\n".encode())
            out.flush()
            since = out.tell()
            process = subprocess.Popen(
                server_command(home, server_port, workdir, conf),
                cwd=workdir,  # strays (derby.log, metastore_db) land here too
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        try:
            _wait_ready(process, server_port, url, log, since, timeout)
        except ConnectServerError as exc:
            _stop(process, stop_grace)
            if isinstance(exc, _PortTaken) and port is None and attempt < 2:
                continue  # another process took the free port first: pick another
            raise ConnectServerError(f"{exc}\n--- {log} (tail):\n{_tail(log, since)}") from None
        except BaseException:
            _stop(process, stop_grace)
            raise
        return process, url
    raise ConnectServerError("no free loopback port for a Spark Connect server after 3 tries")


def _wait_ready(
    process: subprocess.Popen[bytes], port: int, url: str, log: Path, since: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    last_error = "port closed"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConnectServerError(
                f"Spark Connect server exited with code {process.returncode} before {url} was ready"
            )
        if "java.net.BindException" in _read(log, since):
            raise _PortTaken(f"port {port} is taken: the Spark Connect server cannot listen there")
        if _port_open(port):
            # A bounded try, so a bind failure logged meanwhile is seen (a listener that is
            # not the server never answers).
            reason = _probe(url, min(PROBE_TIMEOUT, deadline - time.monotonic()))
            if reason is None:
                return
            last_error = reason
        time.sleep(0.5)
    raise ConnectServerError(
        f"Spark Connect server on {url} not ready after {timeout:.0f} s ({last_error})"
    )
