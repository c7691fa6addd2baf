"""Fabric 2 tasks: install cronkit on a host, create its checks, install the crontab.

    fab -H db7.example.org deploy

Needs HC_API_KEY in the environment of the machine running fab; the key is sent
to the remote host over SSH in an environment variable, never on a command line.
"""
import os

from fabric import task

BINARIES = ["statpost", "runwrap", "pgreport", "chartd", "hcctl"]
CHECKS = [
    # name, schedule, grace
    ("db7-pgreport", "*/5 * * * *", "10m"),
    ("db7-backup", "30 2 * * *", "1h"),
    ("db7-pgdash", "0 * * * *", "15m"),
]


@task
def deploy(c):
    """Copy the binaries, ensure the checks exist, install the crontab."""
    c.local("scripts/build")
    for name in BINARIES:
        c.put(f"bin/{name}", f"/tmp/{name}")
        c.sudo(f"install -m 0755 /tmp/{name} /usr/local/bin/{name}")
    env = {"HC_API_KEY": os.environ["HC_API_KEY"]}
    for name, schedule, grace in CHECKS:
        # Validates the schedule locally, creates or updates the check by name,
        # prints its ping URL. Safe to run on every deploy.
        c.run(
            f"hcctl ensure {name} --schedule '{schedule}' --tz UTC --grace {grace} --tag db7",
            env=env,
        )
    c.put("scripts/examples/crontab", "/tmp/cronkit.crontab")
    c.sudo("crontab -u postgres /tmp/cronkit.crontab")
