#!/usr/bin/env python3
"""Kills a bnn-train run with SIGKILL again and again and resumes it.

    kill_resume.py DELAYS -- bnn-train ARGS... --checkpoint=FILE

Runs the command with --resume added, kills it with SIGKILL after each
delay (seconds, comma separated) in turn, then lets the last resume run to
the end. Exits with bnn-train's final status; prints how many runs were
killed (a delay longer than the whole run kills nothing, which is fine:
the result must be the same either way).
"""
import os
import signal
import subprocess
import sys


def main():
    split = sys.argv.index("--")
    delays = [float(d) for d in sys.argv[1].split(",")]
    command = sys.argv[split + 1:] + ["--resume"]
    killed = 0
    for delay in delays:
        with open(os.devnull, "wb") as null:
            run = subprocess.Popen(command, stdout=null, stderr=null)
            try:
                run.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                run.send_signal(signal.SIGKILL)
                run.wait()
                killed += 1
                continue
        if run.returncode != 0:
            sys.exit("kill_resume.py: bnn-train failed with status %d" % run.returncode)
    status = subprocess.call(command, stdout=subprocess.DEVNULL)
    print("killed %d runs" % killed)
    sys.exit(status)


if __name__ == "__main__":
    main()
