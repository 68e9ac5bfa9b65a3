/**
 * The real logger at info level, writing each line with a synchronous write(2) to /dev/null: the cost of
 * formatting, redacting and one system call per line, as a function writing to stdout (a pipe FC and Lambda
 * drain) pays, without filling the benchmark's terminal.
 */
import { openSync, writeSync } from 'node:fs';
import { createLogger, type Logger } from '../shared/log';

let fd: number | undefined;

export function devNullLogger(fn: string): Logger {
  fd ??= openSync('/dev/null', 'w');
  const sink = fd;
  return createLogger({ fn }, { level: 'info', write: (line) => writeSync(sink, `${line}\n`) });
}
