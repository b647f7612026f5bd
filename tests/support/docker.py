"""Docker for the image test: a daemon, a base image, a build, containers.

Debian's ``docker.io`` daemon runs on these machines without a bridge network
(``dockerd --iptables=false --bridge=none``); containers use the host network. Docker Hub
cannot be reached, so the Dockerfile's base may be replaced by a stand-in built with
``debootstrap`` (Debian bookworm with Python 3.11): the caller is told when it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

BASE_IMAGE = "python:3.11-slim"
STANDIN_LABEL = "bgc.standin"
DAEMON_WAIT_S = 60


class DockerUnavailable(RuntimeError):
    """Docker cannot run here; the message says why."""


def docker(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def daemon_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return docker("info", timeout=30, check=False).returncode == 0


def ensure_daemon(log: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """A running daemon: the one found, or Debian's dockerd started now (needs root).

    Returns what was done and the daemon process when this call started it.
    """
    if daemon_answers():
        return "found a running Docker daemon", None
    if shutil.which("docker") is None or shutil.which("dockerd") is None:
        raise DockerUnavailable("no docker client or dockerd (Debian package docker.io)")
    if os.geteuid() != 0:
        raise DockerUnavailable("no Docker daemon running, and starting dockerd needs root")
    with log.open("ab") as out:
        daemon = subprocess.Popen(
            ["dockerd", "--iptables=false", "--bridge=none"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + DAEMON_WAIT_S
    while time.monotonic() < deadline:
        if daemon_answers():
            return f"started dockerd (log: {log})", daemon
        time.sleep(1)
    daemon.terminate()
    raise DockerUnavailable(f"dockerd did not answer within {DAEMON_WAIT_S} s; see {log}")


def ensure_base_image() -> str:
    """The Dockerfile's base: present, pulled, or a debootstrap stand-in; says which."""
    found = docker("image", "inspect", "-f", "{{json .Config.Labels}}", BASE_IMAGE, check=False)
    if found.returncode == 0:
        if STANDIN_LABEL in found.stdout:
            return f"base image {BASE_IMAGE} found locally: a debootstrap STAND-IN built earlier"
        return f"base image {BASE_IMAGE} found locally"
    if docker("pull", BASE_IMAGE, timeout=120, check=False).returncode == 0:
        return f"base image {BASE_IMAGE} pulled"
    build_standin_base()
    return (
        f"base image {BASE_IMAGE} cannot be pulled here: built a STAND-IN with debootstrap "
        "(Debian bookworm, Python 3.11) and imported it under that name"
    )


def build_standin_base() -> None:
    if shutil.which("debootstrap") is None:
        raise DockerUnavailable(f"{BASE_IMAGE} cannot be pulled and debootstrap is not installed")
    with tempfile.TemporaryDirectory(prefix="bgc-base-") as tmp:
        root = Path(tmp) / "root"
        subprocess.run(
            ["debootstrap", "--variant=minbase",
             "--include=python3,python3-venv,python-is-python3,ca-certificates",
             "bookworm", str(root), "http://deb.debian.org/debian"],
            check=True, capture_output=True, timeout=900,
        )  # fmt: skip
        # Package downloads may go through a proxy whose CA only the host trusts.
        host_bundle = Path("/etc/ssl/certs/ca-certificates.crt")
        if host_bundle.is_file():
            shutil.copyfile(host_bundle, root / "etc/ssl/certs/ca-certificates.crt")
        (root / "etc/pip.conf").write_text(
            "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n", encoding="utf-8"
        )
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(
            ["docker", "import", "--change", f"LABEL {STANDIN_LABEL}=debootstrap-bookworm",
             "-", BASE_IMAGE], stdin=tar.stdout, check=True,
            capture_output=True, timeout=600,
        )  # fmt: skip
        tar.wait()


def image_size_mb(tag: str) -> float:
    size = int(docker("image", "inspect", "-f", "{{.Size}}", tag).stdout.strip())
    return size / 1e6
