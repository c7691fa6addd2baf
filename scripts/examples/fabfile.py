"""Fabric 2 tasks: install cronkit on a host, create its checks, install the crontab.

    scripts/build                       # the five binaries into bin/
    export HC_API_KEY=... HC_PING_KEY=... STATHAT_EZKEY=...   # PGDASH_API_KEY optional
    fab -r scripts/examples -H root@db7.example.org deploy --name db7

Keys are written to files on the host (/etc/cronkit/*, mode 0600, owned by the
cron user) over SFTP, never sent in a command line or a forwarded environment
(sshd's default AcceptEnv drops it anyway). `hcctl ensure` runs here, with the
HC_API_KEY of this machine; the host gets it as a file for the chart job's
`hcctl pings` (listing pings needs a read-write key).

Running it again changes nothing: every file is compared (sha256, owner, mode)
before it is written, the crontab before `crontab -u` installs it, and hcctl
ensure writes only what differs. It prints "cronkit: N changed" at the end.
e2e/provision's TestFabric deploys to a real sshd twice.

Log in as root, or as a user with sudo. --root prefixes every path on the host
(the tests install into a scratch directory); --hc-url names a self-hosted
Healthchecks (its SITE_ROOT); --env "PGHOST=/run/postgresql,PGPORT=5433" adds
or replaces environment lines of the crontab.
"""
import hashlib
import io
import json
import os
import re
import shlex

from fabric import task

HERE = os.path.dirname(os.path.abspath(__file__))
BINARIES = ["statpost", "runwrap", "pgreport", "chartd", "hcctl"]
# The crontab this installs; each runwrap --slug line gets a Healthchecks check
# with the line's own schedule, so the two cannot drift apart.
CRONTAB = os.path.join(HERE, "crontab")
GRACE = {"pgreport": "10m", "backup": "1h", "pgdash": "15m"}
# Directories the jobs write to, owned by the cron user: the dumps (private)
# and the chart chartd -o renames into place (served).
JOB_DIRS = {"/var/backups/postgresql": "750", "/var/www/html/cronkit": "755"}


class Deploy:
    def __init__(self, c, root, user):
        self.c, self.root, self.user = c, root, user
        self.changed = []

    def sh(self, cmd, **kw):
        """Run cmd on the host as root (sudo unless logged in as root)."""
        kw.setdefault("hide", True)
        if self.c.user == "root":
            return self.c.run(cmd, **kw)
        return self.c.sudo(cmd, **kw)

    def path(self, p):
        return self.root + p

    def state(self, path):
        """sha256, owner and octal mode of a file on the host, or None."""
        q = shlex.quote(path)
        r = self.sh(f"test -f {q} && sha256sum {q} && stat -c '%U %a' {q}", warn=True)
        if not r.ok:
            return None
        lines = r.stdout.split("\n")
        return lines[0].split()[0], *lines[1].split()

    def file(self, path, data, owner="root", mode="644"):
        """Make path hold data with owner and mode; upload only when it differs."""
        want = hashlib.sha256(data).hexdigest()
        have = self.state(path)
        if have == (want, owner, mode):
            return
        if have is not None and have[0] == want:
            self.sh(f"chown {owner} {shlex.quote(path)} && chmod {mode} {shlex.quote(path)}")
        else:
            # Uploaded into a fresh 0700 directory, then installed with its final
            # owner and mode: a key is never readable by others, even briefly.
            tmp = self.c.run("mktemp -d", hide=True).stdout.strip()
            try:
                self.c.put(io.BytesIO(data), f"{tmp}/f")
                self.sh(f"install -D -o {owner} -m {mode} {tmp}/f {shlex.quote(path)}")
            finally:
                self.c.run(f"rm -rf {tmp}", hide=True)
        self.changed.append(path)

    def directory(self, path, owner="root", mode="755"):
        q = shlex.quote(path)
        r = self.sh(f"stat -c '%U %a' {q}", warn=True)
        if r.ok and r.stdout.split() == [owner, mode]:
            return
        self.sh(f"install -d -o {owner} -m {mode} {q}")
        self.changed.append(path)

    def crontab(self, text):
        have = self.sh(f"crontab -u {self.user} -l", warn=True).stdout
        if have == text:
            return
        tmp = self.c.run("mktemp -d", hide=True).stdout.strip()
        try:
            self.c.put(io.StringIO(text), f"{tmp}/crontab")
            self.sh(f"crontab -u {self.user} {tmp}/crontab")
        finally:
            self.c.run(f"rm -rf {tmp}", hide=True)
        self.changed.append(f"crontab of {self.user}")


def render_crontab(name, root, hc_url, env, pgdash):
    """The example crontab for host name, with paths under root."""
    text = open(CRONTAB).read().replace("db7", name)
    for p in ["/usr/local/bin", "/etc/cronkit/", *JOB_DIRS]:
        text = text.replace(p, root + p)
    extra = dict(env)
    if hc_url:
        extra["HC_API_URL"] = hc_url
    present = set(re.findall(r"^([A-Z_]+)=", text, re.M))
    out = []
    for line in text.splitlines():
        if not pgdash and "pgdash" in line.lower() and not line.startswith("#"):
            continue
        m = re.match(r"^([A-Z_]+)=", line)
        if m and m.group(1) in extra:
            line = f"{m.group(1)}={extra[m.group(1)]}"
        out.append(line)
        if line.startswith("PATH="):
            out.extend(f"{k}={v}" for k, v in extra.items() if k not in present)
    return "\n".join(out) + "\n"


def checks(text):
    """(slug, schedule) of every runwrap --slug line of a crontab."""
    for line in text.splitlines():
        m = re.match(r"^(\S+ \S+ \S+ \S+ \S+)\s+runwrap .*--slug (\S+)", line)
        if m:
            yield m.group(2), m.group(1)


@task
def deploy(c, name="db7", cron_user="postgres", root="", bin_dir="", hc_url="", env=""):
    """Copy the binaries, write the key files, ensure the checks, install the crontab."""
    keys = {k: os.environ.get(k, "") for k in
            ["HC_PING_KEY", "HC_API_KEY", "STATHAT_EZKEY", "PGDASH_API_KEY"]}
    missing = [k for k in ["HC_PING_KEY", "HC_API_KEY", "STATHAT_EZKEY"] if not keys[k]]
    if missing:
        raise SystemExit(f"cronkit: set {', '.join(missing)} in the environment")
    if not bin_dir:
        c.local(os.path.join(HERE, "..", "build"), replace_env=False)
        bin_dir = os.path.join(HERE, "..", "..", "bin")

    d = Deploy(c, root, cron_user)
    for p in ["/usr/local/bin", "/etc/cronkit"]:
        d.directory(d.path(p))
    for p, mode in JOB_DIRS.items():
        d.directory(d.path(p), owner=cron_user, mode=mode)
    for b in BINARIES:
        with open(os.path.join(bin_dir, b), "rb") as f:
            d.file(d.path(f"/usr/local/bin/{b}"), f.read(), mode="755")
    files = {
        "hc-ping-key": keys["HC_PING_KEY"],
        "hc-api-key": keys["HC_API_KEY"],
        "stathat-ezkey": keys["STATHAT_EZKEY"],
        "pgdash-key": keys["PGDASH_API_KEY"],
    }
    for f, key in files.items():
        if key:
            d.file(d.path(f"/etc/cronkit/{f}"), (key + "\n").encode(), owner=cron_user, mode="600")

    env = dict(kv.split("=", 1) for kv in env.split(",") if kv)
    text = render_crontab(name, root, hc_url, env, bool(keys["PGDASH_API_KEY"]))

    # Here, where the binaries were built. --slug: API v3 does not derive a
    # slug from the name, and runwrap pings by slug.
    hcctl = os.path.join(bin_dir, "hcctl")
    api = f"--api-url {shlex.quote(hc_url)} " if hc_url else ""
    for slug, schedule in checks(text):
        job = slug[len(name) + 1:]
        r = c.local(
            f"{shlex.quote(hcctl)} ensure {slug} --slug {slug} {api}--schedule {shlex.quote(schedule)} "
            f"--tz UTC --grace {GRACE.get(job, '1h')} --tag {shlex.quote(name)} -f json",
            hide=True,
            replace_env=False,  # Fabric's default gives local commands an empty environment
        )
        res = json.loads(r.stdout)
        if res["created"] or res["updated"]:
            d.changed.append(f"check {slug}")

    d.crontab(text)
    for what in d.changed:
        print(f"changed: {what}")
    print(f"cronkit: {len(d.changed)} changed")
