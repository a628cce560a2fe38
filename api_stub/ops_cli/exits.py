"""The CLI's exit codes, for health checks and scripts, and the error that carries one."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    API_ERROR = 1
    USAGE = 2  # argparse's own code for a bad command line, kept for ours
    UNREACHABLE = 3
    AUTH_REFUSED = 4
    NO_WORKER = 5
    INTERRUPTED = 130  # the shell's code for SIGINT


MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "OK",
    ExitCode.API_ERROR: "the API answered an error (e.g. job not found, job not failed) or "
                        "something that is not this API",
    ExitCode.USAGE: "bad command line (e.g. no operator key, bulk action without a filter)",
    ExitCode.UNREACHABLE: "the API is unreachable (connection refused, timed out)",
    ExitCode.AUTH_REFUSED: "the key is refused (unknown, revoked, or not an operator's key)",
    ExitCode.NO_WORKER: "no worker is alive (status, workers, watch; output printed all the "
                        "same)",
    ExitCode.INTERRUPTED: "interrupted by Ctrl-C (watch stops with its last refresh's code "
                          "instead)",
}


def exit_codes_text() -> str:
    """The exit codes as lines of `code  meaning`, for --help."""
    return "\n".join(f"  {code.value:>3}  {MEANINGS[code]}" for code in ExitCode)


class CliError(Exception):
    """Stop the command: `message` (one line: what went wrong and how to fix it) goes to
    stderr and the process exits with `code`."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = " ".join(message.split())  # one line, whatever the API sent
