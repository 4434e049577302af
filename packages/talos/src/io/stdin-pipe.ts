// talosctl reads `--file /dev/stdin` with os.ReadFile, i.e. it opens /dev/stdin by path. Node gives a child's
// stdin as one end of a socketpair, and Linux refuses to open a socket through /proc/self/fd (ENXIO: "no such
// device or address"), so talosctl would fail before reading a byte. A shell pipeline makes the child's stdin a
// real pipe: `cat` copies our socket into it. Plaintext still never touches the disk.

/** The command and arguments that run `command args…` with its stdin a pipe fed from ours. */
export function withPipeStdin(command: string, args: readonly string[]): [string, string[]] {
  // "$0" is the command and "$@" its arguments: nothing is re-parsed by the shell
  return ["sh", ["-c", 'cat | exec "$0" "$@"', command, ...args]];
}

/** Exit status of `sh` when `exec` cannot find the command (POSIX: 127). */
export const COMMAND_NOT_FOUND = 127;
