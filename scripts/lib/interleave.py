"""Time whole commands, run in turn: interleave.py RUNS 'CMD1' 'CMD2' ...

Each round runs every command once (posix_spawn, stdout to /dev/null) and
reads its wall time and CPU (user+sys from wait4, children included). Ten
warm-up rounds are dropped. Interleaving puts every command under the same
changing load, which a shared machine has; hyperfine runs one command's
batch after the other's. Prints per command: median wall, median CPU,
25th percentile of wall, the command. A command that exits non-zero stops it.
"""
import os
import shlex
import statistics
import sys
import time


def once(argv, devnull):
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1e3
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"interleave: {shlex.join(argv)}: exit status {os.waitstatus_to_exitcode(status)}")
    return wall, (ru.ru_utime + ru.ru_stime) * 1e3


def main():
    runs, cmds = int(sys.argv[1]), sys.argv[2:]
    argvs = [shlex.split(c) for c in cmds]
    devnull = os.open(os.devnull, os.O_RDWR)
    res = [[] for _ in cmds]
    for i in range(runs + 10):
        for j, argv in enumerate(argvs):
            w, c = once(argv, devnull)
            if i >= 10:
                res[j].append((w, c))
    for cmd, r in zip(cmds, res):
        walls = [x[0] for x in r]
        cpus = [x[1] for x in r]
        p25 = statistics.quantiles(walls, n=4)[0]
        print(f"{statistics.median(walls):7.2f} ms wall {statistics.median(cpus):7.2f} ms cpu (p25 {p25:.2f})  {cmd}")


if __name__ == "__main__":
    main()
